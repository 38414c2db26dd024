using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary>
/// A write exit's instruction is found among the decodes ending at RIP, and those are reused
/// while RIP and the code bytes before it stay the same (TrappedInstructionDecoder's
/// StoreCandidates). These tests exit twice at one RIP and check that the second answer is the
/// one a fresh decode gives: the data of each exit still decides between candidates, and changed
/// code bytes are decoded anew.
/// </summary>
public class HypervisorStoreDecodeReuseTests : FakeHypervisorTest
{
    private const uint Mem = (uint)ZxGuestTrap.Mem;
    private const ulong Code = 0x2000;
    private const ulong Trap = 0x8000;

    private static VcpuExit MmioWrite(ulong address, uint length, ulong data) =>
        new(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(address, length, true, data));

    private static byte[] Bytes(in ZxPortPacket p) => ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..p.GuestMem.InstLen].ToArray();

    [Fact]
    public void SameRip_TheDataOfEachExit_PicksTheInstruction()
    {
        // 44 89 10 is "mov [rax], r10d"; its last two bytes alone are "mov [rax], edx" (the 44 then
        // ends the instruction before). Only the value written tells which one ran.
        byte[] code = [0x44, 0x89, 0x10];
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(code);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, Trap, 0x1000, ZxHandleValues.Invalid, 3));
        VcpuExit StoreAtRip(FakeVcpuBackend b, ulong data)
        {
            b.RawRegisters.Rip = Code + 3;
            b.RawRegisters.Rax = Trap + 0x10;
            b.RawRegisters.R10 = 0xAAAA_0001;
            b.RawRegisters.Rdx = 0xBBBB_0002;
            return MmioWrite(Trap + 0x10, 4, data);
        }
        backend.Then(b => StoreAtRip(b, 0xAAAA_0001)).Then(b => StoreAtRip(b, 0xBBBB_0002)).Then(b => StoreAtRip(b, 0xAAAA_0001));

        Assert.Equal(code, Bytes(ResumeOk(vcpu)));
        Assert.Equal(code[1..], Bytes(ResumeOk(vcpu)));
        Assert.Equal(code, Bytes(ResumeOk(vcpu)));
        AssertNoViolations(backend);
    }

    [Fact]
    public void SameRip_ChangedCodeBytes_AreDecodedAnew()
    {
        byte[] first = [0x90, 0x48, 0x89, 0x10];  // nop; mov [rax], rdx
        byte[] second = [0x90, 0x90, 0x89, 0x10]; // nop; nop; mov [rax], edx
        (uint guest, uint vcpu, FakeVcpuBackend backend) = GuestWithCode(first, out uint vmo);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, Trap, 0x1000, ZxHandleValues.Invalid, 3));
        VcpuExit Store(FakeVcpuBackend b, uint length)
        {
            b.RawRegisters.Rip = Code + 4;
            b.RawRegisters.Rax = Trap + 0x20;
            b.RawRegisters.Rdx = 0x1122_3344_5566_7788;
            return MmioWrite(Trap + 0x20, length, length == 8 ? 0x1122_3344_5566_7788UL : 0x5566_7788UL);
        }
        backend.Then(b => Store(b, 8)).Then(b => Store(b, 4));

        ZxPortPacket p = ResumeOk(vcpu);
        Assert.Equal(first[1..], Bytes(p));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoWrite(vmo, second, Code));
        p = ResumeOk(vcpu);
        Assert.Equal(second[2..], Bytes(p));
        Assert.Equal(2, p.GuestMem.InstLen);
        AssertNoViolations(backend);
    }
}
