using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary>
/// Issue 8 items 4 and 7, with the exits KVM produces (kvm_run as KVM fills it, replayed by the
/// fake): accesses KVM splits into MMIO fragments (a store across a page end, a 16-byte movdqu),
/// a store straddling the start of a trap, string stores into a trap, and string port I/O.
/// Zircon reports the instruction the guest executed, once, and refuses string I/O.
/// </summary>
public class HypervisorSplitAccessTests : FakeHypervisorTest
{
    private const uint Mem = (uint)ZxGuestTrap.Mem, Io = (uint)ZxGuestTrap.Io;
    private const ulong Code = 0x2000;
    // A trap inside the guest's RAM (0..0x10000), so the pages around it are ordinary memory.
    private const ulong Trap = 0x8000;

    private static VcpuExit MmioWrite(ulong address, uint length, ulong data) =>
        new(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(address, length, true, data));

    private static byte[] Bytes(in ZxPortPacket p) => ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..p.GuestMem.InstLen].ToArray();

    [Fact]
    public void EightByteStore_AtTheLastFourBytesOfATrap_IsReportedWithItsRexW_Once()
    {
        byte[] store = [0x48, 0x89, 0x10]; // mov [rax], rdx
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(store);
        // Two trapped pages: KVM makes an MMIO fragment of each half and exits for both.
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, Trap, 0x2000, ZxHandleValues.Invalid, 3));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = Code + 3;
            b.RawRegisters.Rax = Trap + 0xFFC;
            b.RawRegisters.Rdx = 0x1122_3344_5566_7788;
            return MmioWrite(Trap + 0xFFC, 4, 0x5566_7788);
        }).Then(MmioWrite(Trap + 0x1000, 4, 0x1122_3344)).Then(VcpuExitKind.EntryFailure);

        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal(Trap + 0xFFC, p.GuestMem.Addr);
        Assert.Equal(store, Bytes(p));
        // The second fragment belongs to the instruction already reported: no second packet, no error.
        Assert.Equal(ZxStatus.ErrBadState, Resume(vcpu, out _)); // the scripted entry failure after it
        AssertNoViolations(backend);
    }

    [Fact]
    public void Movdqu_IntoATrap_IsReportedWithItsF3Prefix_Once()
    {
        byte[] movdqu = [0xF3, 0x0F, 0x7F, 0x00]; // movdqu [rax], xmm0
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(movdqu);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, Trap, 0x1000, ZxHandleValues.Invalid, 3));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = Code + 4;
            b.RawRegisters.Rax = Trap + 0x40;
            return MmioWrite(Trap + 0x40, 8, 0x0102_0304_0506_0708);
        }).Then(MmioWrite(Trap + 0x48, 8, 0x1112_1314_1516_1718)).Then(VcpuExitKind.EntryFailure);

        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal(Trap + 0x40, p.GuestMem.Addr);
        Assert.Equal(movdqu, Bytes(p));
        Assert.Equal(ZxStatus.ErrBadState, Resume(vcpu, out _));
        AssertNoViolations(backend);
    }

    [Fact]
    public void StoreStraddlingTheStartOfATrap_IsReportedAtTheTrapAddress()
    {
        byte[] store = [0x48, 0x89, 0x10]; // mov [rax], rdx
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(store);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, Trap, 0x1000, ZxHandleValues.Invalid, 3));
        // The first half lands in RAM (KVM writes it); only the second half exits.
        backend.Then(b =>
        {
            b.RawRegisters.Rip = Code + 3;
            b.RawRegisters.Rax = Trap - 4;
            b.RawRegisters.Rdx = 0x1122_3344_5566_7788;
            return MmioWrite(Trap, 4, 0x1122_3344);
        });

        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal((3ul, ZxPacketType.GuestMem, Trap), (p.Key, p.Type, p.GuestMem.Addr));
        Assert.Equal(store, Bytes(p));
        AssertNoViolations(backend);
    }

    [Fact]
    public void FourByteStore_IsNotMistakenForAFragmentOfAWiderOne()
    {
        // 0x48 ends the previous instruction; the store is the 4-byte "89 10" at the trap's start.
        byte[] code = [0x6A, 0x48, 0x89, 0x10]; // push 0x48 ; mov [rax], edx
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(code);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, Trap, 0x1000, ZxHandleValues.Invalid, 3));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = Code + 4;
            b.RawRegisters.Rax = Trap;
            b.RawRegisters.Rdx = 0x1122_3344_5566_7788;
            return MmioWrite(Trap, 4, 0x5566_7788);
        });
        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal(new byte[] { 0x89, 0x10 }, Bytes(p));
        AssertNoViolations(backend);
    }

    [Theory]
    [InlineData(false)] // elements left: KVM leaves RIP at the instruction
    [InlineData(true)]  // the last element: RIP is past it
    public void RepMovsb_IntoATrap_IsReported_WithTheRegistersAsAtTheFault(bool lastElement)
    {
        byte[] repMovsb = [0xF3, 0xA4];
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(repMovsb);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, Trap, 0x1000, ZxHandleValues.Invalid, 3));
        const ulong Source = 0x3000;
        ulong countBefore = lastElement ? 1u : 10u;
        backend.Then(b =>
        {
            // One element done by KVM's emulator.
            b.RawRegisters.Rip = lastElement ? Code + 2 : Code;
            b.RawRegisters.Rdi = Trap + 1;
            b.RawRegisters.Rsi = Source + 1;
            b.RawRegisters.Rcx = countBefore - 1;
            b.RawRegisters.Rflags = 0x2;
            return MmioWrite(Trap, 1, 0xAB);
        });

        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal(Trap, p.GuestMem.Addr);
        Assert.Equal(repMovsb, Bytes(p));
        GuestRegisters r = backend.RawRegisters;
        Assert.Equal((Code + 2, Trap, Source, countBefore), (r.Rip, r.Rdi, r.Rsi, r.Rcx));
        AssertNoViolations(backend);
    }

    [Fact]
    public void StosqBackwards_IntoATrap_IsReported_WithRdiTakenBack()
    {
        byte[] stosq = [0xFD, 0x48, 0xAB]; // std ; stosq
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(stosq);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, Trap, 0x1000, ZxHandleValues.Invalid, 3));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = Code + 3;
            b.RawRegisters.Rdi = Trap + 0x10 - 8; // DF=1: RDI went down one element
            b.RawRegisters.Rax = 0x42;
            b.RawRegisters.Rflags = 0x2 | 1u << 10;
            return MmioWrite(Trap + 0x10, 8, 0x42);
        });
        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal(new byte[] { 0x48, 0xAB }, Bytes(p));
        Assert.Equal(Trap + 0x10, backend.RawRegisters.Rdi);
        AssertNoViolations(backend);
    }

    [Theory]
    [InlineData(new byte[] { 0xF3, 0x6E }, 0ul, true)] // rep outsb, elements left: RIP at it
    [InlineData(new byte[] { 0xF3, 0x6E }, 2ul, true)] // rep outsb, last element: RIP past it
    [InlineData(new byte[] { 0x6E }, 1ul, true)]       // outsb
    [InlineData(new byte[] { 0x66, 0x6F }, 2ul, true)] // outsw
    public void StringOut_ToATrappedPort_IsNotSupported(byte[] code, ulong ripOffset, bool isWrite)
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(code);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 3));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = Code + ripOffset;
            b.RawRegisters.Rdx = 0x10;
            b.RawRegisters.Rax = 0;
            return new VcpuExit(VcpuExitKind.Io, Io: new VcpuIoAccess(0x10, code[0] == 0x66 ? (byte)2 : (byte)1, isWrite, 1, 0x5A));
        });
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        AssertNoViolations(backend);
    }

    [Fact]
    public void RepInsb_FromATrappedPort_IsNotSupported()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode([0xF3, 0x6C]);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 3));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = Code;
            b.RawRegisters.Rdx = 0x10;
            return new VcpuExit(VcpuExitKind.Io, Io: new VcpuIoAccess(0x10, 1, false, 1, 0));
        });
        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
        AssertNoViolations(backend);
    }

    [Fact]
    public void PlainOut_RightBeforeARepOutsb_IsStillAGuestIoPacket()
    {
        // out dx, al ; rep outsb — at the OUT's exit RIP points at the REP OUTSB.
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode([0xEE, 0xF3, 0x6E]);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 3));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = Code + 1;
            b.RawRegisters.Rdx = 0x10;
            b.RawRegisters.Rax = 0x5A;
            return new VcpuExit(VcpuExitKind.Io, Io: new VcpuIoAccess(0x10, 1, true, 1, 0x5A));
        });
        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal((ZxPacketType.GuestIo, (ushort)0x10, 0x5Au), (p.Type, p.GuestIo.Port, p.GuestIo.U32));
        AssertNoViolations(backend);
    }

    [Fact]
    public void PlainOutWithAnImmediatePort_IsAGuestIoPacket()
    {
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode([0xE6, 0x6E]); // out 0x6e, al
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x6E, 1, ZxHandleValues.Invalid, 3));
        backend.Then(b =>
        {
            b.RawRegisters.Rip = Code + 2;
            b.RawRegisters.Rdx = 0x6E;
            b.RawRegisters.Rax = 0x5A;
            return new VcpuExit(VcpuExitKind.Io, Io: new VcpuIoAccess(0x6E, 1, true, 1, 0x5A));
        });
        Assert.Equal(ZxPacketType.GuestIo, ResumeOk(vcpu).Type);
        AssertNoViolations(backend);
    }
}
