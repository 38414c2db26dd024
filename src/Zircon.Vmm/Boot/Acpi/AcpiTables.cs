using System.Buffers.Binary;
using System.Text;

namespace Zircon.Vmm.Boot.Acpi;

/// <summary>A 16550 the DSDT describes (PNP0501): its ports and ISA IRQ.</summary>
public readonly record struct AcpiSerialPort(string Name, ushort Port, int Irq);

/// <summary>A virtio-mmio device the DSDT describes (LNRO0005, the id Linux's virtio_mmio driver matches).</summary>
public readonly record struct AcpiVirtioMmio(string Name, uint Address, uint Length, uint Gsi);

/// <summary>What the ACPI tables tell the guest about the machine.</summary>
public sealed record AcpiMachine
{
    public required uint LocalApicAddress { get; init; }
    public required byte IoApicId { get; init; }
    public required uint IoApicAddress { get; init; }
    public required ushort SleepControlPort { get; init; }
    public required ushort SleepStatusPort { get; init; }
    public required ushort ResetPort { get; init; }
    public required byte ResetValue { get; init; }
    /// <summary>SLP_TYP the guest writes to the sleep control register to enter S5 (soft off).</summary>
    public required byte S5SleepType { get; init; }
    public required IReadOnlyList<AcpiSerialPort> SerialPorts { get; init; }
    public required IReadOnlyList<AcpiVirtioMmio> VirtioDevices { get; init; }
    /// <summary>Processors: one enabled local APIC each, ACPI processor uid = APIC id = 0..count-1.</summary>
    public int ProcessorCount { get; init; } = 1;
}

/// <summary>
/// The ACPI tables of the Linux machine: RSDP (revision 2) → XSDT and RSDT → FADT (hardware-reduced,
/// with sleep control/status and reset registers) → DSDT (COM1, virtio-mmio devices, \_S5), and the
/// MADT (a local APIC per processor, one IO-APIC). Hardware-reduced ACPI is what QEMU's microvm and Cloud
/// Hypervisor give Linux: no 8259 PIC, no PIT, no PM timer, no SCI; the kernel then takes legacy
/// IRQs from the IO-APIC and its clocks from the local APIC and kvm-clock.
/// </summary>
public static class AcpiTables
{
    public const int RsdpSize = 36, FadtSize = 276;
    public const byte FadtRevision = 6, MadtRevision = 5, DsdtRevision = 2;

    /// <summary>FADT flags: WBINVD works, RESET_REG_SUP, HW_REDUCED_ACPI.</summary>
    public const uint FadtFlags = (1u << 0) | (1u << 10) | (1u << 20);

    /// <summary>IAPC_BOOT_ARCH: VGA not present, CMOS RTC not present (no legacy devices, no 8042).</summary>
    public const ushort IapcBootArch = (1 << 2) | (1 << 5);

    /// <summary>The tables laid out from <paramref name="baseAddress"/>; the RSDP comes first (16-byte aligned, where Linux's scan finds it too).</summary>
    public static byte[] Build(AcpiMachine machine, ulong baseAddress)
    {
        if (baseAddress % 16 != 0)
            throw new ArgumentException("the RSDP must be 16-byte aligned", nameof(baseAddress));
        byte[] dsdt = Dsdt(machine);
        byte[] madt = Madt(machine);
        // Layout: RSDP, XSDT, RSDT, FADT, MADT, DSDT, each 16-byte aligned.
        ulong at = baseAddress + Align(RsdpSize);
        ulong xsdtAt = at; at += Align(AcpiTable.HeaderSize + 2 * 8);
        ulong rsdtAt = at; at += Align(AcpiTable.HeaderSize + 2 * 4);
        ulong fadtAt = at; at += Align(FadtSize);
        ulong madtAt = at; at += Align(madt.Length);
        ulong dsdtAt = at; at += Align(dsdt.Length);

        byte[] fadt = Fadt(machine, dsdtAt);
        byte[] xsdt = AcpiTable.Create("XSDT", 1, AcpiTable.HeaderSize + 2 * 8);
        BinaryPrimitives.WriteUInt64LittleEndian(xsdt.AsSpan(AcpiTable.HeaderSize), fadtAt);
        BinaryPrimitives.WriteUInt64LittleEndian(xsdt.AsSpan(AcpiTable.HeaderSize + 8), madtAt);
        AcpiTable.Seal(xsdt);
        byte[] rsdt = AcpiTable.Create("RSDT", 1, AcpiTable.HeaderSize + 2 * 4);
        BinaryPrimitives.WriteUInt32LittleEndian(rsdt.AsSpan(AcpiTable.HeaderSize), (uint)fadtAt);
        BinaryPrimitives.WriteUInt32LittleEndian(rsdt.AsSpan(AcpiTable.HeaderSize + 4), (uint)madtAt);
        AcpiTable.Seal(rsdt);

        var blob = new byte[at - baseAddress];
        Rsdp(rsdtAt, xsdtAt).CopyTo(blob, 0);
        Place(blob, baseAddress, xsdtAt, xsdt);
        Place(blob, baseAddress, rsdtAt, rsdt);
        Place(blob, baseAddress, fadtAt, fadt);
        Place(blob, baseAddress, madtAt, madt);
        Place(blob, baseAddress, dsdtAt, dsdt);
        return blob;
    }

    /// <summary>RSDP revision 2: checksum over the first 20 bytes, extended checksum over all 36.</summary>
    public static byte[] Rsdp(ulong rsdt, ulong xsdt)
    {
        var r = new byte[RsdpSize];
        Encoding.ASCII.GetBytes("RSD PTR ", r);
        Encoding.ASCII.GetBytes(AcpiTable.OemId, r.AsSpan(9));
        r[15] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(16), (uint)rsdt);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(20), RsdpSize);
        BinaryPrimitives.WriteUInt64LittleEndian(r.AsSpan(24), xsdt);
        AcpiTable.Seal(r.AsSpan(0, 20), 8);
        AcpiTable.Seal(r, 32);
        return r;
    }

    /// <summary>FADT revision 6, hardware-reduced: only DSDT, flags, boot architecture, reset and sleep registers are set.</summary>
    public static byte[] Fadt(AcpiMachine machine, ulong dsdt)
    {
        byte[] f = AcpiTable.Create("FACP", FadtRevision, FadtSize);
        Span<byte> s = f;
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], (uint)dsdt);
        BinaryPrimitives.WriteUInt16LittleEndian(s[109..], IapcBootArch);
        BinaryPrimitives.WriteUInt32LittleEndian(s[112..], FadtFlags);
        AcpiTable.WriteIoPort(s[116..], machine.ResetPort);
        s[128] = machine.ResetValue;
        BinaryPrimitives.WriteUInt64LittleEndian(s[140..], dsdt); // X_DSDT
        AcpiTable.WriteIoPort(s[244..], machine.SleepControlPort);
        AcpiTable.WriteIoPort(s[256..], machine.SleepStatusPort);
        Encoding.ASCII.GetBytes("ZXVMZXVM", s[268..]); // hypervisor vendor identity
        AcpiTable.Seal(f);
        return f;
    }

    /// <summary>MADT: the local APIC address (no PC-AT 8259s), every processor's local APIC, the IO-APIC (GSI 0..23) and LINT1 as NMI.</summary>
    public static byte[] Madt(AcpiMachine machine)
    {
        const int lapic = 8, ioapic = 12, lapicNmi = 6;
        int processors = machine.ProcessorCount;
        if (processors is < 1 or > 255)
            throw new ArgumentOutOfRangeException(nameof(machine), processors, "the MADT describes 1 to 255 xAPIC processors");
        byte[] m = AcpiTable.Create("APIC", MadtRevision, AcpiTable.HeaderSize + 8 + processors * lapic + ioapic + lapicNmi);
        Span<byte> s = m.AsSpan(AcpiTable.HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(s, machine.LocalApicAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 0); // flags: no PCAT_COMPAT
        s = s[8..];
        for (int cpu = 0; cpu < processors; cpu++)
        {
            s[0] = 0; s[1] = lapic; s[2] = (byte)cpu; s[3] = (byte)cpu; BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 1); // uid, APIC id, enabled
            s = s[lapic..];
        }
        s[0] = 1; s[1] = ioapic; s[2] = machine.IoApicId; s[3] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], machine.IoApicAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], 0); // GSI base
        s = s[ioapic..];
        s[0] = 4; s[1] = lapicNmi; s[2] = 0xFF; BinaryPrimitives.WriteUInt16LittleEndian(s[3..], 0); s[5] = 1; // all processors, LINT1
        AcpiTable.Seal(m);
        return m;
    }

    /// <summary>DSDT: \_SB_ with the serial ports and virtio-mmio devices, and \_S5_ for soft-off.</summary>
    public static byte[] Dsdt(AcpiMachine machine)
    {
        var devices = new List<byte[]>();
        int uid = 0;
        foreach (AcpiSerialPort com in machine.SerialPorts)
        {
            devices.Add(Aml.Device(com.Name,
                Aml.Name("_HID", Aml.EisaId("PNP0501")),
                Aml.Name("_UID", Aml.Integer((ulong)uid++)),
                Aml.Name("_CRS", Aml.ResourceTemplate(Aml.IoPort(com.Port, 8), Aml.IrqNoFlags(com.Irq)))));
        }
        uid = 0;
        foreach (AcpiVirtioMmio v in machine.VirtioDevices)
        {
            devices.Add(Aml.Device(v.Name,
                Aml.Name("_HID", Aml.String("LNRO0005")),
                Aml.Name("_UID", Aml.Integer((ulong)uid++)),
                Aml.Name("_CRS", Aml.ResourceTemplate(Aml.Memory32Fixed(v.Address, v.Length), Aml.ExtendedInterruptEdge(v.Gsi)))));
        }
        byte[] body =
        [
            .. Aml.Scope("\\_SB_", [.. devices]),
            .. Aml.Name("\\_S5_", Aml.Package(Aml.Integer(machine.S5SleepType), Aml.Integer(machine.S5SleepType))),
        ];
        byte[] d = AcpiTable.Create("DSDT", DsdtRevision, AcpiTable.HeaderSize + body.Length);
        body.CopyTo(d, AcpiTable.HeaderSize);
        AcpiTable.Seal(d);
        return d;
    }

    private static ulong Align(int size) => ((ulong)size + 15) & ~15UL;

    private static void Place(byte[] blob, ulong baseAddress, ulong at, byte[] table) => table.CopyTo(blob, (int)(at - baseAddress));
}
