using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Zircon.Linux.Tests;

/// <summary>Real guests on KVM: each exit kind decoded, completions, synced registers.</summary>
[Collection(KvmCollection.Name)]
public sealed class KvmGuestExitTests
{
    [KvmFact]
    public void Out_ExitsAsIoWithPortSizeAndData()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.mov(eax, 0x12345678);
        a.@out(0x10, eax);
        a.mov(dx, 0x3F8);
        a.mov(al, 0xAB);
        a.@out(dx, al);
        a.hlt();
        guest.Load(a);

        KvmExit exit = guest.Run();
        Assert.Equal(KvmExitKind.Io, exit.Kind);
        Assert.Equal(new KvmIoExit(Port: 0x10, Size: 4, IsWrite: true, Count: 1, Data: 0x12345678), exit.Io);
        exit = guest.Run();
        Assert.Equal(new KvmIoExit(Port: 0x3F8, Size: 1, IsWrite: true, Count: 1, Data: 0xAB), exit.Io);
        Assert.Equal(KvmExitKind.Hlt, guest.Run().Kind);
    }

    [KvmFact]
    public void In_CompletedWithData_GuestSeesIt()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.@in(eax, 0x20);
        a.@out(0x21, eax);
        a.mov(eax, 0x11223344);
        a.@in(al, 0x22);          // only AL changes
        a.@out(0x23, eax);
        a.@in(eax, 0x24);         // never completed: reads 0
        a.@out(0x25, eax);
        a.hlt();
        guest.Load(a);

        KvmExit exit = guest.Run();
        Assert.Equal(new KvmIoExit(Port: 0x20, Size: 4, IsWrite: false, Count: 1, Data: 0), exit.Io);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.CompleteIoIn(0xCAFEBABE));
        Assert.Equal(0xCAFEBABEu, guest.RunToOut(0x21));

        exit = guest.Run();
        Assert.Equal(new KvmIoExit(Port: 0x22, Size: 1, IsWrite: false, Count: 1, Data: 0), exit.Io);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.CompleteIoIn(0x99));
        Assert.Equal(0x11223399u, guest.RunToOut(0x23));

        Assert.Equal(0x24, guest.Run().Io.Port);
        Assert.Equal(0u, guest.RunToOut(0x25));
    }

    [KvmFact]
    public void Completions_OutsideTheirExit_AreBadState()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.@out(0x10, al);
        a.hlt();
        guest.Load(a);
        Assert.Equal(ZxStatus.ErrBadState, guest.Vcpu.CompleteIoIn(1));
        guest.RunToOut(0x10);
        Assert.Equal(ZxStatus.ErrBadState, guest.Vcpu.CompleteIoIn(1));
        Assert.Equal(ZxStatus.ErrBadState, guest.Vcpu.CompleteMmioRead(1));
    }

    [KvmFact]
    public void MmioWrite_ToUnbackedAddress_ExitsWithAddressLengthAndData()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.mov(rbx, TestGuest.UnbackedAddress);
        a.mov(__dword_ptr[rbx], 0xDEADBEEF);
        a.mov(rax, 0x0102030405060708);
        a.mov(__qword_ptr[rbx + 8], rax);
        a.hlt();
        guest.Load(a);

        KvmExit exit = guest.Run();
        Assert.Equal(KvmExitKind.Mmio, exit.Kind);
        Assert.Equal(new KvmMmioExit(TestGuest.UnbackedAddress, 4, IsWrite: true, 0xDEADBEEF), exit.Mmio);
        exit = guest.Run();
        Assert.Equal(new KvmMmioExit(TestGuest.UnbackedAddress + 8, 8, IsWrite: true, 0x0102030405060708), exit.Mmio);
        Assert.Equal(KvmExitKind.Hlt, guest.Run().Kind);
    }

    [KvmFact]
    public void MmioRead_CompletedWithData_GuestSeesIt()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.mov(rbx, TestGuest.UnbackedAddress);
        a.mov(eax, __dword_ptr[rbx + 0x10]);
        a.@out(0x40, eax);
        a.mov(rax, __qword_ptr[rbx + 0x18]);
        a.shr(rax, 32);
        a.@out(0x41, eax);
        a.hlt();
        guest.Load(a);

        KvmExit exit = guest.Run();
        Assert.Equal(new KvmMmioExit(TestGuest.UnbackedAddress + 0x10, 4, IsWrite: false, 0), exit.Mmio);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.CompleteMmioRead(0x55667788));
        Assert.Equal(0x55667788u, guest.RunToOut(0x40));

        exit = guest.Run();
        Assert.Equal(new KvmMmioExit(TestGuest.UnbackedAddress + 0x18, 8, IsWrite: false, 0), exit.Mmio);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.CompleteMmioRead(0xAABBCCDD_00000000));
        Assert.Equal(0xAABBCCDDu, guest.RunToOut(0x41));
    }

    [KvmFact]
    public void ReadOnlySlot_ReadsMemory_WritesExitAsMmio()
    {
        using var guest = TestGuest.Create();
        const ulong romAddress = 0x20_0000;
        guest.MapExtra(romAddress, 0x1000, readOnly: true, out Span<byte> rom);
        rom[0] = 0x5A;
        var a = new Assembler(64);
        a.mov(rbx, romAddress);
        a.movzx(eax, __byte_ptr[rbx]);
        a.@out(0x10, eax);
        a.mov(__byte_ptr[rbx], 0x77);
        a.hlt();
        guest.Load(a);

        Assert.Equal(0x5Au, guest.RunToOut(0x10));
        KvmExit exit = guest.Run();
        Assert.Equal(new KvmMmioExit(romAddress, 1, IsWrite: true, 0x77), exit.Mmio);
        Assert.Equal(0x5A, rom[0]);
    }

    [KvmFact]
    public void Hlt_WithoutIrqchip_ExitsToUserSpace()
    {
        using var guest = TestGuest.Create(KvmIrqchipMode.None);
        var a = new Assembler(64);
        a.hlt();
        a.@out(0x10, al);
        guest.Load(a);
        Assert.Equal(KvmExitKind.Hlt, guest.Run().Kind);
        Assert.Equal(TestGuest.Entry + 1, guest.Vcpu.Regs.rip); // past the HLT
        guest.RunToOut(0x10);
    }

    [KvmFact]
    public void SyncRegs_WrittenByHost_ReadByGuest_AndBack()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.@out(0x50, eax);
        a.shr(rax, 32);
        a.@out(0x51, eax);
        a.mov(rcx, 0xFEDCBA9876543210);
        a.add(rbx, 1);
        a.@out(0x52, al);
        a.mov(eax, __dword_ptr[rbx]);     // rbx was set from the host below
        a.@out(0x53, eax);
        a.hlt();
        guest.Load(a);

        guest.Vcpu.Regs.rax = 0x11223344_55667788;
        guest.Vcpu.Regs.rbx = TestGuest.DataPage - 1;
        guest.Vcpu.MarkDirty(KvmRegisterSets.Regs);
        guest.WriteU64(TestGuest.DataPage, 0x0BADF00D);

        Assert.Equal(0x55667788u, guest.RunToOut(0x50));
        Assert.Equal(0x11223344u, guest.RunToOut(0x51));
        guest.RunToOut(0x52);
        Assert.Equal(0xFEDCBA9876543210, guest.Vcpu.Regs.rcx);
        Assert.Equal(TestGuest.DataPage, guest.Vcpu.Regs.rbx);
        Assert.Equal(KvmRegisterSets.None, guest.Vcpu.DirtySets);
        Assert.Equal(0x0BADF00Du, guest.RunToOut(0x53));
    }

    [KvmFact]
    public void Sregs_ZirconInitialState_GuestReadsCr0AndCr4()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.mov(rax, cr0);
        a.@out(0x60, eax);
        a.mov(rax, cr4);
        a.@out(0x61, eax);
        a.hlt();
        guest.Load(a);
        Assert.Equal((uint)KvmX86State.BspCr0, guest.RunToOut(0x60));
        Assert.Equal((uint)KvmX86State.BspCr4, guest.RunToOut(0x61));
        Assert.Equal(KvmX86State.BspEfer, guest.Vcpu.Sregs.efer);
        Assert.Equal(1, guest.Vcpu.Sregs.cs.l);
    }

    [KvmFact]
    public void MarkingRegsDirty_AtAnInExit_KeepsTheCompletion()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.@in(eax, 0x20);
        a.@out(0x21, eax);
        a.mov(eax, edi);
        a.@out(0x22, eax);
        a.hlt();
        guest.Load(a);

        Assert.Equal(KvmExitKind.Io, guest.Run().Kind);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.CompleteIoIn(0x600D));
        guest.Vcpu.Regs.rdi = 0x1234;
        guest.Vcpu.MarkDirty(KvmRegisterSets.Regs);
        Assert.Equal(0x600Du, guest.RunToOut(0x21));
        Assert.Equal(0x1234u, guest.RunToOut(0x22));
    }

    [KvmFact]
    public void MarkingRegsDirty_AtAnMmioReadExit_KeepsTheCompletion()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.mov(rbx, TestGuest.UnbackedAddress);
        a.mov(eax, __dword_ptr[rbx + 0x10]);
        a.@out(0x40, eax);
        a.mov(eax, edi);
        a.@out(0x41, eax);
        a.hlt();
        guest.Load(a);
        Assert.Equal(KvmExitKind.Mmio, guest.Run().Kind);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.CompleteMmioRead(0x55667788));
        guest.Vcpu.Regs.rdi = 0x1234;
        guest.Vcpu.MarkDirty(KvmRegisterSets.Regs);
        Assert.Equal(0x55667788u, guest.RunToOut(0x40));
        Assert.Equal(0x1234u, guest.RunToOut(0x41));
    }

    [KvmFact]
    public void EditingTheInDestination_AtAnInExit_TheEditWins()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.@in(eax, 0x20);
        a.@out(0x21, eax);
        a.hlt();
        guest.Load(a);
        Assert.Equal(KvmExitKind.Io, guest.Run().Kind);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.CompleteIoIn(0x600D));
        guest.Vcpu.Regs.rax = 0x77;
        guest.Vcpu.MarkDirty(KvmRegisterSets.Regs);
        Assert.Equal(0x77u, guest.RunToOut(0x21));
    }

    [KvmFact]
    public void CompletePendingExit_WritesTheInResultWithoutRunningTheGuest()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.@in(eax, 0x20);
        a.@out(0x21, eax);
        a.hlt();
        guest.Load(a);

        Assert.Equal(KvmExitKind.Io, guest.Run().Kind);
        ulong inRip = guest.Vcpu.Regs.rip;
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.CompleteIoIn(0x4242));
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.CompletePendingExit());
        Assert.Equal(0x4242UL, guest.Vcpu.Regs.rax);
        Assert.Equal(TestGuest.Entry + 2, guest.Vcpu.Regs.rip); // "in eax, imm8" is 2 bytes
        Assert.True(inRip <= guest.Vcpu.Regs.rip);
        Assert.Equal(0x4242u, guest.RunToOut(0x21));
    }

    [KvmFact]
    public void TripleFault_ExitsAsShutdown_AndTheHostCarriesOn()
    {
        using var guest = TestGuest.Create();
        guest.Vcpu.Sregs.idt = new kvm_dtable { @base = 0, limit = 0 }; // every exception faults again
        guest.Vcpu.MarkDirty(KvmRegisterSets.Sregs);
        var a = new Assembler(64);
        a.ud2();
        guest.Load(a);
        Assert.Equal(KvmExitKind.Shutdown, guest.Run().Kind);
    }

    [KvmFact]
    public void Msrs_SetAndGet_RoundTrip()
    {
        using var guest = TestGuest.Create();
        const uint lstar = 0xC0000082, star = 0xC0000081;
        ReadOnlySpan<kvm_msr_entry> set =
        [
            new kvm_msr_entry { index = lstar, data = 0xFFFF_8000_0010_0000 },
            new kvm_msr_entry { index = star, data = 0x0023_0008_0000_0000 },
        ];
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.SetMsrs(set));
        Span<kvm_msr_entry> get = [new kvm_msr_entry { index = lstar }, new kvm_msr_entry { index = star }];
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.GetMsrs(get));
        Assert.Equal(0xFFFF_8000_0010_0000UL, get[0].data);
        Assert.Equal(0x0023_0008_0000_0000UL, get[1].data);
        Assert.Equal(ZxStatus.ErrInvalidArgs, guest.Vcpu.SetMsrs([new kvm_msr_entry { index = 0xDEAD_0000 }]));
    }
}

/// <summary>KVM tests share a collection so guests do not compete for this machine's two cores.</summary>
[CollectionDefinition(Name)]
public sealed class KvmCollection
{
    public const string Name = "Kvm";
}
