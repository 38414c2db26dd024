namespace Zircon.Linux.Kvm;

/// <summary>
/// An x86 MSI: the address/data pair a device writes to raise an interrupt on a local APIC
/// (physical destination mode, edge-triggered).
/// </summary>
/// <param name="Address">0xFEE00000 | destination APIC id &lt;&lt; 12.</param>
/// <param name="Data">Vector in bits 0..7, delivery mode in bits 8..10.</param>
public readonly record struct KvmMsiMessage(uint Address, uint Data)
{
    /// <summary>A fixed-delivery interrupt with <paramref name="vector"/> (16..255) to the LAPIC with id <paramref name="destinationApicId"/> (0..255; 255 broadcasts).</summary>
    public static KvmMsiMessage Fixed(uint destinationApicId, byte vector) =>
        new(AddressFor(destinationApicId), KvmConstants.MsiDeliveryFixed | vector);

    /// <summary>An NMI to the LAPIC with id <paramref name="destinationApicId"/>.</summary>
    public static KvmMsiMessage Nmi(uint destinationApicId) =>
        new(AddressFor(destinationApicId), KvmConstants.MsiDeliveryNmi);

    private static uint AddressFor(uint destinationApicId) =>
        KvmConstants.MsiAddressBase | ((destinationApicId & 0xFF) << KvmConstants.MsiDestinationShift);
}
