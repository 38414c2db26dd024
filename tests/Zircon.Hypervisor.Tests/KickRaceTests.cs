using System.Diagnostics;

namespace Zircon.Hypervisor.Tests;

/// <summary>
/// <c>zx_vcpu_kick</c> and closing a VCPU raced against <c>zx_vcpu_resume</c> over many rounds, so
/// that the kick lands at every point of a resume: before it starts, while the VCPU thread
/// prepares its first KVM_RUN, on the way into the guest, and while the guest spins. Every round
/// must end with CANCELED; a resume that does not return is a lost kick (found in the KVM rig, on
/// SVM: the stress suite's "runaway loop stopped by kick" hung). A watchdog kicks again (and
/// finally closes the VCPU) so that a lost kick fails the test instead of hanging it.
/// </summary>
public class KickRaceTests
{
    private const int Rounds = 300;
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(15);

    private static void Spin(Assembler a)
    {
        Label loop = a.CreateLabel();
        a.Label(ref loop);
        a.jmp(loop);
    }

    /// <summary>Waits a random while: nothing, a busy spin of up to about 100 µs, or a sleep of 1-2 ms.</summary>
    private static void RandomDelay(Random rng)
    {
        switch (rng.Next(4))
        {
            case 0:
                break;
            case 1:
            case 2:
                long until = Stopwatch.GetTimestamp() + rng.Next(0, 100) * Stopwatch.Frequency / 1_000_000;
                while (Stopwatch.GetTimestamp() < until)
                    Thread.SpinWait(10);
                break;
            default:
                Thread.Sleep(rng.Next(1, 3));
                break;
        }
    }

    /// <summary>
    /// Runs <paramref name="rounds"/> rounds: in each, the VCPU thread (this one) runs
    /// <paramref name="beforeRound"/>, then it calls <paramref name="resume"/> and another thread
    /// calls <paramref name="stop"/>, both after a random delay from a common start. Returns what
    /// went wrong: resumes that had to be rescued, unexpected statuses.
    /// </summary>
    private static List<string> Race(int rounds, int seed, Func<ZxStatus> resume, Func<ZxStatus> stop, Func<uint> currentVcpu,
        Action? beforeRound = null)
    {
        var lost = new List<string>();
        using var start = new Barrier(2);
        using var resumed = new ManualResetEventSlim();
        var rng = new Random(seed);
        var kicker = new Thread(() =>
        {
            var krng = new Random(seed + 1);
            for (int i = 0; i < rounds; i++)
            {
                start.SignalAndWait();
                RandomDelay(krng);
                ZxStatus stopped = stop();
                if (stopped != ZxStatus.Ok)
                    lock (lost)
                        lost.Add($"round {i}: the stop returned {stopped.ToZirconName()}");
                // Watchdog: the resume of this round must come back; if it does not, kick again
                // (the first kick was lost), then close the VCPU as a last resort.
                if (!resumed.Wait(LostAfter))
                {
                    lock (lost)
                        lost.Add($"round {i}: resume still running {LostAfter.TotalSeconds} s after the stop");
                    Syscalls.VcpuKick(currentVcpu());
                    if (!resumed.Wait(LostAfter))
                        Syscalls.HandleClose(currentVcpu());
                    resumed.Wait();
                }
                resumed.Reset();
                start.SignalAndWait(); // the VCPU thread has prepared the next round
            }
        }) { IsBackground = true, Name = "kicker" };
        kicker.Start();
        for (int i = 0; i < rounds; i++)
        {
            beforeRound?.Invoke();
            start.SignalAndWait();
            RandomDelay(rng);
            ZxStatus status = resume();
            resumed.Set();
            if (status != ZxStatus.ErrCanceled)
                lock (lost)
                    lost.Add($"round {i}: resume returned {status.ToZirconName()}, not ZX_ERR_CANCELED");
            start.SignalAndWait();
        }
        Assert.True(kicker.Join(LostAfter * 3), "the kicker thread did not finish");
        return lost;
    }

    [HypervisorFact]
    public void Kick_RacingResume_OnOneVcpu_EndsEveryResumeWithCanceled()
    {
        using var g = TestGuest.Create(Spin);
        List<string> lost = Race(Rounds, 8,
            () => Syscalls.VcpuResume(g.Vcpu, out _),
            () => Syscalls.VcpuKick(g.Vcpu),
            () => g.Vcpu);
        Assert.True(lost.Count == 0, string.Join("; ", lost));
    }

    /// <summary>
    /// A new guest each round, so a new KVM VCPU: the kick races the VCPU thread's very first
    /// KVM_RUN, before the VCPU knows which thread to signal (only immediate_exit can stop it then).
    /// </summary>
    [HypervisorFact]
    public void Kick_RacingTheFirstResume_OfNewVcpus_EndsEveryResumeWithCanceled()
    {
        TestGuest? g = null;
        uint vcpu = ZxHandleValues.Invalid;
        try
        {
            List<string> lost = Race(Rounds / 5, 80,
                () => Syscalls.VcpuResume(Volatile.Read(ref vcpu), out _),
                () => Syscalls.VcpuKick(Volatile.Read(ref vcpu)),
                () => Volatile.Read(ref vcpu),
                beforeRound: () =>
                {
                    g?.Dispose();
                    g = TestGuest.Create(Spin);
                    Volatile.Write(ref vcpu, g.Vcpu);
                });
            Assert.True(lost.Count == 0, string.Join("; ", lost));
        }
        finally
        {
            g?.Dispose();
        }
    }

    /// <summary>Closing the VCPU from another thread, raced the same way, ends every resume.</summary>
    [HypervisorFact]
    public void Close_RacingResume_EndsEveryResumeWithCanceled()
    {
        using var g = TestGuest.Create(Spin, createVcpu: false);
        uint vcpu = ZxHandleValues.Invalid;
        List<string> lost = Race(Rounds / 2, 800,
            // A close that lands before the resume starts leaves it a closed handle: BAD_HANDLE.
            () => Syscalls.VcpuResume(Volatile.Read(ref vcpu), out _) is var s && s == ZxStatus.ErrBadHandle ? ZxStatus.ErrCanceled : s,
            () => Syscalls.HandleClose(Volatile.Read(ref vcpu)),
            () => Volatile.Read(ref vcpu),
            beforeRound: () =>
            {
                Assert.Equal(ZxStatus.Ok, Syscalls.VcpuCreate(g.Guest, 0, TestGuest.GuestEntry, out uint created));
                Volatile.Write(ref vcpu, created);
            });
        Assert.True(lost.Count == 0, string.Join("; ", lost));
    }

    /// <summary>
    /// Kicks without pause while the VCPU thread resumes over and over: a kick that lands just as
    /// KVM_RUN returns from the previous one must not be lost. (It was: the thread cleared the
    /// kick handshake and then drained the kick signal, swallowing a kick sent in between; the
    /// handshake stayed set, so every later kick was taken for a duplicate and the guest ran on
    /// for good.) The resumes run on their own thread so that a lost kick fails the test rather
    /// than hanging it.
    /// </summary>
    [HypervisorFact]
    public void Kicks_WithoutPause_NeverLeaveAResumeRunning()
    {
        const int Resumes = 3000;
        int done = 0;
        uint vcpu = ZxHandleValues.Invalid;
        Exception? failure = null;
        using var ready = new ManualResetEventSlim();
        var runner = new Thread(() =>
        {
            try
            {
                using var g = TestGuest.Create(Spin);
                Volatile.Write(ref vcpu, g.Vcpu);
                ready.Set();
                for (int i = 0; i < Resumes; i++)
                {
                    Assert.Equal(ZxStatus.ErrCanceled, Syscalls.VcpuResume(g.Vcpu, out _));
                    Volatile.Write(ref done, i + 1);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                ready.Set();
                Volatile.Write(ref done, int.MaxValue);
            }
        }) { IsBackground = true, Name = "vcpu" };
        runner.Start();
        ready.Wait();
        var rng = new Random(3);
        int lastDone = -1;
        long lastProgress = Environment.TickCount64;
        while (Volatile.Read(ref done) != int.MaxValue)
        {
            ZxStatus kicked = Syscalls.VcpuKick(Volatile.Read(ref vcpu));
            Assert.True(kicked is ZxStatus.Ok or ZxStatus.ErrBadHandle, $"zx_vcpu_kick: {kicked}"); // BAD_HANDLE: the runner has finished
            if (rng.Next(4) == 0)
                Thread.SpinWait(rng.Next(1, 200)); // vary where the next kick lands
            int now = Volatile.Read(ref done);
            if (now != lastDone)
            {
                (lastDone, lastProgress) = (now, Environment.TickCount64);
            }
            else if (Environment.TickCount64 - lastProgress > LostAfter.TotalMilliseconds)
            {
                Assert.Fail($"resume {now + 1} of {Resumes} did not return in {LostAfter.TotalSeconds} s although the VCPU was kicked all along: a kick was lost");
            }
        }
        Assert.True(runner.Join(LostAfter));
        Assert.Null(failure);
    }
}
