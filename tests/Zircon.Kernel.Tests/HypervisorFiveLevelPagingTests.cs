using System.Buffers.Binary;
using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary>
/// MEM trap exits of a guest with five-level paging (CR4.LA57). Linux's bzImage decompressor turns
/// LA57 on wherever the CPU has it, and the kernel then does its MMIO through a PML5: the kernel
/// must find the trapped instruction through that table too. (Found booting Debian's bzImage in the
/// KVM rig, whose CPU model has LA57: the first IO-APIC write ended the resume with NOT_SUPPORTED,
/// because the walk read the PML5 as if it were a PML4.)
/// </summary>
[Collection(FakeHypervisorCollection.Name)]
public class HypervisorFiveLevelPagingTests : FakeHypervisorTest
{
    private const uint Mem = (uint)ZxGuestTrap.Mem;
    private const ulong Page = ZxPage.Size;
    private const ulong TrapAddr = 0xFFE000;

    /// <summary>Where the kernel-half mapping starts: PML5[511], PML4[511], PDPT[510] (Linux's -2 GiB).</summary>
    private const ulong KernelHalf = 0xFFFF_FFFF_8000_0000;

    // CR4: PAE | LA57; EFER: LME | LMA; CR0: PG | ET | PE.
    private static readonly GuestControlState s_fiveLevels =
        new(Cr0: 0x8000_0011, Cr3: 0, Cr4: 0x20 | GuestPageWalker.Cr4La57, Efer: 0x500, CodeBase: 0, CodeLong: true, CodeDefault32: false);

    /// <summary>
    /// 64 KiB of guest RAM at 0 with five-level tables at CR3 = 0: PML5 0x0, PML4 0x1000, PDPT
    /// 0x4000, page directory 0x5000, page table 0x6000. Linear 0 and <see cref="KernelHalf"/> both
    /// map the first GiB identically with 2 MiB pages, except the second 2 MiB of the kernel half,
    /// which goes through the page table (its page 2 is physical 0x2000). Code at physical 0x2000.
    /// </summary>
    private (uint Guest, uint Vcpu, FakeVcpuBackend Backend) GuestWithFiveLevels(byte[] code)
    {
        uint guest = CreateGuest(out uint vmar);
        uint vmo = Track(Zx.Vmo(0x10000));
        var memory = new byte[0x10000];
        void Entry(int table, int index, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(memory.AsSpan(table + index * 8), value);
        Entry(0x0000, 0, 0x1000 | 0x7);   // PML5[0]   -> PML4
        Entry(0x0000, 511, 0x1000 | 0x7); // PML5[511] -> PML4
        Entry(0x1000, 0, 0x4000 | 0x7);   // PML4[0]   -> PDPT
        Entry(0x1000, 511, 0x4000 | 0x7); // PML4[511] -> PDPT
        Entry(0x4000, 0, 0x5000 | 0x7);   // PDPT[0]   -> page directory
        Entry(0x4000, 510, 0x5000 | 0x7); // PDPT[510] -> page directory
        for (int i = 0; i < 512; i++)
            Entry(0x5000, i, ((ulong)i << 21) | 0x87); // 2 MiB pages, identity
        Entry(0x5000, 1, 0x6000 | 0x7);   // ... but PD[1] -> a page table
        Entry(0x6000, 2, 0x2000 | 0x7);   // PT[2] -> physical 0x2000
        code.CopyTo(memory, 0x2000);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoWrite(vmo, memory, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(vmar, ZxVmOptions.PermRead | ZxVmOptions.PermWrite | ZxVmOptions.Specific, 0, vmo, 0, 0x10000, out _));
        uint vcpu = CreateVcpu(guest, 0x2000);
        FakeVcpuBackend backend = Fake.LastGuest.Vcpus[^1];
        backend.Control = s_fiveLevels;
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, TrapAddr, Page, ZxHandleValues.Invalid, 7));
        return (guest, vcpu, backend);
    }

    [Fact]
    public void MemWrite_FromKernelHalfCode_Through2MiBPages_IsReportedWithTheWholeInstruction()
    {
        // mov dword [rdx], eax — as Linux's writel(reg, &io_apic->index), with RDX the trapped address.
        byte[] store = [0x89, 0x02];
        (_, uint vcpu, FakeVcpuBackend backend) = GuestWithFiveLevels(store);
        backend.RawRegisters.Rdx = TrapAddr;
        backend.RawRegisters.Rax = 0x10;
        backend.Then(b =>
        {
            b.RawRegisters.Rip = KernelHalf + 0x2000 + 2; // a write exit leaves RIP past the instruction
            return new VcpuExit(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(TrapAddr, 4, true, 0x10));
        });

        ZxPortPacket p = ResumeOk(vcpu);

        Assert.Equal((7ul, ZxPacketType.GuestMem, TrapAddr, (byte)2), (p.Key, p.Type, p.GuestMem.Addr, p.GuestMem.InstLen));
        Assert.Equal(store, ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..2].ToArray());
        AssertNoViolations(backend);
    }

    [Fact]
    public void MemRead_FromKernelHalfCode_ThroughA4KiBPage_IsReportedWithItsLength()
    {
        byte[] load = [0x8B, 0x0C, 0x25, 0x10, 0xE0, 0xFF, 0x00]; // mov ecx, [0xFFE010]
        (_, uint vcpu, FakeVcpuBackend backend) = GuestWithFiveLevels(load);
        backend.RawRegisters.Rip = KernelHalf + 0x20_0000 + 0x2000; // PD[1] -> PT[2] -> physical 0x2000
        backend.ThenMmio(TrapAddr + 0x10, 4, isWrite: false);

        ZxPortPacket p = ResumeOk(vcpu);

        Assert.Equal((TrapAddr + 0x10, (byte)7), (p.GuestMem.Addr, p.GuestMem.InstLen));
        Assert.Equal(load, ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..7].ToArray());
    }

    [Fact]
    public void WithoutLa57_TheSameTables_AreReadAsFourLevels_AndTheKernelHalfIsNotMapped()
    {
        // The control: the same tables walked as four levels give no translation for the kernel
        // half (PML5[511] taken for a PML4 entry leads to PML4[510], not present), so the write
        // cannot be found and the resume fails — what the five-level walk above must not do.
        (_, uint vcpu, FakeVcpuBackend backend) = GuestWithFiveLevels([0x89, 0x02]);
        backend.Control = s_fiveLevels with { Cr4 = 0x20 };
        backend.RawRegisters.Rdx = TrapAddr;
        backend.RawRegisters.Rax = 0x10;
        backend.Then(b =>
        {
            b.RawRegisters.Rip = KernelHalf + 0x2000 + 2;
            return new VcpuExit(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(TrapAddr, 4, true, 0x10));
        });

        Assert.Equal(ZxStatus.ErrNotSupported, Resume(vcpu, out _));
    }
}
