using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary>
/// Multi-processor guests on the fake hypervisor: declared processors parked until the guest's
/// INIT/STARTUP, the STARTUP packet a VCPU's resume returns, the application processor's VCPU made
/// on another thread, and VCPUs closed, kicked and torn down while others run.
/// </summary>
[Collection(FakeHypervisorCollection.Name)]
public class HypervisorProcessorTests : FakeHypervisorTest
{
    private FakeVcpuBackend Backend(uint id) => Fake.LastGuest.Vcpus.Last(v => v.Id == id);

    [Fact]
    public void DeclareProcessors_ParksEveryApplicationProcessor_AndNotTheBootstrapOne()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 3));
        IReadOnlyList<FakeVcpuBackend> vcpus = Fake.LastGuest.Vcpus;
        Assert.Equal([1u, 2u], vcpus.Select(v => v.Id));
        Assert.All(vcpus, v => Assert.True(v.IsParked && !v.Bootstrap));
    }

    [Fact]
    public void DeclareProcessors_BadCounts_Rights_AndTwice()
    {
        uint guest = CreateGuest();
        uint noManage = Track(Zx.Duplicate(guest, ZxDefaultRights.Guest & ~ZxRights.ManageProcess));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestDeclareProcessors(guest, 0));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestDeclareProcessors(guest, 65));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.GuestDeclareProcessors(noManage, 2));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.GuestDeclareProcessors(Zx.ClosedHandle(), 2));
        Assert.Empty(Fake.LastGuest.Vcpus);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 2));
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.GuestDeclareProcessors(guest, 4));
        Assert.Single(Fake.LastGuest.Vcpus);
    }

    [Fact]
    public void MaxProcessors_IsZirconsLimitOrTheHypervisorsLower()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestMaxProcessors(guest, out uint max));
        Assert.Equal(64u, max);
        Fake.LastGuest.MaxVcpus = 3;
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestMaxProcessors(guest, out max));
        Assert.Equal(3u, max);
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestDeclareProcessors(guest, 4));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 3));
        uint noInspect = Track(Zx.Duplicate(guest, ZxRights.Transfer));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.GuestMaxProcessors(noInspect, out _));
    }

    [Fact]
    public void DeclaredWhileAnApplicationProcessorRuns_ItIsParkedOnlyOnceClosed()
    {
        uint guest = CreateGuest();
        CreateVcpu(guest);
        uint ap = 0;
        Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() => Syscalls.VcpuCreate(guest, 0, 0x8000, out ap)));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 3));
        Assert.False(Backend(1).IsParked); // a live VCPU
        Assert.True(Backend(2).IsParked);
        Close(ap);
        Assert.True(Backend(1).IsParked);
    }

    [Fact]
    public void Startup_IsAGuestVcpuPacket_WithTheProcessorsIdAndEntry_FromTheBootstrapResume()
    {
        uint guest = CreateGuest();
        uint bsp = CreateVcpu(guest);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 3));
        Assert.True(Backend(2).SendInitAndStartup(0x9000));
        ZxPortPacket packet = ResumeOk(bsp);
        var expected = new ZxPortPacket { Type = ZxPacketType.GuestVcpu };
        expected.GuestVcpu.Type = ZxPacketGuestVcpu.TypeStartup;
        expected.GuestVcpu.StartupId = 2;
        expected.GuestVcpu.StartupEntry = 0x9000;
        Assert.Equal(Bytes(expected), Bytes(packet)); // key 0, status 0, every other byte zero
    }

    [Fact]
    public void Startup_WakesAResumeInProgress()
    {
        uint guest = CreateGuest();
        uint bsp = CreateVcpu(guest);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 2));
        var sender = new Thread(() =>
        {
            SpinWait.SpinUntil(() => Backend(0).InRun, TimeSpan.FromSeconds(10));
            Backend(1).SendInitAndStartup(0x8000);
        });
        sender.Start();
        ZxPortPacket packet = ResumeOk(bsp); // blocks in the fake's Run until the STARTUP kicks it
        sender.Join();
        Assert.Equal((ZxPacketType.GuestVcpu, ZxPacketGuestVcpu.TypeStartup, 1ul, 0x8000ul),
            (packet.Type, packet.GuestVcpu.Type, packet.GuestVcpu.StartupId, packet.GuestVcpu.StartupEntry));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(bsp));
        Assert.Equal(ZxStatus.ErrCanceled, Resume(bsp, out _)); // the STARTUP's wake-up was not a zx_vcpu_kick
        Assert.Empty(Backend(0).Violations);
    }

    [Fact]
    public void ApplicationProcessor_IsCreatedOnAnotherThread_FromItsParkedVcpu_AtTheStartupEntry()
    {
        uint guest = CreateGuest();
        CreateVcpu(guest);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 2));
        FakeVcpuBackend parked = Backend(1);
        uint ap = 0;
        int apThread = 0;
        Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() =>
        {
            apThread = Environment.CurrentManagedThreadId;
            return Syscalls.VcpuCreate(guest, 0, 0x8000, out ap);
        }));
        Track(ap);
        Assert.Same(parked, Backend(1)); // no second KVM VCPU: the parked one is used
        Assert.Equal(2, Fake.LastGuest.CreatedVcpuCount);
        Assert.Equal((false, false, 0x8000ul, apThread, 1), (parked.IsParked, parked.Bootstrap, parked.Entry, parked.CreatorThreadId, parked.Resets));
        Assert.False(parked.SendInitAndStartup(0x8000)); // a live processor's STARTUP is not reported (KVM's LAPIC handles it)
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.VcpuResume(ap, out _)); // bound to its creator thread
        Assert.Empty(parked.Violations);
    }

    [Fact]
    public void ClosedApplicationProcessor_IsParkedAgain_AndCanBeStartedAgain()
    {
        uint guest = CreateGuest();
        uint bsp = CreateVcpu(guest);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 2));
        uint ap = 0;
        Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() => Syscalls.VcpuCreate(guest, 0, 0x8000, out ap)));
        Close(ap);
        Assert.True(Backend(1).IsParked);
        Assert.True(Backend(1).SendInitAndStartup(0xA000));
        ZxPortPacket packet = ResumeOk(bsp);
        Assert.Equal((1ul, 0xA000ul), (packet.GuestVcpu.StartupId, packet.GuestVcpu.StartupEntry));
    }

    [Fact]
    public void Startups_GoToTheLowestLiveVcpu_AndWaitForOneWhenNoneLives()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 3));
        Assert.True(Backend(2).SendInitAndStartup(0x8000)); // nobody to report it yet: it waits
        uint ap = 0;
        ZxPortPacket apPacket = default;
        ZxStatus apStatus = ZxStatus.ErrInternal;
        var apThread = new Thread(() =>
        {
            // VCPU 0 is created on the test thread below; this one becomes VCPU 1.
            SpinWait.SpinUntil(() => Fake.LastGuest.Vcpus.Any(v => v.Id == 0), TimeSpan.FromSeconds(10));
            if (Syscalls.VcpuCreate(guest, 0, 0x8000, out ap) != ZxStatus.Ok)
                return;
            apStatus = Syscalls.VcpuResume(ap, out apPacket);
        });
        uint bsp = CreateVcpu(guest);
        apThread.Start();
        ZxPortPacket packet = ResumeOk(bsp);
        Assert.Equal(2ul, packet.GuestVcpu.StartupId);
        SpinWait.SpinUntil(() => Backend(1).InRun, TimeSpan.FromSeconds(10));
        Assert.True(Backend(1).InRun); // VCPU 1 is not the receiver: it runs on
        Close(bsp); // now VCPU 1 is the lowest live VCPU
        Assert.True(Backend(2).SendInitAndStartup(0xB000));
        Assert.True(apThread.Join(TimeSpan.FromSeconds(10)));
        Track(ap);
        Assert.Equal(ZxStatus.Ok, apStatus);
        Assert.Equal((2ul, 0xB000ul), (apPacket.GuestVcpu.StartupId, apPacket.GuestVcpu.StartupEntry));
    }

    [Fact]
    public void ClosingOneVcpu_WhileOthersRun_CancelsOnlyItsResume()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 3));
        using var running = new RunningVcpus(guest, 3);
        Close(running.Handle(1));
        Assert.Equal(ZxStatus.ErrCanceled, running.WaitForResume(1));
        Assert.True(SpinWait.SpinUntil(() => Backend(1).IsParked, TimeSpan.FromSeconds(10)));
        Assert.True(Backend(0).InRun && Backend(2).InRun);
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(running.Handle(0)));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(running.Handle(2)));
        Assert.Equal(ZxStatus.ErrCanceled, running.WaitForResume(0));
        Assert.Equal(ZxStatus.ErrCanceled, running.WaitForResume(2));
        Assert.Equal("", string.Join("\n", Fake.LastGuest.Vcpus.Distinct().SelectMany(v => v.Violations.Select(x => $"{v.Id}: {x}"))));
    }

    [Fact]
    public void KickingOneVcpu_LeavesTheOthersRunning()
    {
        uint guest = CreateGuest();
        using var running = new RunningVcpus(guest, 3);
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(running.Handle(1)));
        Assert.Equal(ZxStatus.ErrCanceled, running.WaitForResume(1));
        Assert.True(Backend(0).InRun && Backend(2).InRun);
        Assert.Equal(1, Backend(1).Kicks);
        Assert.Equal((0, 0), (Backend(0).Kicks, Backend(2).Kicks));
    }

    [Fact]
    public void Teardown_WithVcpusInEveryState_ReleasesEveryOne()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 5));
        // 0: resuming on its thread; 1: created, never resumed; 2: created and closed (parked again);
        // 3: parked, never created, with a STARTUP waiting; 4: parked, never started.
        var running = new RunningVcpus(guest, 1);
        uint idle = 0, closed = 0;
        var idleThread = new Thread(() => Syscalls.VcpuCreate(guest, 0, 0x8000, out idle));
        idleThread.Start();
        idleThread.Join();
        Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() => Syscalls.VcpuCreate(guest, 0, 0x8000, out closed)));
        Close(closed);
        Assert.True(Backend(3).SendInitAndStartup(0x8000)); // VCPU 0 will take it... or the teardown drops it
        FakeGuestBackend machine = Fake.LastGuest;
        Close(guest);
        Assert.False(machine.IsDisposed); // live VCPUs keep the guest
        Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(idle));
        running.Dispose(); // closes VCPU 0 while it runs
        Assert.True(SpinWait.SpinUntil(() => machine.IsDisposed, TimeSpan.FromSeconds(10)));
        Assert.All(machine.Vcpus, v => Assert.True(v.IsDisposed && !v.IsParked, $"VCPU {v.Id}"));
        Assert.All(machine.Vcpus, v => Assert.Empty(v.Violations));
    }

    [Fact]
    public void Race_StartupsCreatesAndClosesFromManyThreads_EveryStartupIsReportedOnce()
    {
        // Randomized: senders start parked processors while VCPU 1 is created and closed again and
        // VCPU 0 resumes. Invariant: each STARTUP sent to a parked processor is returned by exactly
        // one resume, none is invented, no backend contract is broken.
        uint guest = CreateGuest();
        uint bsp = CreateVcpu(guest);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestDeclareProcessors(guest, 4));
        var random = new Random(Environment.TickCount);
        int sent = 0, received = 0;
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(2, 2).Select(id => new Thread(() =>
        {
            var r = new Random(random.Next());
            while (!stop.IsCancellationRequested)
            {
                if (Backend((uint)id).SendInitAndStartup((ulong)r.Next(1, 256) << 12))
                    Interlocked.Increment(ref sent);
                Thread.Sleep(r.Next(0, 2));
            }
        })).ToList();
        var churn = new Thread(() =>
        {
            var r = new Random(random.Next());
            while (!stop.IsCancellationRequested)
            {
                if (Syscalls.VcpuCreate(guest, 0, 0x8000, out uint ap) == ZxStatus.Ok)
                {
                    Thread.Sleep(r.Next(0, 2));
                    Syscalls.HandleClose(ap);
                }
            }
        });
        senders.ForEach(t => t.Start());
        churn.Start();
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (DateTime.UtcNow < end)
        {
            if (random.Next(3) == 0)
                Backend(0).Then(VcpuExitKind.Kicked);
            ZxStatus status = Resume(bsp, out ZxPortPacket packet);
            if (status == ZxStatus.Ok && packet.Type == ZxPacketType.GuestVcpu)
            {
                Assert.Equal(ZxPacketGuestVcpu.TypeStartup, packet.GuestVcpu.Type);
                Assert.InRange(packet.GuestVcpu.StartupId, 2ul, 3ul);
                Assert.Equal(0ul, packet.GuestVcpu.StartupEntry & 0xFFF);
                received++;
            }
        }
        stop.Cancel();
        senders.ForEach(t => t.Join());
        churn.Join();
        while (Volatile.Read(ref received) < Volatile.Read(ref sent))
        {
            Assert.Equal(ZxStatus.Ok, Resume(bsp, out ZxPortPacket packet));
            Assert.Equal(ZxPacketType.GuestVcpu, packet.Type);
            received++;
        }
        Assert.Equal(sent, received);
        Assert.True(sent > 0);
        Assert.All(Fake.LastGuest.Vcpus, v => Assert.Empty(v.Violations));
    }

    private static byte[] Bytes(ZxPortPacket packet)
    {
        var bytes = new byte[System.Runtime.InteropServices.Marshal.SizeOf<ZxPortPacket>()];
        System.Runtime.InteropServices.MemoryMarshal.Write(bytes, in packet);
        return bytes;
    }

    /// <summary>VCPUs 0..count-1, each created on its own thread and resuming there until kicked or closed.</summary>
    private sealed class RunningVcpus : IDisposable
    {
        private readonly uint[] _handles;
        private readonly ZxStatus[] _results;
        private readonly Thread[] _threads;

        public RunningVcpus(uint guest, int count)
        {
            _handles = new uint[count];
            _results = new ZxStatus[count];
            _threads = new Thread[count];
            for (int i = 0; i < count; i++)
            {
                int index = i;
                using var created = new ManualResetEventSlim();
                _threads[i] = new Thread(() =>
                {
                    ZxStatus status = Syscalls.VcpuCreate(guest, 0, 0x8000, out _handles[index]);
                    created.Set();
                    _results[index] = status != ZxStatus.Ok ? status : Syscalls.VcpuResume(_handles[index], out _);
                });
                _threads[i].Start();
                created.Wait();
            }
            FakeGuestBackend machine = ((FakeHypervisor)KernelContext.Hypervisor).LastGuest;
            foreach (uint id in Enumerable.Range(0, count).Select(i => (uint)i))
                Assert.True(SpinWait.SpinUntil(() => machine.Vcpus.Last(v => v.Id == id).InRun, TimeSpan.FromSeconds(10)));
        }

        public uint Handle(int id) => _handles[id];

        public ZxStatus WaitForResume(int id)
        {
            Assert.True(_threads[id].Join(TimeSpan.FromSeconds(10)), $"VCPU {id} still resuming");
            return _results[id];
        }

        public void Dispose()
        {
            foreach (uint handle in _handles)
                Syscalls.HandleClose(handle);
            foreach (Thread thread in _threads)
                thread.Join(TimeSpan.FromSeconds(10));
        }
    }
}
