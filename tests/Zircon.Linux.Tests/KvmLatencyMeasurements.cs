using System.Diagnostics;
using Iced.Intel;
using Xunit.Abstractions;
using Zircon.Linux.Libc;
using static Iced.Intel.AssemblerRegisters;
using static Zircon.Linux.Tests.InterruptGuest;

namespace Zircon.Linux.Tests;

/// <summary>
/// The measurements behind src/Zircon.Linux/Kvm/README.md: exit costs and interrupt-delivery
/// latency per path. They assert only that every interrupt arrived; the numbers go to the test
/// output (run with <c>--logger "console;verbosity=detailed"</c>).
/// </summary>
[Collection(KvmCollection.Name)]
public sealed class KvmLatencyMeasurements
{
    private readonly ITestOutputHelper output;

    public KvmLatencyMeasurements(ITestOutputHelper output)
    {
        this.output = output;
        if (KvmAvailability.InRig)
            output.WriteLine("KVM rig (QEMU TCG, emulated SVM): these figures say nothing about speed; only the checks count here");
    }

    private const int Vector = 0x40;
    private const int Samples = 60;

    public enum Path { KickOnly, KickAndKvmInterrupt, SignalMsi, IrqFd, HltExitAndKvmInterrupt }

    [KvmFact(Measurement = true)]
    public void ExitRoundTrip_PerSyncedRegisterSets()
    {
        foreach (bool ring3 in new[] { false, true })
        {
            foreach (KvmRegisterSets sets in new[] { KvmRegisterSets.None, KvmRegisterSets.Regs, KvmRegisterSets.All })
            {
                using var guest = OutLoopGuest(ring3, out _);
                guest.Vcpu.SyncedSets = sets;
                guest.RunToOut(0x10); // warm up
                const int n = 400;
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < n; i++)
                    guest.Vcpu.Run(out _);
                double us = Stopwatch.GetElapsedTime(start).TotalMicroseconds / n;
                output.WriteLine($"OUT exit round trip from CPL{(ring3 ? 3 : 0)}, synced {sets}: {us:F1} us");
            }
        }
    }

    [KvmFact(Measurement = true)]
    public void IoExitRip_DependsOnTheRing()
    {
        foreach (bool ring3 in new[] { false, true })
        {
            using var guest = OutLoopGuest(ring3, out ulong outAddress);
            guest.RunToOut(0x10);
            output.WriteLine($"CPL{(ring3 ? 3 : 0)} OUT exit: RIP 0x{guest.Vcpu.Regs.rip:x} (instruction at 0x{outAddress:x}, 2 bytes)");
        }
    }

    private static TestGuest OutLoopGuest(bool ring3, out ulong outAddress)
    {
        var guest = TestGuest.Create();
        guest.UseDescriptorTables();
        var a = new Assembler(64);
        var loop = a.CreateLabel();
        if (ring3)
        {
            a.push((int)TestGuest.UserDs);
            a.push((int)TestGuest.Stack3Top);
            // IF=1 and IOPL=3: ring 3 may use OUT by IOPL, and by the TSS's I/O bitmap where a
            // hypervisor clears IOPL (PVM). Both are needed: QEMU's emulation (the KVM rig)
            // checks the bitmap only for a TSS whose cached type is "available", while KVM loads
            // TR as "busy" (as LTR leaves it, and as VMX requires), so there the bitmap check
            // always fails with #GP, and the guest, without a #GP handler, shuts down.
            a.push(0x3202);
            a.push((int)TestGuest.UserCs);
            a.lea(rax, __[loop]);
            a.push(rax);
            a.iretq();
        }
        a.Label(ref loop);
        a.@out(0x10, al);
        a.jmp(loop);
        outAddress = guest.Load(a).GetLabelRIP(loop);
        return guest;
    }

    [KvmFact(Measurement = true)]
    public void InterruptLatency_PerPathAndGuestState()
    {
        foreach (Idle idle in new[] { Idle.SpinInRing3, Idle.HaltLoop, Idle.SpinInRing0 })
        {
            foreach (Path path in Enum.GetValues<Path>())
            {
                if (path == Path.HltExitAndKvmInterrupt && idle != Idle.HaltLoop)
                    continue;
                double[] us = Measure(path, idle);
                Array.Sort(us);
                output.WriteLine($"{path,-24} guest {idle,-12}: median {us[us.Length / 2],7:F1} us  p90 {us[us.Length * 9 / 10],7:F1} us  max {us[^1],8:F1} us");
            }
        }
    }

    private double[] Measure(Path path, Idle idle)
    {
        KvmIrqchipMode irqchip = path == Path.HltExitAndKvmInterrupt ? KvmIrqchipMode.None : KvmIrqchipMode.Split;
        bool lapicDelivers = path is Path.SignalMsi or Path.IrqFd;
        using var guest = InterruptGuest.Create(irqchip, idle, [Vector], eoi: lapicDelivers);
        using var line = EventFd.Create();
        if (path == Path.IrqFd)
        {
            Assert.Equal(ZxStatus.Ok, guest.Vm.AddMsiRoute(KvmMsiMessage.Fixed(0, Vector), out uint gsi));
            Assert.Equal(ZxStatus.Ok, guest.Vm.AssignIrqFd(line, gsi));
        }
        guest.RunToOut(ReadyPort);

        var results = new double[Samples];
        using var handled = new SemaphoreSlim(0);
        using var wake = new SemaphoreSlim(0);
        long injectedAt = 0;
        int pending = 0;
        var injector = new Thread(() =>
        {
            for (int i = 0; i < Samples; i++)
            {
                Thread.Sleep(2);
                Volatile.Write(ref injectedAt, Stopwatch.GetTimestamp());
                switch (path)
                {
                    case Path.KickOnly:
                        guest.Vcpu.Kick();
                        break;
                    case Path.KickAndKvmInterrupt:
                        Volatile.Write(ref pending, 1);
                        guest.Vcpu.Kick();
                        break;
                    case Path.HltExitAndKvmInterrupt:
                        Volatile.Write(ref pending, 1);
                        wake.Release();
                        guest.Vcpu.Kick();
                        break;
                    case Path.SignalMsi:
                        guest.Vm.SignalMsi(KvmMsiMessage.Fixed(0, Vector));
                        break;
                    case Path.IrqFd:
                        line.Signal();
                        break;
                }
                if (!handled.Wait(5000))
                    return;
            }
        });
        injector.Start();

        int done = 0;
        while (done < Samples)
        {
            Assert.Equal(ZxStatus.Ok, guest.Vcpu.Run(out KvmExit exit));
            switch (exit.Kind)
            {
                case KvmExitKind.Io when exit.Io.Port == HandlerPort:
                    results[done++] = Stopwatch.GetElapsedTime(Volatile.Read(ref injectedAt)).TotalMicroseconds;
                    handled.Release();
                    break;
                case KvmExitKind.Hlt:
                    // No in-kernel LAPIC: the VCPU thread itself sleeps until work arrives.
                    Assert.True(wake.Wait(5000), "no interrupt arrived");
                    break;
                case KvmExitKind.Intr when path == Path.KickOnly:
                    results[done++] = Stopwatch.GetElapsedTime(Volatile.Read(ref injectedAt)).TotalMicroseconds;
                    handled.Release();
                    break;
                case KvmExitKind.Intr:
                    break;
                default:
                    Assert.Fail($"unexpected exit {exit}");
                    break;
            }
            if (Interlocked.Exchange(ref pending, 0) != 0)
            {
                while (wake.CurrentCount > 0)
                    wake.Wait(0);
                Assert.Equal(ZxStatus.Ok, guest.Vcpu.InjectInterrupt(Vector));
            }
        }
        injector.Join();
        return results;
    }
}
