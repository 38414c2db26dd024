using Zircon.Vmm.Boot;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Boot;

/// <summary>The PVH loader on Debian's real vmlinux; addresses checked against its System.map.</summary>
public class PvhElfKernelTests
{
    [DebianKernelFact]
    public void TheVmlinuxPvhEntry_IsTheType18XenNote_OfTheNotesSection_InsideText()
    {
        var kernel = (PvhElfKernel)LinuxKernel.Parse(DebianKernel.Vmlinux);
        Assert.Equal(LinuxBootProtocol.Pvh, kernel.Protocol);
        // Read the note again through the .notes section header: namesz 4 "Xen\0", type 18, an 8-byte address.
        (_, ulong offset, ulong size, _) = DebianKernel.Section(".notes");
        byte[] notes = DebianKernel.Vmlinux.AsSpan((int)offset, (int)size).ToArray();
        ulong? expected = null;
        for (int at = 0; at + 12 <= notes.Length;)
        {
            uint namesz = BitConverter.ToUInt32(notes, at), descsz = BitConverter.ToUInt32(notes, at + 4), type = BitConverter.ToUInt32(notes, at + 8);
            int desc = at + 12 + (int)((namesz + 3) & ~3u);
            if (type == 18 && System.Text.Encoding.ASCII.GetString(notes, at + 12, 3) == "Xen")
                expected = BitConverter.ToUInt64(notes, desc);
            at = desc + (int)((descsz + 3) & ~3u);
        }
        Assert.Equal(expected, kernel.PvhEntry);
        (ulong text, _, ulong textSize, _) = DebianKernel.Section(".text");
        Assert.InRange(kernel.PvhEntry, text - DebianKernel.StartKernelMap, text - DebianKernel.StartKernelMap + textSize);
    }

    [DebianKernelFact]
    public void TheVmlinuxSegments_StartAtPhysicalStart_AndCoverTheWholeImageUpToEnd()
    {
        var kernel = (PvhElfKernel)LinuxKernel.Parse(DebianKernel.Vmlinux);
        Assert.Equal(0x100_0000UL, kernel.Footprint.Start);
        Assert.Equal(DebianKernel.Section(".text").Address - DebianKernel.StartKernelMap, kernel.Footprint.Start);
        (ulong bss, _, ulong bssSize, uint type) = DebianKernel.Section(".bss");
        Assert.Equal(8u, type); // SHT_NOBITS
        Assert.True(kernel.Footprint.End >= bss - DebianKernel.StartKernelMap + bssSize, "the footprint covers .bss");
        Assert.All(kernel.Segments, s => Assert.True(s.FileSize <= s.MemorySize));
        Assert.Equal(LinuxKernel.DefaultMaxCommandLine, kernel.MaxCommandLine);
    }

    [DebianKernelFact]
    public void LoadingTheVmlinux_CopiesSegments_AndClearsBss()
    {
        var kernel = (PvhElfKernel)LinuxKernel.Parse(DebianKernel.Vmlinux);
        var ram = new byte[kernel.Footprint.End];
        ram.AsSpan().Fill(0xAA);
        kernel.LoadInto(ram);
        foreach (PvhElfKernel.ElfSegment s in kernel.Segments)
        {
            Assert.True(ram.AsSpan((int)s.PhysicalAddress, 256).SequenceEqual(DebianKernel.Vmlinux.AsSpan((int)s.Offset, 256)));
            if (s.MemorySize > s.FileSize)
                Assert.Equal(0, ram[(int)(s.PhysicalAddress + s.MemorySize - 1)]);
        }
    }

    [DebianKernelFact]
    public void AVmlinuxWithoutItsNotes_IsRefused_WithAHint()
    {
        byte[] copy = (byte[])DebianKernel.Vmlinux.Clone();
        // Turn every PT_NOTE program header into PT_NULL.
        ulong phoff = BitConverter.ToUInt64(copy, 32);
        int phentsize = BitConverter.ToUInt16(copy, 54), phnum = BitConverter.ToUInt16(copy, 56);
        for (int i = 0; i < phnum; i++)
        {
            int at = (int)phoff + i * phentsize;
            if (BitConverter.ToUInt32(copy, at) == 4)
                BitConverter.GetBytes(0u).CopyTo(copy, at);
        }
        var e = Assert.Throws<BootImageException>(() => LinuxKernel.Parse(copy));
        Assert.Contains("XEN_ELFNOTE_PHYS32_ENTRY", e.Message);
    }

    [DebianKernelFact]
    public void ATruncatedVmlinux_IsRefused()
    {
        byte[] cut = DebianKernel.Vmlinux[..(DebianKernel.Vmlinux.Length / 3)];
        Assert.Contains("outside the file", Assert.Throws<BootImageException>(() => LinuxKernel.Parse(cut)).Message);
    }

    [Fact]
    public void A32BitElf_IsRefused()
    {
        byte[] elf = new byte[64];
        new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }.CopyTo(elf, 0);
        elf[4] = 1;
        elf[5] = 1;
        Assert.Contains("x86-64 ELF64", Assert.Throws<BootImageException>(() => LinuxKernel.Parse(elf)).Message);
    }
}
