using System.Collections.Concurrent;
using Zircon.Kernel.Hypervisor;

namespace Zircon.Hypervisor.Tests;

/// <summary>
/// BELL writes that complete inside KVM (an ioeventfd per learned address, BellDoorbells): the
/// first write to an address exits, later ones are counted by KVM and become packets on the
/// kernel's delivery thread, one per write, under the trap's 256-packet budget.
/// </summary>
public class BellDoorbellTests
{
    private const uint Bell = (uint)ZxGuestTrap.Bell;
    private const ulong Key = 0xD00B;
    // Guest data the host reads or writes: a stop flag and one write counter per address.
    private const ulong StopFlag = 0x6000, Counters = 0x6100;

    private static uint BellPort(TestGuest g)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.PortCreate(0, out uint port));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, Bell, TestGuest.TrapAddr, TestGuest.Page, port, Key));
        return port;
    }

    private static BellDoorbells Doorbells(TestGuest g) =>
        KernelContext.Handles.TryGet(g.Guest, out var entry) ? ((GuestDispatcher)entry.Dispatcher).Doorbells
            : throw new InvalidOperationException("bad guest handle");

    /// <summary>
    /// A guest that writes to each of <paramref name="offsets"/> (in the BELL page) in turn, counting
    /// each write in guest memory just before it, <paramref name="rounds"/> times or, with 0, until the host sets
    /// the stop flag; then the standard exit.
    /// </summary>
    private static TestGuest WritingGuest(ulong[] offsets, int rounds) => TestGuest.Create(a =>
    {
        Label loop = a.CreateLabel();
        Label done = a.CreateLabel();
        a.mov(r8d, rounds);
        a.Label(ref loop);
        for (int i = 0; i < offsets.Length; i++)
        {
            // Counted first: a VCPU stopped between the two has counted a write it did not make,
            // never made one it did not count.
            a.inc(__qword_ptr[(long)(Counters + (ulong)i * 8)]);
            a.mov(__qword_ptr[(long)(TestGuest.TrapAddr + offsets[i])], r8);
        }
        if (rounds > 0)
        {
            a.dec(r8d);
            a.jnz(loop);
        }
        else
        {
            a.cmp(__qword_ptr[(long)StopFlag], 0);
            a.je(loop);
        }
        a.Label(ref done);
        TestGuest.Exit(a);
    });

    private static ulong GuestCounter(TestGuest g, int index) =>
        BitConverter.ToUInt64(g.Memory[(int)(Counters + (ulong)index * 8)..]);

    private static void Stop(TestGuest g) => BitConverter.TryWriteBytes(g.Memory[(int)StopFlag..], 1UL);

    /// <summary>Counts BELL packets per address until <paramref name="expected"/> arrived or none came for 10 s.</summary>
    private static Thread StartReader(uint port, long expected, ConcurrentDictionary<ulong, long> received)
    {
        var reader = new Thread(() =>
        {
            long total = 0;
            while (total < expected && Syscalls.PortWait(port, Syscalls.DeadlineAfter(10_000_000_000), out ZxPortPacket p) == ZxStatus.Ok)
            {
                if (p.Type != ZxPacketType.GuestBell || p.Key != Key)
                    received.AddOrUpdate(ulong.MaxValue, 1, (_, n) => n + 1); // anything else is a failure
                else
                    received.AddOrUpdate(p.GuestBell.Addr, 1, (_, n) => n + 1);
                total++;
            }
        });
        reader.Start();
        return reader;
    }

    private static void AssertNoPacketArrives(uint port)
    {
        Thread.Sleep(100);
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Syscalls.DeadlineAfter(100_000_000), out _));
    }

    [HypervisorFact]
    public void ManyWritesToOneAddress_CompleteInKvm_EachIsExactlyOnePacket_WithAReaderRacing()
    {
        const int Writes = 3000; // many times the 256 a trap may have unread
        using TestGuest g = WritingGuest([0x40], Writes);
        uint port = BellPort(g);
        var received = new ConcurrentDictionary<ulong, long>();
        Thread reader = StartReader(port, Writes, received);
        g.ResumeToExit();
        Assert.True(reader.Join(TimeSpan.FromSeconds(60)));
        Assert.Equal([(TestGuest.TrapAddr + 0x40, (long)Writes)], received.Select(e => (e.Key, e.Value)));
        Assert.True(Doorbells(g).CountedWrites > 0, "no write completed in KVM: every one exited");
        AssertNoPacketArrives(port);
        Syscalls.HandleClose(port);
    }

    [HypervisorFact]
    public void WritesToSeveralAddressesInOneTrap_EachAddressGetsExactlyItsWrites()
    {
        ulong[] offsets = [0x0, 0x8, 0x404, 0xFF8];
        const int Rounds = 300;
        using TestGuest g = WritingGuest(offsets, Rounds);
        uint port = BellPort(g);
        var received = new ConcurrentDictionary<ulong, long>();
        Thread reader = StartReader(port, Rounds * offsets.Length, received);
        g.ResumeToExit();
        Assert.True(reader.Join(TimeSpan.FromSeconds(60)));
        foreach (ulong offset in offsets)
            Assert.Equal(Rounds, received.GetValueOrDefault(TestGuest.TrapAddr + offset));
        Assert.Equal(offsets.Length, received.Count);
        Assert.True(Doorbells(g).CountedWrites > 0, "no write completed in KVM: every one exited");
        AssertNoPacketArrives(port);
        Syscalls.HandleClose(port);
    }

    [HypervisorFact]
    public void PortClosedWhileTheGuestKeepsRinging_ResumeIsBadState_AndTheNextResumeContinues()
    {
        using TestGuest g = WritingGuest([0x10], rounds: 0);
        uint port = BellPort(g);
        var closer = new Thread(() =>
        {
            for (int i = 0; i < 300; i++)
                Syscalls.PortWait(port, Syscalls.DeadlineAfter(10_000_000_000), out _);
            Syscalls.HandleClose(port);
        });
        closer.Start();
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.VcpuResume(g.Vcpu, out _));
        Assert.True(closer.Join(TimeSpan.FromSeconds(60)));
        Assert.True(Doorbells(g).CountedWrites > 0, "no write completed in KVM: every one exited");
        Assert.Equal(0, Doorbells(g).Count);
        Stop(g);
        g.ResumeToExit(); // the write that saw BAD_STATE is not repeated; the guest stops at its flag
    }

    [HypervisorFact]
    public void GuestDestroyedWhileKvmCountsWrites_NoPacketIsLeftOrArrivesAfter()
    {
        uint port;
        using (TestGuest g = WritingGuest([0x20, 0x30], rounds: 0))
        {
            port = BellPort(g);
            var closer = new Thread(() =>
            {
                // No reader: the budget stops the count near 256 (the VCPU then waits in resume).
                while (Doorbells(g).CountedWrites < 100)
                    Thread.Sleep(1);
                Syscalls.HandleClose(g.Vcpu); // ends the resume below, the guest still writing
            });
            closer.Start();
            Assert.Equal(ZxStatus.ErrCanceled, Syscalls.VcpuResume(g.Vcpu, out _));
            Assert.True(closer.Join(TimeSpan.FromSeconds(60)));
        }
        // The guest is gone: its unread BELL packets went with it and nothing counted arrives later.
        while (Syscalls.PortWait(port, ZxTime.InfinitePast, out ZxPortPacket p) == ZxStatus.Ok)
            Assert.Fail($"packet of type {p.Type} left after the guest was destroyed");
        AssertNoPacketArrives(port);
        Syscalls.HandleClose(port);
    }

    [HypervisorFact]
    public void Race_BellWritesPortReadsAndClosesInRandomOrder_KeepEveryInvariant()
    {
        var random = new Random(0xBE11);
        for (int round = 0; round < 8; round++)
        {
            int seed = random.Next();
            // On a thread of its own: a failed round must not leave its VCPU on the test thread
            // (a thread has one VCPU), which would fail every later test there.
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    RaceRound(new Random(seed));
                }
                catch (Exception e)
                {
                    failure = e;
                }
            });
            thread.Start();
            Assert.True(thread.Join(TimeSpan.FromSeconds(120)), $"round {round} (seed {seed}) did not finish");
            if (failure is not null)
                throw new InvalidOperationException($"round {round} (seed {seed}) failed", failure);
        }
    }

    // A guest rings two addresses until told to stop; a reader (maybe) reads; at a random moment
    // the guest is stopped, the port closed or the guest destroyed. Invariants: no packet beyond
    // a write; a stopped guest's writes all arrive; a destroyed guest leaves no packet behind.
    private static void RaceRound(Random random)
    {
        ulong[] offsets = [0x100, 0x200];
        TestGuest g = WritingGuest(offsets, rounds: 0);
        uint port = BellPort(g);
        var received = new ConcurrentDictionary<ulong, long>();
        int action = random.Next(3); // 0: stop the guest, 1: close the port, 2: destroy the guest
        // A guest told to stop must get past its budget to see the flag, so it always has a reader.
        bool reading = action == 0 || random.Next(3) != 0;
        Thread? reader = reading ? StartReader(port, long.MaxValue, received) : null;
        int delayMs = random.Next(0, 30);
        var actor = new Thread(() =>
        {
            Thread.Sleep(delayMs);
            if (action == 0)
                Stop(g);
            else if (action == 1)
                Syscalls.HandleClose(port);
            else
                Syscalls.HandleClose(g.Vcpu);
        });
        actor.Start();
        ZxStatus status = Syscalls.VcpuResume(g.Vcpu, out ZxPortPacket exit);
        Assert.True(actor.Join(TimeSpan.FromSeconds(60)));
        switch (action)
        {
            case 0:
                Assert.Equal(ZxStatus.Ok, status);
                Assert.Equal(TestGuest.ExitTestAddr, exit.GuestMem.Addr);
                long writes = (long)(GuestCounter(g, 0) + GuestCounter(g, 1));
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (received.Values.Sum() < writes && DateTime.UtcNow < deadline)
                    Thread.Sleep(5);
                Thread.Sleep(100); // room for a packet too many to show up
                Syscalls.HandleClose(port); // ends the reader
                Assert.True(reader!.Join(TimeSpan.FromSeconds(60)));
                for (int i = 0; i < offsets.Length; i++)
                    Assert.Equal((long)GuestCounter(g, i), received.GetValueOrDefault(TestGuest.TrapAddr + offsets[i]));
                g.Dispose();
                break;
            case 1:
                Assert.Equal(ZxStatus.ErrBadState, status);
                reader?.Join(TimeSpan.FromSeconds(60));
                for (int i = 0; i < offsets.Length; i++)
                    Assert.True(received.GetValueOrDefault(TestGuest.TrapAddr + offsets[i]) <= (long)GuestCounter(g, i));
                // Each later bell write is BAD_STATE too (the port stays closed): one per address
                // at most before the guest reaches its stop flag.
                Stop(g);
                for (int i = 0; i <= offsets.Length && status == ZxStatus.ErrBadState; i++)
                    status = Syscalls.VcpuResume(g.Vcpu, out exit);
                Assert.Equal((ZxStatus.Ok, TestGuest.ExitTestAddr), (status, exit.GuestMem.Addr));
                g.Dispose();
                break;
            default:
                Assert.Equal(ZxStatus.ErrCanceled, status);
                ulong[] written = [GuestCounter(g, 0), GuestCounter(g, 1)];
                g.Dispose();
                if (!reading)
                    Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, ZxTime.InfinitePast, out _)); // nothing left behind
                Thread.Sleep(100);
                if (!reading)
                    Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, ZxTime.InfinitePast, out _)); // nor arriving after
                Syscalls.HandleClose(port);
                reader?.Join(TimeSpan.FromSeconds(60));
                for (int i = 0; i < offsets.Length; i++)
                    Assert.True(received.GetValueOrDefault(TestGuest.TrapAddr + offsets[i]) <= (long)written[i]);
                break;
        }
        Assert.False(received.ContainsKey(ulong.MaxValue), "a packet that is not this trap's BELL");
    }
}
