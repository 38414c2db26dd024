using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Zircon.Vmm.Boot.Acpi;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Boot;

/// <summary>The Linux machine's ACPI tables, read back as an OS reads them (checksums, pointers, fields, AML).</summary>
public class AcpiTablesTests
{
    private const ulong Base = 0xE_0000;
    private static readonly AcpiMachine Machine = LinuxMachineLayout.Acpi(withDisk: true);
    private readonly AcpiReader _reader = new(AcpiTables.Build(Machine, Base), Base);

    private Dictionary<string, (ulong Address, byte[] Table)> Tables()
    {
        ReadOnlySpan<byte> rsdp = _reader.At(Base, 36);
        Assert.Equal("RSD PTR ", Encoding.ASCII.GetString(rsdp[..8]));
        Assert.Equal(0, AcpiReader.Sum(rsdp[..20]));
        Assert.Equal(0, AcpiReader.Sum(rsdp));
        Assert.Equal(2, rsdp[15]);
        Assert.Equal(36u, BinaryPrimitives.ReadUInt32LittleEndian(rsdp[20..]));
        byte[] xsdt = _reader.Table(BinaryPrimitives.ReadUInt64LittleEndian(rsdp[24..]));
        byte[] rsdt = _reader.Table(BinaryPrimitives.ReadUInt32LittleEndian(rsdp[16..]));
        Assert.Equal("XSDT", AcpiReader.Signature(xsdt));
        Assert.Equal("RSDT", AcpiReader.Signature(rsdt));
        var tables = new Dictionary<string, (ulong, byte[])>();
        for (int i = 36; i < xsdt.Length; i += 8)
        {
            ulong address = BinaryPrimitives.ReadUInt64LittleEndian(xsdt.AsSpan(i));
            Assert.Equal(address, BinaryPrimitives.ReadUInt32LittleEndian(rsdt.AsSpan(36 + (i - 36) / 2))); // RSDT agrees
            byte[] table = _reader.Table(address);
            tables.Add(AcpiReader.Signature(table), (address, table));
        }
        byte[] fadt = tables["FACP"].Item2;
        ulong dsdt = BinaryPrimitives.ReadUInt64LittleEndian(fadt.AsSpan(140));
        Assert.Equal(dsdt, BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(40)));
        tables.Add("DSDT", (dsdt, _reader.Table(dsdt)));
        return tables;
    }

    [Fact]
    public void Rsdp_Xsdt_Rsdt_PointToFadtAndMadt_AllChecksumsZero()
    {
        Assert.Equal(["APIC", "DSDT", "FACP"], Tables().Keys.Order());
    }

    [Fact]
    public void Fadt_IsHardwareReduced_WithResetAndSleepRegistersOnTheAcpiPorts()
    {
        byte[] f = Tables()["FACP"].Table;
        Assert.Equal(276, f.Length);
        Assert.Equal(6, f[8]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(112));
        Assert.NotEqual(0u, flags & (1u << 20)); // HW_REDUCED_ACPI
        Assert.NotEqual(0u, flags & (1u << 10)); // RESET_REG_SUP
        ushort bootArch = BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(109));
        Assert.Equal(0, bootArch & 0x3);           // no legacy devices, no 8042
        Assert.NotEqual(0, bootArch & (1 << 5));  // no CMOS RTC
        AssertIoGas(f.AsSpan(116), LinuxMachineLayout.AcpiPortBase + 2);   // RESET_REG
        Assert.Equal(LinuxMachineLayout.ResetValue, f[128]);
        AssertIoGas(f.AsSpan(244), LinuxMachineLayout.AcpiPortBase);       // SLEEP_CONTROL_REG
        AssertIoGas(f.AsSpan(256), LinuxMachineLayout.AcpiPortBase + 1);   // SLEEP_STATUS_REG
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(f.AsSpan(76))); // no PM timer
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(f.AsSpan(46)));  // no SCI
    }

    private static void AssertIoGas(ReadOnlySpan<byte> gas, int port)
    {
        Assert.Equal(1, gas[0]);  // system I/O
        Assert.Equal(8, gas[1]);  // 8 bits
        Assert.Equal(0, gas[2]);
        Assert.Equal(1, gas[3]);  // byte access
        Assert.Equal((ulong)port, BinaryPrimitives.ReadUInt64LittleEndian(gas[4..]));
    }

    [Fact]
    public void Madt_HasTheLocalApic_TheIoApicAtGsi0_AndNoPcatCompat()
    {
        byte[] m = Tables()["APIC"].Table;
        Assert.Equal(0xFEE0_0000u, BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(36)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(40)));
        var entries = new List<(byte Type, byte[] Body)>();
        for (int i = 44; i < m.Length; i += m[i + 1])
            entries.Add((m[i], m.AsSpan(i, m[i + 1]).ToArray()));
        Assert.Equal([0, 1, 4], entries.Select(e => e.Type));
        byte[] lapic = entries[0].Body;
        Assert.Equal((0, 0, 1u), (lapic[2], lapic[3], BinaryPrimitives.ReadUInt32LittleEndian(lapic.AsSpan(4))));
        byte[] ioapic = entries[1].Body;
        Assert.Equal(LinuxMachineLayout.IoApicId, ioapic[2]);
        Assert.Equal(0xFEC0_0000u, BinaryPrimitives.ReadUInt32LittleEndian(ioapic.AsSpan(4)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(ioapic.AsSpan(8)));
        Assert.Equal(1, entries[2].Body[5]); // NMI on LINT1
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Madt_ListsEveryProcessor_WithUidAndApicIdItsNumber_AllEnabled(int processors)
    {
        byte[] m = AcpiTables.Madt(LinuxMachineLayout.Acpi(withDisk: false, processors));
        Assert.Equal(0, AcpiReaderChecksum(m));
        var lapics = new List<byte[]>();
        for (int i = 44; i < m.Length; i += m[i + 1])
            if (m[i] == 0)
                lapics.Add(m.AsSpan(i, m[i + 1]).ToArray());
        Assert.Equal(processors, lapics.Count);
        for (int cpu = 0; cpu < processors; cpu++)
            Assert.Equal((cpu, cpu, 1u), (lapics[cpu][2], lapics[cpu][3], BinaryPrimitives.ReadUInt32LittleEndian(lapics[cpu].AsSpan(4))));
    }

    [Fact]
    public void Madt_RefusesProcessorCountsAnXapicMadtCannotDescribe() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => AcpiTables.Madt(LinuxMachineLayout.Acpi(withDisk: false, 256)));

    private static int AcpiReaderChecksum(byte[] table) => table.Aggregate(0, (sum, b) => (sum + b) & 0xFF);

    [Fact]
    public void Dsdt_DescribesCom1_TheVirtioMmioDevices_AndS5()
    {
        byte[] d = Tables()["DSDT"].Table;
        Dictionary<string, byte[]> names = AcpiReader.WalkAml(d.AsSpan(36)).ToDictionary(n => n.Path, n => n.Value);
        Assert.Equal([0x0C, 0x41, 0xD0, 0x05, 0x01], names["\\_SB_.COM1._HID"]); // EisaId("PNP0501")
        // IO(Decode16, 0x3F8, 0x3F8, 1, 8), IRQNoFlags {4}, End
        Assert.Equal([0x11, 0x10, 0x0A, 0x0D, 0x47, 0x01, 0xF8, 0x03, 0xF8, 0x03, 0x01, 0x08, 0x22, 0x10, 0x00, 0x79, 0x00], names["\\_SB_.COM1._CRS"]);
        foreach ((string dev, uint address, uint gsi) in new[] { ("VR00", 0xD000_0000u, 5u), ("VR01", 0xD000_2000u, 6u) })
        {
            Assert.Equal("LNRO0005\0", Encoding.ASCII.GetString(names[$"\\_SB_.{dev}._HID"].AsSpan(1)));
            byte[] crs = names[$"\\_SB_.{dev}._CRS"];
            byte[] memory = [0x86, 0x09, 0x00, 0x01, .. BitConverter.GetBytes(address), .. BitConverter.GetBytes(0x200u)];
            byte[] interrupt = [0x89, 0x06, 0x00, 0x03, 0x01, .. BitConverter.GetBytes(gsi)]; // consumer, edge, active high
            Assert.Equal([.. memory, .. interrupt, 0x79, 0x00], crs[4..]);
        }
        Assert.Equal([0x12, 0x06, 0x02, 0x0A, 0x05, 0x0A, 0x05], names["\\_S5_"]);
    }

    [Fact]
    public void WithoutADisk_OnlyTheConsoleIsDescribed()
    {
        byte[] dsdt = AcpiTables.Dsdt(LinuxMachineLayout.Acpi(withDisk: false));
        var names = AcpiReader.WalkAml(dsdt.AsSpan(36)).Select(n => n.Path).ToList();
        Assert.Contains("\\_SB_.VR00._HID", names);
        Assert.DoesNotContain("\\_SB_.VR01._HID", names);
    }

    [Fact]
    public void PkgLength_UsesOneToFourBytes_AsTheSpecSays()
    {
        Assert.Equal([0x05, 1, 2, 3, 4], Aml.PkgLength([1, 2], [3, 4]));
        byte[] body = new byte[100];
        byte[] encoded = Aml.PkgLength([], body);
        Assert.Equal((102, 2), AcpiReader.PkgLength(encoded));
        Assert.Equal(0x40 | (102 & 0xF), encoded[0]);
        Assert.Equal((5000 + 3, 3), AcpiReader.PkgLength(Aml.PkgLength([], new byte[5000])));
    }

    private static readonly string? s_iasl = Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(p => Path.Combine(p, "iasl")).FirstOrDefault(File.Exists);

    /// <summary>Runs where ACPICA's iasl is installed (Debian: acpica-tools); the AML walker checks the DSDT everywhere.</summary>
    public sealed class IaslFactAttribute : FactAttribute
    {
        public IaslFactAttribute()
        {
            if (s_iasl is null)
                Skip = "needs iasl (apt-get install acpica-tools) to disassemble the DSDT";
        }
    }

    [IaslFact]
    public void IaslDisassemblesTheDsdt_WithoutErrors()
    {
        string iasl = s_iasl!;
        string dir = Directory.CreateTempSubdirectory("zxvm-acpi").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "dsdt.dat"), AcpiTables.Dsdt(Machine));
            var start = new ProcessStartInfo(iasl, "-d dsdt.dat") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
            using Process p = Process.Start(start)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, output);
            string dsl = File.ReadAllText(Path.Combine(dir, "dsdt.dsl"));
            Assert.Contains("EisaId (\"PNP0501\")", dsl);
            Assert.Contains("Name (_HID, \"LNRO0005\")", dsl);
            Assert.Contains("Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, )", dsl);
            Assert.Contains("0xD0002000", dsl);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
