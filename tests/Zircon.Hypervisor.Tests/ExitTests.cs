namespace Zircon.Hypervisor.Tests;

/// <summary>Exits and their packets, as Zircon's hypervisor tests check them.</summary>
public class ExitTests
{
    [HypervisorFact]
    public void MemTrap_Exit_ReportsAddressLengthBytesAndOperandSize()
    {
        using var g = TestGuest.Create(TestGuest.Exit);
        ZxPortPacket p = g.ResumeToExit();
        Assert.Equal(0ul, p.Key);
        Assert.Equal(ZxStatus.Ok, p.Status);
        Assert.Equal(12, p.GuestMem.InstLen);
        byte[] expected = [0x48, 0xC7, 0x04, 0x25, 0x00, 0xF0, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00];
        Assert.Equal(expected, ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..12].ToArray());
        Assert.Equal(4, p.GuestMem.DefaultOperandSize);
    }

    [HypervisorFact]
    public void MemTrap_Resume_ContinuesAfterTheInstruction()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(eax, 1);
            TestGuest.Exit(a);
            a.mov(eax, 2);
            TestGuest.Exit(a);
        });
        g.ResumeToExit();
        Assert.Equal(1ul, g.ReadState().Rax);
        g.ResumeToExit();
        Assert.Equal(2ul, g.ReadState().Rax);
    }

    [HypervisorFact]
    public void MemTrap_Read_IsCompletedByWriteState()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rcx, __qword_ptr[(long)TestGuest.TrapAddr]); // 48 8B 0C 25 disp32 (rcx has no moffs form)
            a.mov(rbx, rcx);
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Mem, TestGuest.TrapAddr, TestGuest.Page, ZxHandleValues.Invalid, 7));
        ZxPortPacket p = g.Resume();
        Assert.Equal((ZxPacketType.GuestMem, 7ul, TestGuest.TrapAddr), (p.Type, p.Key, p.GuestMem.Addr));
        Assert.Equal(8, p.GuestMem.InstLen);
        ZxVcpuState state = g.ReadState();
        state.Rcx = 0x1122_3344_5566_7788;
        g.WriteState(state);
        g.ResumeToExit();
        Assert.Equal(0x1122_3344_5566_7788ul, g.ReadState().Rbx);
    }

    [HypervisorFact]
    public void MemTrap_Read_CompletedWithTheValueTheRegisterAlreadyHeld_KeepsIt()
    {
        // The emulated value equals the register's old value: it must still land (not read as 0).
        using var g = TestGuest.Create(a =>
        {
            a.mov(rcx, 5);
            a.mov(rcx, __qword_ptr[(long)TestGuest.TrapAddr]);
            a.mov(rbx, rcx);
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Mem, TestGuest.TrapAddr, TestGuest.Page, ZxHandleValues.Invalid, 0));
        g.Resume();
        ZxVcpuState state = g.ReadState();
        state.Rcx = 5;
        g.WriteState(state);
        g.ResumeToExit();
        Assert.Equal(5ul, g.ReadState().Rbx);
    }

    [HypervisorFact]
    public void AtReadExits_RegistersAreUntouched_ExceptRaxForA4ByteIn()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rcx, 0x1111);
            a.mov(rcx, __qword_ptr[(long)TestGuest.TrapAddr]);
            a.mov(rax, 0x2222_0000_3333UL);
            a.@in(eax, (byte)TestGuest.TrapPort);
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Mem, TestGuest.TrapAddr, TestGuest.Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Io, TestGuest.TrapPort, 1, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxPacketType.GuestMem, g.Resume().Type);
        Assert.Equal(0x1111ul, g.ReadState().Rcx);
        Assert.Equal(ZxPacketType.GuestIo, g.Resume().Type);
        Assert.Equal(0ul, g.ReadState().Rax);
        g.ResumeToExit();
        Assert.Equal(0x1111ul, g.ReadState().Rcx); // nobody emulated the read: it stays
    }

    [HypervisorFact]
    public void MemTrap_WriteWithPrefixBytes_ReportsTheWholeInstruction()
    {
        // REX.R and an operand-size prefix before a trapped store: the start must be found exactly.
        using var g = TestGuest.Create(a =>
        {
            a.mov(r9d, 0xABCD);
            a.mov(rdi, TestGuest.TrapAddr);
            a.mov(__word_ptr[rdi + 8], r9w); // 66 44 89 4F 08
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Mem, TestGuest.TrapAddr, TestGuest.Page, ZxHandleValues.Invalid, 3));
        ZxPortPacket p = g.Resume();
        Assert.Equal(TestGuest.TrapAddr + 8, p.GuestMem.Addr);
        Assert.Equal(5, p.GuestMem.InstLen);
        Assert.Equal(new byte[] { 0x66, 0x44, 0x89, 0x4F, 0x08 }, ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..5].ToArray());
        g.ResumeToExit();
    }

    [HypervisorFact]
    public void MemTrap_Write_DoesNotBorrowARexPrefixFromThePreviousInstruction()
    {
        // "add rax, 0x44" ends in 0x44, a valid REX prefix: "44 89 10" (mov [rax], r10d) also ends at
        // RIP with the same address and size; only the data written (edx = 1, r10d = 0) tells.
        using var g = TestGuest.Create(a =>
        {
            a.mov(edx, 1);
            a.xor(r10d, r10d);
            a.mov(rax, TestGuest.TrapAddr);
            a.add(rax, 0x44);          // 48 83 C0 44
            a.mov(__dword_ptr[rax], edx); // 89 10
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Mem, TestGuest.TrapAddr, TestGuest.Page, ZxHandleValues.Invalid, 0));
        ZxPortPacket p = g.Resume();
        Assert.Equal(TestGuest.TrapAddr + 0x44, p.GuestMem.Addr);
        Assert.Equal(2, p.GuestMem.InstLen);
        Assert.Equal(new byte[] { 0x89, 0x10 }, ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..2].ToArray());
        g.ResumeToExit();
    }

    [HypervisorFact]
    public void IoTrap_Out_ReportsPortSizeAndData()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(al, 0xAB);
            a.@out((byte)TestGuest.TrapPort, al);
            a.mov(ax, 0x1234);
            a.mov(dx, TestGuest.TrapPort);
            a.@out(dx, ax);
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Io, TestGuest.TrapPort, 1, ZxHandleValues.Invalid, 42));
        ZxPortPacket p = g.Resume();
        Assert.Equal((ZxPacketType.GuestIo, 42ul, (ushort)0x11, (byte)1, false, (byte)0xAB),
            (p.Type, p.Key, p.GuestIo.Port, p.GuestIo.AccessSize, p.GuestIo.Input, p.GuestIo.U8));
        p = g.Resume();
        Assert.Equal(((byte)2, (ushort)0x1234), (p.GuestIo.AccessSize, p.GuestIo.U16));
        g.ResumeToExit();
    }

    [HypervisorFact]
    public void IoTrap_In_IsCompletedWithZxVcpuIo()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rax, 0xFFFF_FFFF_FFFF_FFFFUL);
            a.@in(al, (byte)TestGuest.TrapPort);
            a.mov(rbx, rax);
            a.@in(eax, (byte)TestGuest.TrapPort);
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Io, TestGuest.TrapPort, 1, ZxHandleValues.Invalid, 0));
        ZxPortPacket p = g.Resume();
        Assert.True(p.GuestIo.Input);
        Assert.Equal(1, p.GuestIo.AccessSize);
        WriteIo(g, 1, 0x5A);
        p = g.Resume();
        Assert.Equal(4, p.GuestIo.AccessSize);
        WriteIo(g, 4, 0xDEADBEEF);
        g.ResumeToExit();
        ZxVcpuState s = g.ReadState();
        Assert.Equal(0xFFFF_FFFF_FFFF_FF5Aul, s.Rbx); // 1-byte IN replaces AL only
        Assert.Equal(0xDEADBEEFul, s.Rax);            // 4-byte IN zero-extends
    }

    [HypervisorFact]
    public void IoWithoutTrap_IsNotFound()
    {
        using var g = TestGuest.Create(a => a.@out((byte)0x80, al));
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.VcpuResume(g.Vcpu, out _));
    }

    [HypervisorFact]
    public void UnmappedMemoryWithoutTrap_IsNotFound()
    {
        using var g = TestGuest.Create(a => a.mov(__qword_ptr[0x2000_0000], 0));
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.VcpuResume(g.Vcpu, out _));
    }

    [HypervisorFact]
    public void TripleFault_IsNotSupported_AndTheHostSurvives()
    {
        // No IDT: the first exception escalates to a triple fault.
        using var g = TestGuest.Create(a => a.ud2());
        Assert.Equal(ZxStatus.ErrNotSupported, Syscalls.VcpuResume(g.Vcpu, out _));
    }

    [HypervisorFact]
    public void Cr0_ReadsZirconsInitialValue()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rax, cr0);
            TestGuest.Exit(a);
        });
        g.ResumeToExit();
        Assert.Equal(0xC000_0011ul, g.ReadState().Rax);
    }

    internal static void WriteIo(TestGuest g, byte size, uint value)
    {
        var io = new ZxVcpuIo { AccessSize = size, U32 = value };
        Span<byte> buffer = stackalloc byte[8];
        System.Runtime.InteropServices.MemoryMarshal.Write(buffer, in io);
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuWriteState(g.Vcpu, (uint)ZxVcpuStateKind.Io, buffer));
    }
}
