using System.Buffers.Binary;
using Zircon.Vmm.Boot;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Boot;

/// <summary>The bzImage loader on Debian's real bzImage, checked against boot.rst's header layout.</summary>
public class BzImageKernelTests
{
    [DebianKernelFact]
    public void SetupHeader_OfDebiansKernel_IsReadFieldByField()
    {
        byte[] file = DebianKernel.BzImage;
        SetupHeader h = SetupHeader.Parse(file);
        Assert.Equal(0x53726448u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(0x202))); // "HdrS"
        Assert.Equal(BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(0x206)), h.Version);
        Assert.True(h.Version >= 0x020F, $"Debian 12's kernel speaks protocol 2.15, got {h.VersionText}");
        Assert.Equal(file[0x1F1], h.SetupSects);
        Assert.Equal((file[0x1F1] + 1) * 512, h.ProtectedModeOffset);
        Assert.Equal(0x202 + file[0x201], h.EndOffset);
        Assert.NotEqual(0, h.Xloadflags & SetupHeader.XlfKernel64);
        Assert.NotEqual(0, h.Loadflags & SetupHeader.LoadedHigh);
        Assert.True(h.Relocatable);
        Assert.Equal(0x20_0000u, h.KernelAlignment);          // CONFIG_PHYSICAL_ALIGN
        Assert.Equal(0x100_0000UL, h.PrefAddress);            // CONFIG_PHYSICAL_START
        Assert.Equal(2047u, h.CmdlineSize);                   // COMMAND_LINE_SIZE - 1
        Assert.Equal(0x7FFF_FFFFu, h.InitrdAddrMax);
        Assert.True(h.InitSize > file.Length - h.ProtectedModeOffset, "init_size covers the decompressed kernel");
        // syssize covers the protected-mode kernel; Debian's signed image adds its signature after it.
        long protectedMode = file.Length - h.ProtectedModeOffset;
        Assert.InRange(protectedMode - h.Syssize * 16L, 0, 4096);
        // The payload is the LZ4 stream scripts/linux-guest.sh unpacks (CONFIG_KERNEL_LZ4).
        Assert.Equal(0x184C2102u, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(h.ProtectedModeOffset + (int)h.PayloadOffset)));
    }

    [DebianKernelFact]
    public void DebiansBzImage_LoadsAtItsPreferredAddress_AndEntersAt64BitEntry()
    {
        var kernel = (BzImageKernel)LinuxKernel.Parse(DebianKernel.BzImage);
        Assert.Equal(LinuxBootProtocol.BzImage64, kernel.Protocol);
        Assert.Equal(0x100_0000UL, kernel.LoadAddress);
        Assert.Equal(0x100_0200UL, kernel.Entry);
        Assert.Equal(2047, kernel.MaxCommandLine);
        Assert.Equal(0x8000_0000UL, kernel.InitrdLimit);
        Assert.Equal((0x100_0000UL, 0x100_0000UL + kernel.Header.InitSize), kernel.Footprint);
        var ram = new byte[0x500_0000];
        kernel.LoadInto(ram);
        Assert.True(ram.AsSpan(0x100_0000, 4096).SequenceEqual(DebianKernel.BzImage.AsSpan(kernel.Header.ProtectedModeOffset, 4096)));
    }

    [DebianKernelFact]
    public void ATruncatedBzImage_IsRefused_WithOneLine()
    {
        byte[] truncated = DebianKernel.BzImage[..(DebianKernel.BzImage.Length / 2)];
        var e = Assert.Throws<BootImageException>(() => LinuxKernel.Parse(truncated));
        Assert.StartsWith("truncated bzImage", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [DebianKernelFact]
    public void ABootProtocolOlderThan2_12_IsRefused()
    {
        byte[] old = DebianKernel.BzImage[..0x1000];
        BinaryPrimitives.WriteUInt16LittleEndian(old.AsSpan(0x206), 0x0206);
        var e = Assert.Throws<BootImageException>(() => LinuxKernel.Parse(old));
        Assert.Equal("bzImage boot protocol 2.06 is too old: 2.12 or later is required", e.Message);
    }

    [DebianKernelFact]
    public void ABzImageWithout64BitEntry_IsRefused()
    {
        byte[] copy = (byte[])DebianKernel.BzImage.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(0x236), 0);
        Assert.Contains("XLF_KERNEL_64", Assert.Throws<BootImageException>(() => LinuxKernel.Parse(copy)).Message);
    }

    [Theory]
    [InlineData(new byte[0], "the kernel file is empty")]
    [InlineData(new byte[] { (byte)'#', (byte)'!', (byte)'/' }, "not a Linux kernel")]
    public void NotAKernel_IsRefused(byte[] bytes, string message)
    {
        Assert.StartsWith(message, Assert.Throws<BootImageException>(() => LinuxKernel.Parse(bytes)).Message);
    }

    [Fact]
    public void ALargeFileWithoutHdrS_IsNotAKernel()
    {
        var text = new byte[64 * 1024];
        text.AsSpan().Fill((byte)'x');
        Assert.StartsWith("not a Linux kernel", Assert.Throws<BootImageException>(() => LinuxKernel.Parse(text)).Message);
    }
}
