using System.Buffers.Binary;
using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary>
/// <c>zx_vcpu_resume</c> on the fake hypervisor: how scripted exits become packets or errors,
/// and how pending interrupts are injected.
/// </summary>
[Collection(FakeHypervisorCollection.Name)]
public class HypervisorResumeTests : FakeHypervisorTest
{
    private const uint Bell = (uint)ZxGuestTrap.Bell, Mem = (uint)ZxGuestTrap.Mem, Io = (uint)ZxGuestTrap.Io;
    private const ulong Page = ZxPage.Size;
    private const ulong TrapAddr = 0xFFE000, ExitAddr = 0xFFF000;

    // ---- IO ----

    [Fact]
    public void IoOut_BecomesAGuestIoPacket_WithPortSizeDataAndKey()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 8, ZxHandleValues.Invalid, 77));
        backend.ThenIo(0x11, 1, isWrite: true, data: 0xFFFF_FFAB)
            .ThenIo(0x12, 2, isWrite: true, data: 0xFFFF_1234)
            .ThenIo(0x17, 4, isWrite: true, data: 0xDEAD_BEEF);

        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal((77ul, ZxPacketType.GuestIo, ZxStatus.Ok), (p.Key, p.Type, p.Status));
        Assert.Equal(((ushort)0x11, (byte)1, false, 0xABu), (p.GuestIo.Port, p.GuestIo.AccessSize, p.GuestIo.Input, p.GuestIo.U32));
        Assert.Equal((0ul, 0ul, 0ul), (p.GuestIo.Reserved0, p.GuestIo.Reserved1, p.GuestIo.Reserved2));
        p = ResumeOk(vcpu);
        Assert.Equal(((ushort)0x12, (byte)2, 0x1234u), (p.GuestIo.Port, p.GuestIo.AccessSize, p.GuestIo.U32));
        p = ResumeOk(vcpu);
        Assert.Equal(((ushort)0x17, (byte)4, 0xDEAD_BEEFu), (p.GuestIo.Port, p.GuestIo.AccessSize, p.GuestIo.U32));
        AssertNoViolations(backend);
    }

    [Fact]
    public void IoIn_IsCompletedAtTheExit_AndZxVcpuIoSetsTheLowBytesOfRax()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x60, 1, ZxHandleValues.Invalid, 5));
        backend.ThenIo(0x60, 2, isWrite: false).ThenIo(0x60, 4, isWrite: false).Then(VcpuExitKind.EntryFailure);

        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal((5ul, ZxPacketType.GuestIo, (ushort)0x60, (byte)2, true, 0u),
            (p.Key, p.Type, p.GuestIo.Port, p.GuestIo.AccessSize, p.GuestIo.Input, p.GuestIo.U32));
        backend.RawRegisters.Rax = 0xFFFF_FFFF_FFFF_0000;
        Assert.Equal(ZxStatus.Ok, WriteIo(vcpu, 2, 0xBEEF));
        Assert.Equal(0xFFFF_FFFF_FFFF_BEEFul, backend.RawRegisters.Rax);
        p = ResumeOk(vcpu);
        Assert.Equal(4, p.GuestIo.AccessSize);
        Assert.Equal(ZxStatus.Ok, WriteIo(vcpu, 4, 0x1234_5678));
        Assert.Equal(0x1234_5678ul, backend.RawRegisters.Rax); // a 4-byte IN clears RAX at the exit, as on Zircon
        Assert.Equal(ZxStatus.ErrBadState, Resume(vcpu, out _));
        Assert.Equal(["complete", "complete"], backend.Events);
        AssertNoViolations(backend);
    }

    [Fact]
    public void IoWithoutTrap_IsNotFound()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        backend.ThenIo(0x11, 1, isWrite: true);
        Assert.Equal(ZxStatus.ErrNotFound, Resume(vcpu, out _));
    }

    [Fact]
    public void IoWithoutTrap_PacketDescribesThePortAndTheGuestRip()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        backend.RawRegisters.Rip = 0x10_0042;
        backend.ThenIo(0x80, 1, isWrite: true, data: 0x1234_56AB);

        Assert.Equal(ZxStatus.ErrNotFound, Resume(vcpu, out ZxPortPacket packet));

        Assert.Equal(ZxPacketType.GuestIo, packet.Type);
        Assert.Equal(0x10_0042UL, packet.Key);
        Assert.Equal(0x80, packet.GuestIo.Port);
        Assert.Equal(1, packet.GuestIo.AccessSize);
        Assert.False(packet.GuestIo.Input);
        Assert.Equal(0xABu, packet.GuestIo.U32);
    }

    [Fact]
    public void MmioWithoutTrap_PacketDescribesTheAddressAndTheGuestRip()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        backend.RawRegisters.Rip = 0x20_0010;
        backend.ThenMmio(0x2000_0008, 4, isWrite: false).ThenMmio(1UL << 48, 8, isWrite: true);

        Assert.Equal(ZxStatus.ErrNotFound, Resume(vcpu, out ZxPortPacket packet));
        Assert.Equal(ZxPacketType.GuestMem, packet.Type);
        Assert.Equal(0x2000_0008UL, packet.GuestMem.Addr);
        Assert.Equal(0x20_0010UL, packet.Key);

        Assert.Equal(ZxStatus.ErrOutOfRange, Resume(vcpu, out packet));
        Assert.Equal(1UL << 48, packet.GuestMem.Addr);
    }

    [Fact]
    public void IoStringOrRep_IsNotSupported_TrappedOrNot()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        backend.ThenIo(0x10, 1, isWrite: true, count: 4).ThenIo(0x80, 1, isWrite: false, count: 2);
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        // Zircon rejects string/REP forms before it looks for a trap.
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
    }

    // ---- MEM ----

    private static readonly byte[] s_exitInstruction = [0x48, 0xC7, 0x04, 0x25, 0x00, 0xF0, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00];

    [Fact]
    public void MemWrite_BecomesAGuestMemPacket_WithTheWholeInstruction()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(s_exitInstruction);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, ExitAddr, Page, ZxHandleValues.Invalid, 9));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = 0x2000 + 12; // a write exit leaves RIP past the instruction
            return new VcpuExit(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(ExitAddr, 8, true, 0));
        });
        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal((9ul, ZxPacketType.GuestMem, ZxStatus.Ok, ExitAddr), (p.Key, p.Type, p.Status, p.GuestMem.Addr));
        Assert.Equal(12, p.GuestMem.InstLen);
        Assert.Equal(s_exitInstruction, ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..12].ToArray());
        Assert.All(((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[12..].ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(4, p.GuestMem.DefaultOperandSize);
        Assert.All(((ReadOnlySpan<byte>)p.GuestMem.Reserved).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void MemRead_AtRip_IsReportedWithItsLength()
    {
        byte[] load = [0x8B, 0x0C, 0x25, 0x10, 0xE0, 0xFF, 0x00]; // mov ecx, [0xFFE010]
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(load);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, TrapAddr, Page, ZxHandleValues.Invalid, 1));
        backend.ThenMmio(TrapAddr + 0x10, 4, isWrite: false);
        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal((TrapAddr + 0x10, (byte)7), (p.GuestMem.Addr, p.GuestMem.InstLen));
        Assert.Equal(load, ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..7].ToArray());
    }

    [Theory]
    [InlineData(false, 2)]
    [InlineData(true, 4)]
    public void MemExit_OutsideLongMode_DefaultOperandSizeFollowsCsD(bool codeDefault32, byte expected)
    {
        byte[] store = codeDefault32
            ? [0xC7, 0x05, 0x00, 0xE0, 0xFF, 0x00, 0x01, 0x00, 0x00, 0x00]   // mov dword [0xFFE000], 1
            : [0x67, 0x66, 0xC7, 0x05, 0x00, 0xE0, 0xFF, 0x00, 0x01, 0x00, 0x00, 0x00];
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(store);
        backend.Control = new GuestControlState(Cr0: 0x11, Cr3: 0, Cr4: 0, Efer: 0, CodeBase: 0, CodeLong: false, CodeDefault32: codeDefault32);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, TrapAddr, Page, ZxHandleValues.Invalid, 1));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = 0x2000 + (ulong)store.Length;
            return new VcpuExit(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(TrapAddr, 4, true, 1));
        });
        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal(expected, p.GuestMem.DefaultOperandSize);
        Assert.Equal(store.Length, p.GuestMem.InstLen);
    }

    [Fact]
    public void MemWrite_WhenTheByteBeforeTheStoreMakesALongerMatch_TheStoreWhoseValueIsTheDataWins()
    {
        // Real-mode code: mov ax, 0x1234; out 0x11, al; mov [0xE000], ax. Read backwards from RIP,
        // "11 A3 00 E0" (adc [bp+di-0x2000], sp) also ends at RIP and addresses 0xE000 with BP = DI = 0.
        byte[] code = [0xB8, 0x34, 0x12, 0xE6, 0x11, 0xA3, 0x00, 0xE0];
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(code);
        backend.Control = new GuestControlState(Cr0: 0x10, Cr3: 0, Cr4: 0, Efer: 0, CodeBase: 0, CodeLong: false, CodeDefault32: false);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, 0xE000, Page, ZxHandleValues.Invalid, 1));
        backend.Then(b =>
        {
            b.RawRegisters.Rax = 0x1234;
            b.RawRegisters.Rip = 0x2000 + (ulong)code.Length;
            return new VcpuExit(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(0xE000, 2, true, 0x1234));
        });
        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal(2, p.GuestMem.DefaultOperandSize);
        Assert.Equal(new byte[] { 0xA3, 0x00, 0xE0 }, ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..p.GuestMem.InstLen].ToArray());
    }

    [Fact]
    public void MmioWithoutTrap_IsNotFound_BeyondTheAddressSpace_OutOfRange()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        backend.ThenMmio(0x2000_0000, 8, isWrite: true).ThenMmio(1UL << 48, 8, isWrite: true).ThenMmio(ulong.MaxValue - 7, 8, isWrite: false);
        Assert.Equal(ZxStatus.ErrNotFound, Resume(vcpu, out _));
        Assert.Equal(ZxStatus.ErrOutOfRange, Resume(vcpu, out _));
        Assert.Equal(ZxStatus.ErrOutOfRange, Resume(vcpu, out _));
    }

    // ---- other exits ----

    [Fact]
    public void TripleFault_EmulationFailure_AndUnknownExits_AreNotSupported_EntryFailureIsBadState()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        backend.Then(VcpuExitKind.TripleFault).Then(VcpuExitKind.EmulationFailure).Then(VcpuExitKind.Other).Then(VcpuExitKind.EntryFailure);
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        Assert.Equal(ZxStatus.ErrBadState, Resume(vcpu, out _));
        AssertNoViolations(backend);
    }

    [Fact]
    public void VcpuFaultInfo_NamesTheReasonAndGuestRip_OfTheLastFailedResume()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxVcpuFaultReason.None, ReadFault(vcpu).Reason);
        backend.Then(b => { b.RawRegisters.Rip = 0xFFFF_FFFF_8100_1234; return new VcpuExit(VcpuExitKind.EmulationFailure); })
            .Then(b => { b.RawRegisters.Rip = 0x7000; return new VcpuExit(VcpuExitKind.TripleFault); })
            .Then(b => { b.RawRegisters.Rip = 0x42; return new VcpuExit(VcpuExitKind.EntryFailure); });
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        ZxInfoVcpuFault fault = ReadFault(vcpu);
        Assert.Equal(ZxVcpuFaultReason.EmulationFailure, fault.Reason);
        Assert.Equal(0xFFFF_FFFF_8100_1234UL, fault.Rip);
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        Assert.Equal((ZxVcpuFaultReason.TripleFault, 0x7000UL), (ReadFault(vcpu).Reason, ReadFault(vcpu).Rip));
        Assert.Equal(ZxStatus.ErrBadState, Resume(vcpu, out _));
        Assert.Equal((ZxVcpuFaultReason.EntryFailure, 0x42UL), (ReadFault(vcpu).Reason, ReadFault(vcpu).Rip));
    }

    [Fact]
    public void VcpuFaultInfo_OnANonVcpu_IsWrongType_WithoutInspect_AccessDenied()
    {
        (uint guest, uint vcpu, _) = CreateGuestWithVcpu();
        var buffer = new byte[16];
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.ObjectGetInfo(guest, ZxInfoTopic.VcpuFault, buffer, out _, out _));
        Assert.Equal(ZxStatus.ErrBufferTooSmall, Syscalls.ObjectGetInfo(vcpu, ZxInfoTopic.VcpuFault, new byte[8], out _, out _));
        Assert.Equal(ZxStatus.Ok, Syscalls.HandleDuplicate(vcpu, ZxRights.Execute, out uint noInspect));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.ObjectGetInfo(noInspect, ZxInfoTopic.VcpuFault, buffer, out _, out _));
        Syscalls.HandleClose(noInspect);
    }

    private static ZxInfoVcpuFault ReadFault(uint vcpu)
    {
        var buffer = new byte[16];
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectGetInfo(vcpu, ZxInfoTopic.VcpuFault, buffer, out nuint actual, out _));
        Assert.Equal(1u, (uint)actual);
        return new ZxInfoVcpuFault { Reason = BinaryPrimitives.ReadUInt32LittleEndian(buffer), Rip = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(8)) };
    }

    [Fact]
    public void KicksAndInterruptWindows_AreHandledInside_Resume()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        backend.Then(VcpuExitKind.Kicked).Then(VcpuExitKind.InterruptWindow).Then(VcpuExitKind.Kicked).ThenIo(0x10, 1, true);
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type);
        Assert.Equal(4, backend.Runs);
    }

    // ---- BELL traps ----

    private (uint Guest, uint Vcpu, FakeVcpuBackend Backend, uint Port) GuestWithBell(ulong key = 0x5150)
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Bell, TrapAddr, Page, port, key));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x99, 1, ZxHandleValues.Invalid, 0)); // the "exit"
        return (guest, vcpu, backend, port);
    }

    [Fact]
    public void BellWrite_QueuesAPortPacket_AndTheVcpuContinues()
    {
        (_, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell();
        backend.ThenMmio(TrapAddr + 0x18, 4, isWrite: true, data: 7).ThenIo(0x99, 1, true);
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type); // the BELL did not stop resume
        Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, ZxTime.InfinitePast, out ZxPortPacket p));
        Assert.Equal((0x5150ul, ZxPacketType.GuestBell, ZxStatus.Ok, TrapAddr + 0x18), (p.Key, p.Type, p.Status, p.GuestBell.Addr));
        Assert.Equal((0ul, 0ul, 0ul), (p.GuestBell.Reserved0, p.GuestBell.Reserved1, p.GuestBell.Reserved2));
    }

    [Fact]
    public void BellRead_IsNotSupported()
    {
        (_, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell();
        backend.ThenMmio(TrapAddr, 8, isWrite: false);
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        Assert.Equal(0, PendingPackets(port));
    }

    [Fact]
    public void Bell_256UnreadPackets_BlockTheVcpu_UntilOneIsRead()
    {
        OnVcpuThread(() =>
        {
            (_, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell();
            for (int i = 0; i <= 256; i++)
                backend.ThenMmio(TrapAddr + (ulong)i * 8 % Page, 8, isWrite: true);
            backend.ThenIo(0x99, 1, true);

            // Resume runs here, on the VCPU's thread; another thread reads a packet to release it.
            var reader = TestThread.Start(() =>
            {
                Zx.WaitUntil(() => PendingPackets(port) == 256 && backend.ScriptedStepsLeft == 1);
                Thread.Sleep(50);
                Assert.Equal(256, PendingPackets(port)); // the 257th write is waiting for budget
                Assert.Equal(1, backend.ScriptedStepsLeft);
                Assert.Equal(ZxStatus.Ok, Syscalls.PortWait(port, ZxTime.InfinitePast, out ZxPortPacket first));
                Assert.Equal(TrapAddr, first.GuestBell.Addr);
            });
            ZxStatus status = Resume(vcpu, out ZxPortPacket exit);
            reader.Join();
            Assert.Equal(ZxStatus.Ok, status);
            Assert.Equal(ZxPacketType.GuestIo, exit.Type);
            List<ZxPortPacket> rest = Drain(port);
            Assert.Equal(256, rest.Count);
            Assert.All(rest, p => Assert.Equal(ZxPacketType.GuestBell, p.Type));
            Assert.Equal((256 * 8) % Page + TrapAddr, rest[^1].GuestBell.Addr);
        });
    }

    [Fact]
    public void Bell_PacketsHandedStraightToAWaiter_DoNotUseUpTheBudget()
    {
        OnVcpuThread(() =>
        {
            (_, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell();
            const int Writes = 600;
            int received = 0;
            var reader = TestThread.Start(() =>
            {
                while (received < Writes && Syscalls.PortWait(port, Syscalls.DeadlineAfter(10_000_000_000), out _) == ZxStatus.Ok)
                    received++;
            });
            for (int i = 0; i < Writes; i++)
                backend.ThenMmio(TrapAddr, 8, isWrite: true);
            backend.ThenIo(0x99, 1, true);
            Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type);
            reader.Join();
            Assert.Equal(Writes, received);
        });
    }

    [Fact]
    public void Bell_PortWithNoHandles_ResumeIsBadState_AndTheNextResumeContinues()
    {
        (_, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell();
        Close(port);
        backend.ThenMmio(TrapAddr, 8, isWrite: true).ThenIo(0x99, 1, true);
        Assert.Equal(ZxStatus.ErrBadState, Resume(vcpu, out _));
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type);
    }

    [Fact]
    public void Bell_PortClosedWithTheBudgetUsedUp_ResumeIsBadState_NotAHang()
    {
        // On its own thread, so a kernel that waits forever for budget fails the test instead of hanging it.
        OnVcpuThread(() =>
        {
            (_, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell();
            for (int i = 0; i < 256; i++)
                backend.ThenMmio(TrapAddr, 8, isWrite: true);
            backend.ThenIo(0x99, 1, true);
            Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type);
            Assert.Equal(256, PendingPackets(port));
            Close(port); // the unread packets go with the port
            backend.ThenMmio(TrapAddr, 8, isWrite: true).ThenIo(0x99, 1, true);
            Assert.Equal(ZxStatus.ErrBadState, Resume(vcpu, out _));
            Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type);
        });
    }

    /// <summary>Runs <paramref name="body"/> on a new thread (its VCPUs belong to it); fails if it takes over 10 s.</summary>
    private static void OnVcpuThread(Action body) => TestThread.Start(body).Join(seconds: 10);

    [Fact]
    public void Bell_VcpuWaitingForBudget_IsReleasedByZxVcpuKickAndByClosingIt()
    {
        OnVcpuThread(() =>
        {
            (_, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell();
            for (int i = 0; i < 257; i++)
                backend.ThenMmio(TrapAddr, 8, isWrite: true);
            var kicker = TestThread.Start(() =>
            {
                Zx.WaitUntil(() => PendingPackets(port) == 256 && backend.ScriptedStepsLeft == 0);
                Thread.Sleep(30);
                Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(vcpu));
            });
            Assert.Equal(ZxStatus.ErrCanceled, Resume(vcpu, out _));
            kicker.Join();

            // The kick was used up; block again and close the VCPU this time.
            backend.ThenMmio(TrapAddr, 8, isWrite: true);
            var closer = TestThread.Start(() =>
            {
                Zx.WaitUntil(() => backend.ScriptedStepsLeft == 0);
                Thread.Sleep(30);
                Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(vcpu));
            });
            Assert.Equal(ZxStatus.ErrCanceled, Resume(vcpu, out _));
            closer.Join();
            Assert.True(backend.IsReleased);
            Assert.Equal(256, PendingPackets(port));
            AssertNoViolations(backend);
        });
    }

    [Fact]
    public void Bell_GuestGone_RemovesItsPacketsFromThePort_UserPacketsWithTheSameKeyStay()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell(key: 42);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(42, fill: 1)));
        backend.ThenMmio(TrapAddr, 8, isWrite: true).ThenMmio(TrapAddr + 8, 8, isWrite: true).ThenIo(0x99, 1, true);
        ResumeOk(vcpu);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(42, fill: 2)));
        Assert.Equal(4, PendingPackets(port));

        Close(guest);
        Assert.Equal(4, PendingPackets(port)); // the VCPU still holds the guest
        Close(vcpu);
        List<ZxPortPacket> left = Drain(port);
        Assert.Equal([ZxPacketType.User, ZxPacketType.User], left.Select(p => p.Type));
        Assert.Equal([1, 2], left.Select(p => (int)p.User[0]));
    }

    [Fact]
    public void Bell_VcpuClosedFirst_PacketsStayUntilTheGuestHandleGoes()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell(key: 43);
        backend.ThenMmio(TrapAddr, 8, isWrite: true).ThenIo(0x99, 1, true);
        ResumeOk(vcpu);
        Close(vcpu);
        Assert.Equal(1, PendingPackets(port));
        Close(guest);
        Assert.Equal(0, PendingPackets(port));
    }

    [Fact]
    public void Bell_PortFullOfUserPackets_StillGetsTheBellPacket()
    {
        (_, uint vcpu, FakeVcpuBackend backend, uint port) = GuestWithBell(key: 7);
        int queued = 0;
        while (Syscalls.PortQueue(port, Zx.UserPacket(1000 + (ulong)queued)) == ZxStatus.Ok)
        {
            queued++;
            Assert.True(queued < 10_000, "zx_port_queue never said SHOULD_WAIT");
        }
        Assert.Equal(ZxStatus.ErrShouldWait, Syscalls.PortQueue(port, Zx.UserPacket(1)));
        backend.ThenMmio(TrapAddr + 0x40, 8, isWrite: true).ThenIo(0x99, 1, true);
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type);
        List<ZxPortPacket> packets = Drain(port);
        Assert.Equal(queued + 1, packets.Count);
        Assert.Equal((7ul, ZxPacketType.GuestBell, TrapAddr + 0x40), (packets[^1].Key, packets[^1].Type, packets[^1].GuestBell.Addr));
    }

    // ---- interrupts ----

    [Fact]
    public void Interrupt_VectorAbove255_IsOutOfRange()
    {
        (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.VcpuInterrupt(vcpu, 256));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.VcpuInterrupt(vcpu, uint.MaxValue));
        Assert.Equal(0, backend.Kicks);
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 255));
    }

    [Fact]
    public void Interrupts_AreInjectedOnePerEntry_NmiFirst_ThenTheHighestVector()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        foreach (uint v in new uint[] { 32, 200, 2, 40 })
            Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, v));
        // Each Kick made the next Run return at once; then one IO exit per entry.
        backend.ThenIo(0x10, 1, true).ThenIo(0x10, 1, true).ThenIo(0x10, 1, true).ThenIo(0x10, 1, true).ThenIo(0x10, 1, true);
        for (int i = 0; i < 5; i++)
            ResumeOk(vcpu);
        Assert.Equal(["nmi", "irq 200", "irq 40", "irq 32"], backend.Events);
    }

    [Fact]
    public void Interrupt_BeatsPendingExceptions_WhichAreThenDropped()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 16));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 32));
        backend.ThenIo(0x10, 1, true).ThenIo(0x10, 1, true);
        ResumeOk(vcpu);
        ResumeOk(vcpu);
        Assert.Equal(["irq 32"], backend.Events);
    }

    [Fact]
    public void Exceptions_CarryAnErrorCodeExactlyFor8_10To14_17()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        var expected = new List<string>();
        for (uint v = 0; v <= 20; v++)
        {
            if (v == 2)
                continue;
            Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, v));
            backend.ThenIo(0x10, 1, true);
            ResumeOk(vcpu);
            expected.Add(v is 8 or (>= 10 and <= 14) or 17 ? $"exc {v} ec=0" : $"exc {v}");
        }
        Assert.Equal(expected, backend.Events);
    }

    [Fact]
    public void ReservedVector_MakesResumeNotSupported_Once()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 21));
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        backend.ThenIo(0x10, 1, true);
        ResumeOk(vcpu);
        Assert.Empty(backend.Events);
    }

    [Fact]
    public void ExternalInterrupt_WhileTheGuestCannotTakeIt_WaitsForTheInterruptWindow()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        backend.InterruptsEnabled = false;
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 48));
        backend.ThenIo(0x10, 1, true);
        ResumeOk(vcpu); // IF=0 throughout: nothing injected, a window requested
        Assert.Empty(backend.Events);
        Assert.True(backend.InterruptWindowRequested);
        backend.Then(b =>
        {
            b.InterruptsEnabled = true; // the guest executed STI
            return new VcpuExit(VcpuExitKind.InterruptWindow);
        }).ThenIo(0x10, 1, true);
        ResumeOk(vcpu);
        Assert.Equal(["irq 48"], backend.Events);
        Assert.False(backend.InterruptWindowRequested);
        AssertNoViolations(backend);
    }

    [Fact]
    public void Halt_BlocksResume_UntilAnInterruptArrivesFromAnotherThread()
    {
        OnVcpuThread(() =>
        {
            (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
            Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
            backend.Then(VcpuExitKind.Halt).ThenIo(0x10, 1, true);
            var injector = TestThread.Start(() =>
            {
                Zx.WaitUntil(() => backend.ScriptedStepsLeft == 1);
                Thread.Sleep(30);
                Assert.Equal(1, backend.ScriptedStepsLeft); // still halted
                Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 64));
            });
            ResumeOk(vcpu);
            injector.Join();
            Assert.Equal(["irq 64"], backend.Events);
        });
    }

    [Fact]
    public void InterruptFromAnotherThread_WhileTheGuestRuns_IsInjectedWithoutReturning()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        var injector = TestThread.Start(() =>
        {
            Zx.WaitUntil(() => backend.InRun);
            Assert.Equal(ZxStatus.Ok, Syscalls.VcpuInterrupt(vcpu, 33)); // kicks Run out; resume re-enters
            Zx.WaitUntil(() => backend.Events.Count == 1);
            backend.ThenIo(0x10, 1, true);
        });
        ResumeOk(vcpu); // nothing scripted yet: the guest "runs" until kicked
        injector.Join();
        Assert.Equal(["irq 33"], backend.Events);
        AssertNoViolations(backend);
    }

    // ---- zx_vcpu_kick ----

    [Fact]
    public void Kick_EndsARunningResumeWithCanceled_Once_AndNeedsExecute()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
        var kicker = TestThread.Start(() =>
        {
            Zx.WaitUntil(() => backend.InRun);
            Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(vcpu));
        });
        Assert.Equal(ZxStatus.ErrCanceled, Resume(vcpu, out _));
        kicker.Join();
        backend.ThenIo(0x10, 1, true);
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type); // used up

        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuKick(vcpu)); // before a resume: that resume returns at once
        Assert.Equal(ZxStatus.ErrCanceled, Resume(vcpu, out _));
        uint signalOnly = Track(Zx.Duplicate(vcpu, ZxRights.Signal));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VcpuKick(signalOnly));
        AssertNoViolations(backend);
    }

    // ---- closing while running ----

    [Fact]
    public void ClosingTheVcpuFromAnotherThread_WhileResumeRuns_EndsResume_AndDisposesAfterTheRun()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
        FakeGuestBackend machine = Fake.LastGuest;
        var closer = TestThread.Start(() =>
        {
            Zx.WaitUntil(() => backend.InRun);
            Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(vcpu));
        });
        ZxStatus status = Resume(vcpu, out _);
        closer.Join();
        Assert.Equal(ZxStatus.ErrCanceled, status);
        Assert.True(backend.IsReleased);
        AssertNoViolations(backend);
        Close(guest);
        Assert.True(machine.IsDisposed);
        // The thread may create a VCPU again.
        CreateVcpu(CreateGuest());
    }

    [Fact]
    public void ClosingTheVcpuFromAnotherThread_WhileHalted_EndsResume()
    {
        OnVcpuThread(() =>
        {
            (_, uint vcpu, FakeVcpuBackend backend) = CreateGuestWithVcpu();
            backend.Then(VcpuExitKind.Halt);
            var closer = TestThread.Start(() =>
            {
                Zx.WaitUntil(() => backend.ScriptedStepsLeft == 0 && !backend.InRun);
                Thread.Sleep(20);
                Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(vcpu));
            });
            Assert.Equal(ZxStatus.ErrCanceled, Resume(vcpu, out _));
            closer.Join();
            Assert.True(backend.IsReleased);
            AssertNoViolations(backend);
        });
    }
}
