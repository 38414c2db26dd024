namespace Zircon.Linux.Kvm;

/// <summary>Local-APIC register offsets in <see cref="kvm_lapic_state"/> and the values this backend writes.</summary>
public static class KvmLapic
{
    /// <summary>APIC ID register (xAPIC format: id in bits 24..31).</summary>
    public const int IdOffset = 0x20;
    /// <summary>Task priority register.</summary>
    public const int TprOffset = 0x80;
    /// <summary>Spurious-interrupt vector register: bit 8 is the software enable.</summary>
    public const int SvrOffset = 0xF0;
    /// <summary>LVT LINT0: delivery of the legacy interrupt line (ExtINT, what KVM_INTERRUPT raises with a split irqchip).</summary>
    public const int Lvt0Offset = 0x350;
    /// <summary>LVT LINT1: normally NMI delivery.</summary>
    public const int Lvt1Offset = 0x360;

    /// <summary>SVR with the APIC software-enabled and spurious vector 0xFF.</summary>
    public const uint SvrEnabled = 0x1FF;
    /// <summary>LVT entry: ExtINT delivery, not masked.</summary>
    public const uint LvtExtInt = 0x700;
    /// <summary>LVT entry: NMI delivery, not masked.</summary>
    public const uint LvtNmi = 0x400;
    /// <summary>LVT mask bit.</summary>
    public const uint LvtMasked = 0x10000;
}
