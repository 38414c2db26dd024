using System.Buffers.Binary;
using System.Text;
using Zircon.Vmm.Boot;
using Zircon.Vmm.Boot.Acpi;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Boot;

/// <summary>
/// The whole loader on Debian's kernels into a RAM buffer: boot_params (zero-page.rst) and
/// hvm_start_info (Xen's start_info.h) read back field by field at their documented offsets.
/// </summary>
public class LinuxBootTests
{
    private const ulong Ram = 128UL << 20;
    private static readonly AcpiMachine Acpi = LinuxMachineLayout.Acpi(withDisk: true);

    [DebianKernelFact]
    public void BzImage_BootParams_FieldByField()
    {
        var kernel = LinuxKernel.Parse(DebianKernel.BzImage);
        var map = new LinuxMemoryMap(Ram);
        var ram = new byte[Ram];
        byte[] initrd = Encoding.ASCII.GetBytes("070701 an initrd");
        LinuxEntry entry = LinuxBoot.Load(ram, kernel, initrd, "console=ttyS0 quiet", map, Acpi);

        Assert.Equal(0x100_0200UL, entry.Rip);                 // 64-bit entry: load address + 0x200
        Assert.Equal(LinuxMemoryMap.ZeroPage, entry.Rsi);      // RSI = boot_params
        ReadOnlySpan<byte> zp = ram.AsSpan((int)LinuxMemoryMap.ZeroPage, 4096);
        // The kernel's own setup header, copied from 0x1F1 to its end.
        int end = 0x202 + DebianKernel.BzImage[0x201];
        Assert.Equal("HdrS", Encoding.ASCII.GetString(zp.Slice(0x202, 4)));
        Assert.True(zp.Slice(0x1F1, 0x210 - 0x1F1).SequenceEqual(DebianKernel.BzImage.AsSpan(0x1F1, 0x210 - 0x1F1)));
        Assert.Equal(0, zp[0x1EF]);                              // sentinel
        Assert.Equal(0xFF, zp[0x210]);                           // type_of_loader
        Assert.Equal(0, zp[0x211] & 0x80);                       // no CAN_USE_HEAP
        Assert.Equal(0x100_0000u, BinaryPrimitives.ReadUInt32LittleEndian(zp[0x214..]));  // code32_start
        Assert.Equal((uint)LinuxMemoryMap.CommandLine, BinaryPrimitives.ReadUInt32LittleEndian(zp[0x228..]));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(zp[0x0C8..]));          // ext_cmd_line_ptr
        uint initrdAt = BinaryPrimitives.ReadUInt32LittleEndian(zp[0x218..]);
        Assert.Equal((uint)initrd.Length, BinaryPrimitives.ReadUInt32LittleEndian(zp[0x21C..]));
        Assert.Equal(0u, initrdAt % 4096);
        Assert.True(initrdAt + (ulong)initrd.Length <= Ram && Ram - initrdAt < 8192, "the initrd sits at the top of RAM");
        Assert.True(ram.AsSpan((int)initrdAt, initrd.Length).SequenceEqual(initrd));
        Assert.Equal(LinuxMemoryMap.AcpiTables, BinaryPrimitives.ReadUInt64LittleEndian(zp[0x070..])); // acpi_rsdp_addr
        Assert.Equal("console=ttyS0 quiet\0", Encoding.ASCII.GetString(ram, (int)LinuxMemoryMap.CommandLine, 20));
        Assert.Equal(end, ((BzImageKernel)kernel).Header.EndOffset);

        // e820: count at 0x1E8, 20-byte entries at 0x2D0, exactly the memory map.
        Assert.Equal(map.Entries.Count, zp[0x1E8]);
        for (int i = 0; i < map.Entries.Count; i++)
        {
            ReadOnlySpan<byte> e = zp.Slice(0x2D0 + 20 * i, 20);
            Assert.Equal(map.Entries[i], new E820Entry(BinaryPrimitives.ReadUInt64LittleEndian(e), BinaryPrimitives.ReadUInt64LittleEndian(e[8..]), (E820Type)BinaryPrimitives.ReadUInt32LittleEndian(e[16..])));
        }
        Assert.Equal(new E820Entry(0x10_0000, Ram - 0x10_0000, E820Type.Ram), map.Entries[^1]);
        Assert.Equal(0, zp[0x2D0 + 20 * map.Entries.Count]); // nothing after the table
    }

    [DebianKernelFact]
    public void Pvh_HvmStartInfo_MemoryMap_Module_AndTrampoline()
    {
        var kernel = (PvhElfKernel)LinuxKernel.Parse(DebianKernel.Vmlinux);
        var map = new LinuxMemoryMap(Ram);
        var ram = new byte[Ram];
        byte[] initrd = new byte[10_000];
        Random.Shared.NextBytes(initrd);
        LinuxEntry entry = LinuxBoot.Load(ram, kernel, initrd, "console=ttyS0 earlyprintk=serial,ttyS0,115200", map, Acpi);

        Assert.Equal(LinuxMemoryMap.PvhTrampoline, entry.Rip);
        ReadOnlySpan<byte> si = ram.AsSpan((int)LinuxMemoryMap.ZeroPage, 56);
        Assert.Equal(0x336EC578u, BinaryPrimitives.ReadUInt32LittleEndian(si));        // magic
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(si[4..]));            // version
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(si[8..]));            // flags
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(si[12..]));           // nr_modules
        ulong modlist = BinaryPrimitives.ReadUInt64LittleEndian(si[16..]);
        Assert.Equal(LinuxMemoryMap.CommandLine, BinaryPrimitives.ReadUInt64LittleEndian(si[24..]));
        Assert.Equal(LinuxMemoryMap.AcpiTables, BinaryPrimitives.ReadUInt64LittleEndian(si[32..]));  // rsdp_paddr
        ulong memmap = BinaryPrimitives.ReadUInt64LittleEndian(si[40..]);
        Assert.Equal((uint)map.Entries.Count, BinaryPrimitives.ReadUInt32LittleEndian(si[48..]));
        for (int i = 0; i < map.Entries.Count; i++)
        {
            ReadOnlySpan<byte> e = ram.AsSpan((int)memmap + 24 * i, 24);
            Assert.Equal(map.Entries[i], new E820Entry(BinaryPrimitives.ReadUInt64LittleEndian(e), BinaryPrimitives.ReadUInt64LittleEndian(e[8..]), (E820Type)BinaryPrimitives.ReadUInt32LittleEndian(e[16..])));
            Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(e[20..]));
        }
        ReadOnlySpan<byte> module = ram.AsSpan((int)modlist, 32);
        ulong initrdAt = BinaryPrimitives.ReadUInt64LittleEndian(module);
        Assert.Equal((ulong)initrd.Length, BinaryPrimitives.ReadUInt64LittleEndian(module[8..]));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(module[16..]));       // no module command line
        Assert.True(ram.AsSpan((int)initrdAt, initrd.Length).SequenceEqual(initrd));
        Assert.True(initrdAt >= kernel.Footprint.End);

        // The trampoline ends by loading EBX = start_info and jumping to the PVH entry.
        byte[] tail = [0xBB, .. BitConverter.GetBytes((uint)LinuxMemoryMap.ZeroPage), 0xB8, .. BitConverter.GetBytes(kernel.PvhEntry), 0xFF, 0xE0];
        Assert.True(ram.AsSpan((int)LinuxMemoryMap.PvhTrampoline, PvhTrampoline.Size).IndexOf(tail) > 0);
    }

    [DebianKernelFact]
    public void TheKernel_TheBootStructures_AndTheAcpiTables_LieWhereTheMemoryMapSays()
    {
        foreach (byte[] file in new[] { DebianKernel.BzImage, DebianKernel.Vmlinux })
        {
            var kernel = LinuxKernel.Parse(file);
            var map = new LinuxMemoryMap(Ram);
            LinuxBootPlacement p = LinuxBoot.Plan(kernel, 4096, "x", map);
            Assert.True(map.IsRam(p.KernelStart, p.KernelEnd - p.KernelStart));
            Assert.True(map.IsRam(p.InitrdAddress, p.InitrdSize));
            Assert.True(map.IsRam(LinuxMemoryMap.ZeroPage, 4096));
            Assert.True(map.IsRam(p.CommandLine, LinuxMemoryMap.CommandLineCapacity));
            Assert.False(map.IsRam(LinuxMemoryMap.AcpiTables, 1), "ACPI tables are in reserved memory");
        }
    }

    [DebianKernelFact]
    public void AnInitrdThatDoesNotFit_ACommandLineTooLong_AndTooLittleRam_AreOneLineErrors()
    {
        var kernel = LinuxKernel.Parse(DebianKernel.BzImage);
        var map = new LinuxMemoryMap(Ram);
        var e1 = Assert.Throws<BootImageException>(() => LinuxBoot.Plan(kernel, (int)(Ram - 0x400_0000), "", map));
        Assert.StartsWith("the initrd (", e1.Message);
        var e2 = Assert.Throws<BootImageException>(() => LinuxBoot.Plan(kernel, 0, new string('a', 2048), map));
        Assert.Equal("the command line is 2048 bytes; this kernel accepts at most 2047", e2.Message);
        LinuxBoot.Plan(kernel, 0, new string('a', 2047), map); // the longest accepted
        var e3 = Assert.Throws<BootImageException>(() => LinuxBoot.Plan(kernel, 0, "", new LinuxMemoryMap(48UL << 20)));
        Assert.StartsWith("the kernel needs RAM at 0x1000000..", e3.Message);
    }
}
