using System.Collections.Concurrent;
using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary>
/// BELL writes that complete without a VCPU exit (BellDoorbells) on the fake hypervisor: the fake
/// plays KVM's ioeventfds, so each learned address counts writes and the kernel's delivery thread
/// turns them into packets under the trap's 256-packet budget.
/// </summary>
[Collection(FakeHypervisorCollection.Name)]
public class HypervisorBellDoorbellTests : FakeHypervisorTest
{
    private const uint Bell = (uint)ZxGuestTrap.Bell, Io = (uint)ZxGuestTrap.Io;
    private const ulong Page = ZxPage.Size;
    private const ulong TrapAddr = 0xFFE000;
    private const ulong Key = 0xB311;

    private sealed record BellGuest(uint Guest, uint Vcpu, FakeVcpuBackend Backend, FakeGuestBackend Machine, uint Port)
    {
        // Writes KVM completed through a doorbell, per address.
        public ConcurrentDictionary<ulong, int> Rung { get; } = new();

        // Writes that exited to the VCPU, per address.
        public ConcurrentDictionary<ulong, int> Exited { get; } = new();
    }

    private BellGuest GuestWithBell(bool doorbells = true)
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        FakeGuestBackend machine = Fake.LastGuest;
        machine.DoorbellsSupported = doorbells;
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Bell, TrapAddr, Page, port, Key));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x99, 1, ZxHandleValues.Invalid, 0)); // the "exit"
        return new BellGuest(guest, vcpu, backend, machine, port);
    }

    /// <summary>
    /// Plays a guest that writes to <paramref name="writes"/> in order, then does OUT 0x99: a write
    /// to an address with a doorbell completes "in KVM", any other exits to the kernel.
    /// </summary>
    private static void ScriptWrites(BellGuest g, IReadOnlyList<ulong> writes)
    {
        int next = 0;
        VcpuExit Step(FakeVcpuBackend v)
        {
            while (next < writes.Count)
            {
                ulong address = writes[next++];
                if (g.Machine.RingDoorbell(address))
                {
                    g.Rung.AddOrUpdate(address, 1, (_, n) => n + 1);
                    continue;
                }
                g.Exited.AddOrUpdate(address, 1, (_, n) => n + 1);
                v.Then(Step);
                return new VcpuExit(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(address, 4, IsWrite: true, Data: 0));
            }
            return new VcpuExit(VcpuExitKind.Io, Io: new VcpuIoAccess(0x99, 1, IsWrite: true, Count: 1, Data: 0));
        }
        g.Backend.Then(Step);
    }

    /// <summary>Reads BELL packets until <paramref name="expected"/> arrived or 10 s pass without one; counts them per address.</summary>
    private static TestThread StartReader(BellGuest g, int expected, ConcurrentDictionary<ulong, int> received) => TestThread.Start(() =>
    {
        int total = 0;
        while (total < expected && Syscalls.PortWait(g.Port, Syscalls.DeadlineAfter(10_000_000_000), out ZxPortPacket p) == ZxStatus.Ok)
        {
            Assert.Equal((Key, ZxPacketType.GuestBell, ZxStatus.Ok), (p.Key, p.Type, p.Status));
            received.AddOrUpdate(p.GuestBell.Addr, 1, (_, n) => n + 1);
            total++;
        }
    });

    private static void AssertNoPacketArrives(uint port)
    {
        Thread.Sleep(50);
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Syscalls.DeadlineAfter(50_000_000), out ZxPortPacket p));
    }

    private static void OnVcpuThread(Action body) => TestThread.Start(body).Join(seconds: 30);

    [Fact]
    public void FirstWriteExits_LaterWritesToThatAddressRingTheDoorbell_EachIsExactlyOnePacket_WithAReaderRacing()
    {
        OnVcpuThread(() =>
        {
            BellGuest g = GuestWithBell();
            const int Writes = 2000; // far more than the 256 a trap may have unread
            ulong address = TrapAddr + 0x28;
            var received = new ConcurrentDictionary<ulong, int>();
            TestThread reader = StartReader(g, Writes, received);
            ScriptWrites(g, Enumerable.Repeat(address, Writes).ToArray());
            Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
            reader.Join();
            Assert.Equal(Writes, received.GetValueOrDefault(address));
            Assert.Single(received);
            Assert.True(g.Exited[address] >= 1);
            Assert.True(g.Rung.GetValueOrDefault(address) > 0, "no write went through the doorbell");
            Assert.Equal(Writes, g.Exited[address] + g.Rung[address]);
            AssertNoPacketArrives(g.Port);
            Assert.Equal(address, g.Machine.DoorbellsAttached.First());
        });
    }

    [Fact]
    public void NoReader_BudgetRunsOut_DoorbellsDetach_TheVcpuWaitsForBudget_AndNoWriteIsLost()
    {
        OnVcpuThread(() =>
        {
            BellGuest g = GuestWithBell();
            ulong a = TrapAddr, b = TrapAddr + 0x800;
            var writes = new List<ulong>();
            for (int i = 0; i < 400; i++)
                writes.Add(i % 2 == 0 ? a : b);
            ScriptWrites(g, writes);
            var received = new ConcurrentDictionary<ulong, int>();
            var releaser = TestThread.Start(() =>
            {
                // 256 packets queued and the doorbells gone; the rest is counted in the backlog or, if
                // the guest was slower than the delivery thread, waits in a VCPU blocked on an exit.
                Zx.WaitUntil(() => PendingPackets(g.Port) == 256 && g.Machine.Doorbells.Count == 0);
                Thread.Sleep(50);
                Assert.Equal(256, PendingPackets(g.Port)); // never past the budget
                Assert.Empty(g.Machine.Doorbells);
                StartReader(g, writes.Count, received).Join();
            });
            Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
            releaser.Join();
            Assert.Equal((200, 200), (received.GetValueOrDefault(a), received.GetValueOrDefault(b)));
            Assert.True(g.Rung.Values.Sum() > 0);
            AssertNoPacketArrives(g.Port);
        });
    }

    [Fact]
    public void SeveralAddressesInOneTrap_EachIsLearned_AndEachGetsExactlyItsWrites()
    {
        OnVcpuThread(() =>
        {
            BellGuest g = GuestWithBell();
            ulong[] addresses = [TrapAddr, TrapAddr + 4, TrapAddr + 0x100, TrapAddr + 0x7F8, TrapAddr + 0xFFC];
            const int Rounds = 150;
            var writes = new List<ulong>();
            for (int i = 0; i < Rounds; i++)
                writes.AddRange(addresses);
            var received = new ConcurrentDictionary<ulong, int>();
            TestThread reader = StartReader(g, writes.Count, received);
            ScriptWrites(g, writes);
            Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
            reader.Join();
            foreach (ulong address in addresses)
                Assert.Equal(Rounds, received.GetValueOrDefault(address));
            Assert.Equal(addresses.Order(), g.Machine.DoorbellsAttached.Distinct().Order());
            AssertNoPacketArrives(g.Port);
        });
    }

    [Fact]
    public void AtMost64DoorbellsPerGuest_FurtherAddressesKeepExiting_AndStillGetTheirPackets()
    {
        BellGuest g = GuestWithBell();
        ulong[] addresses = Enumerable.Range(0, BellDoorbells.MaxDoorbells + 6).Select(i => TrapAddr + (ulong)i * 8).ToArray();
        ScriptWrites(g, [.. addresses, .. addresses]);
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
        Assert.Equal(BellDoorbells.MaxDoorbells, g.Machine.Doorbells.Count);
        Assert.Equal(addresses.Take(BellDoorbells.MaxDoorbells), g.Machine.Doorbells);
        Zx.WaitUntil(() => PendingPackets(g.Port) == 2 * addresses.Length);
        List<ZxPortPacket> packets = Drain(g.Port);
        Assert.All(addresses, a => Assert.Equal(2, packets.Count(p => p.GuestBell.Addr == a)));
        Assert.Equal(6, g.Exited.Count(e => e.Value == 2)); // the addresses past the cap exited both times
    }

    [Fact]
    public void HostWithoutDoorbells_EveryWriteExits_AndTheKernelAsksOnce()
    {
        BellGuest g = GuestWithBell(doorbells: false);
        ScriptWrites(g, Enumerable.Repeat(TrapAddr, 10).Concat(Enumerable.Repeat(TrapAddr + 8, 10)).ToArray());
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
        Assert.Equal(20, Drain(g.Port).Count);
        Assert.Equal(20, g.Exited.Values.Sum());
        Assert.Equal(1, g.Machine.AttachRequests);
    }

    [Fact]
    public void HostOutOfRoom_WritesKeepExiting_AndStillGetTheirPackets()
    {
        BellGuest g = GuestWithBell();
        g.Machine.AttachDoorbellStatus = ZxStatus.ErrNoResources;
        ScriptWrites(g, Enumerable.Repeat(TrapAddr, 10).ToArray());
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
        Assert.Equal(10, Drain(g.Port).Count);
        Assert.Equal(10, g.Exited.Values.Sum());
        Assert.Equal(1, g.Machine.AttachRequests); // refused: not asked again until a doorbell detaches
    }

    [Fact]
    public void PortClosedMidStream_DoorbellsDetachAtOnce_TheNextWriteIsBadState_AndTheResumeAfterContinues()
    {
        BellGuest g = GuestWithBell();
        ScriptWrites(g, Enumerable.Repeat(TrapAddr + 0x10, 50).ToArray());
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
        Assert.Equal([TrapAddr + 0x10], g.Machine.Doorbells);
        Close(g.Port);
        Assert.Empty(g.Machine.Doorbells);
        ScriptWrites(g, [TrapAddr + 0x10]);
        Assert.Equal(ZxStatus.ErrBadState, Resume(g.Vcpu, out _));
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
        Assert.Empty(g.Machine.Doorbells); // not learned again for a port with no handles
        Assert.Empty(g.Machine.Violations);
    }

    [Fact]
    public void GuestDestroyedWhileWritesAreCounted_DoorbellsDetachBeforeTheMachineGoes_AndNoPacketArrivesAfter()
    {
        BellGuest g = GuestWithBell();
        ScriptWrites(g, [TrapAddr]);
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
        using var stop = new CancellationTokenSource();
        var ringer = TestThread.Start(() =>
        {
            while (!stop.IsCancellationRequested && g.Machine.RingDoorbell(TrapAddr))
            {
            }
        });
        Zx.WaitUntil(() => PendingPackets(g.Port) > 10);
        Close(g.Vcpu);
        Close(g.Guest);
        Assert.True(g.Machine.IsDisposed);
        Assert.Empty(g.Machine.Doorbells);
        stop.Cancel();
        ringer.Join();
        Assert.Equal(0, PendingPackets(g.Port));
        AssertNoPacketArrives(g.Port);
        Assert.Empty(g.Machine.Violations);
    }

    [Fact]
    public void Race_BellWritesPortReadsAndClosesInRandomOrder_KeepEveryInvariant()
    {
        var random = new Random(0xBE11);
        for (int round = 0; round < 30; round++)
        {
            int seed = random.Next();
            OnVcpuThread(() => RaceRound(new Random(seed)));
        }
    }

    // One round: a VCPU learns a few addresses, then ringers (playing VCPUs inside KVM), a reader and
    // a closer run at once. Invariants: no packet for an address beyond its writes; once the guest
    // is gone nothing is queued or arrives; with nothing closed every write has exactly one packet;
    // the fake saw no doorbell used after detach or left attached.
    private void RaceRound(Random random)
    {
        BellGuest g = GuestWithBell();
        ulong[] addresses = Enumerable.Range(0, random.Next(1, 5)).Select(i => TrapAddr + (ulong)i * 0x40).ToArray();
        ScriptWrites(g, addresses);
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(g.Vcpu).Type);
        var rung = new ConcurrentDictionary<ulong, int>();
        foreach (ulong a in addresses)
            rung[a] = 1; // the learning write
        int perRinger = random.Next(50, 700);
        var ringers = Enumerable.Range(0, random.Next(1, 4)).Select(r => TestThread.Start(() =>
        {
            var local = new Random(r * 7919 + perRinger);
            for (int i = 0; i < perRinger; i++)
            {
                ulong a = addresses[local.Next(addresses.Length)];
                // A write whose doorbell is gone (budget pause, close) would exit; the VCPU is idle here, so it is not made.
                if (g.Machine.RingDoorbell(a))
                    rung.AddOrUpdate(a, 1, (_, n) => n + 1);
                if (local.Next(50) == 0)
                    Thread.Yield();
            }
        })).ToArray();
        var received = new ConcurrentDictionary<ulong, int>();
        bool readerRuns = random.Next(4) != 0;
        TestThread? reader = readerRuns ? TestThread.Start(() =>
        {
            while (Syscalls.PortWait(g.Port, Syscalls.DeadlineAfter(100_000_000), out ZxPortPacket p) == ZxStatus.Ok)
            {
                Assert.Equal((Key, ZxPacketType.GuestBell), (p.Key, p.Type));
                received.AddOrUpdate(p.GuestBell.Addr, 1, (_, n) => n + 1);
            }
        }) : null;
        int action = random.Next(3); // 0: close nothing, 1: close the port, 2: destroy the guest
        if (action != 0)
            Thread.Sleep(random.Next(0, 5));
        if (action == 1)
            Close(g.Port);
        if (action == 2)
        {
            Close(g.Vcpu);
            Close(g.Guest);
            Assert.Empty(g.Machine.Doorbells);
            Assert.Equal(0, PendingPackets(g.Port));
        }
        foreach (TestThread ringer in ringers)
            ringer.Join();
        reader?.Join();
        if (action == 1)
        {
            Assert.Empty(g.Machine.Doorbells);
            return;
        }
        List<ZxPortPacket> rest = Drain(g.Port);
        foreach (ZxPortPacket p in rest)
            received.AddOrUpdate(p.GuestBell.Addr, 1, (_, n) => n + 1);
        foreach (ulong a in addresses)
            Assert.True(received.GetValueOrDefault(a) <= rung[a], $"more packets than writes at {a:x}");
        if (action == 2)
        {
            AssertNoPacketArrives(g.Port);
            Assert.True(g.Machine.IsDisposed);
            Assert.Empty(g.Machine.Violations);
            return;
        }
        // Nothing closed: every counted write becomes its packet, even past the budget (the drain above
        // made room; wait for the backlog to follow).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (addresses.Any(a => received.GetValueOrDefault(a) < rung[a]) && DateTime.UtcNow < deadline)
        {
            if (Syscalls.PortWait(g.Port, Syscalls.DeadlineAfter(10_000_000), out ZxPortPacket p) == ZxStatus.Ok)
                received.AddOrUpdate(p.GuestBell.Addr, 1, (_, n) => n + 1);
        }
        foreach (ulong a in addresses)
            Assert.Equal(rung[a], received.GetValueOrDefault(a));
        AssertNoPacketArrives(g.Port);
        Close(g.Vcpu);
        Close(g.Guest);
        Assert.Empty(g.Machine.Violations);
    }
}
