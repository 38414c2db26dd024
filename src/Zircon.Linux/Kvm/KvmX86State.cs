namespace Zircon.Linux.Kvm;

/// <summary>
/// Zircon's initial x86 VCPU states (docs/semantics.md §8.1/§8.2) in KVM's register structs, so
/// callers need not know how <see cref="kvm_segment"/> encodes access rights.
/// </summary>
public static class KvmX86State
{
    /// <summary>CR0 a Zircon BSP reads first: PG | CD | ET | PE (KVM shows the guest its real CR0, and accepts this value).</summary>
    public const ulong BspCr0 = 0xC0000011;
    /// <summary>CR4 = PAE.</summary>
    public const ulong BspCr4 = 0x20;
    /// <summary>EFER = NXE | LMA | LME | SCE, a Zircon host's EFER.</summary>
    public const ulong BspEfer = 0xD01;
    /// <summary>CR0 of an AP: NE only (real mode, paging off).</summary>
    public const ulong ApCr0 = 0x20;
    /// <summary>RFLAGS with only the always-one bit.</summary>
    public const ulong InitialRflags = 0x2;

    /// <summary>
    /// The bootstrap processor: 64-bit mode at <paramref name="entry"/> with CR3 = 0 (page tables at
    /// guest-physical 0), all segment selectors 0, GDTR/IDTR base 0 limit 0xFFFF, RFLAGS = 2 and
    /// all general registers 0. Mark both sets dirty afterwards.
    /// </summary>
    public static void SetBootstrapProcessor(ref kvm_regs regs, ref kvm_sregs sregs, ulong entry)
    {
        regs = new kvm_regs { rip = entry, rflags = InitialRflags };
        ulong apicBase = sregs.apic_base; // keep what KVM set up (base address, enable, BSP bits)
        sregs = default;
        sregs.apic_base = apicBase;
        sregs.cs = Segment(type: 0xF, s: true, l: true);  // code, exec/read, conforming, accessed
        sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = Segment(type: 0x3, s: true, l: false);
        sregs.tr = Segment(type: 0xB, s: false, l: false); // 64-bit busy TSS
        sregs.ldt = Segment(type: 0x2, s: false, l: false);
        sregs.gdt = new kvm_dtable { limit = 0xFFFF };
        sregs.idt = new kvm_dtable { limit = 0xFFFF };
        sregs.cr0 = BspCr0;
        sregs.cr3 = 0;
        sregs.cr4 = BspCr4;
        sregs.efer = BspEfer;
    }

    /// <summary>
    /// An application processor: real mode with CS.base = <paramref name="entry"/>,
    /// CS.selector = entry &gt;&gt; 4 and RIP = 0 (entry should be 16-byte aligned, e.g. a STARTUP vector &lt;&lt; 12).
    /// </summary>
    public static void SetApplicationProcessor(ref kvm_regs regs, ref kvm_sregs sregs, ulong entry)
    {
        SetBootstrapProcessor(ref regs, ref sregs, 0);
        sregs.cs = Segment(type: 0xF, s: true, l: false); // access rights 0x9F, as Zircon
        sregs.cs.@base = entry;
        sregs.cs.selector = (ushort)(entry >> 4);
        sregs.cr0 = ApCr0;
        sregs.cr4 = 0;
        sregs.efer = BspEfer & ~0x500UL; // LME and LMA off
    }

    /// <summary>A present, ring-0, base-0, limit-0xFFFF segment of the given type.</summary>
    public static kvm_segment Segment(byte type, bool s, bool l) => new()
    {
        @base = 0,
        limit = 0xFFFF,
        selector = 0,
        type = type,
        present = 1,
        dpl = 0,
        db = 0,
        s = s ? (byte)1 : (byte)0,
        l = l ? (byte)1 : (byte)0,
        g = 0,
    };
}
