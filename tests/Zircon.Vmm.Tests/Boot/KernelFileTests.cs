using Zircon.Vmm.Boot;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Boot;

/// <summary>
/// zxvm opens --kernel with <see cref="LinuxKernel.Open"/>: a vmlinux is parsed from its headers and
/// its segments read from the file straight into RAM. The result must be what the whole file in
/// memory gives.
/// </summary>
public sealed class KernelFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("zxvm-kernel-file-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [DebianKernelFact]
    public void AVmlinuxOpenedFromItsFile_LoadsTheSameRam_AsTheWholeFileInMemory()
    {
        var fromFile = (PvhElfKernel)LinuxKernel.Open(DebianKernel.VmlinuxPath);
        var fromBytes = (PvhElfKernel)LinuxKernel.Parse(DebianKernel.Vmlinux);
        Assert.Equal(fromBytes.PvhEntry, fromFile.PvhEntry);
        Assert.Equal(fromBytes.Segments, fromFile.Segments);

        var expected = new byte[fromBytes.Footprint.End];
        var actual = new byte[fromFile.Footprint.End];
        actual.AsSpan().Fill(0xAA);
        expected.AsSpan().Fill(0xAA);
        fromBytes.LoadInto(expected);
        fromFile.LoadInto(actual);
        Assert.True(expected.AsSpan().SequenceEqual(actual), "the RAM loaded from the file differs");
    }

    [DebianKernelFact]
    public void ABzImageOpenedFromItsFile_IsTheSameKernel()
    {
        var fromFile = (BzImageKernel)LinuxKernel.Open(DebianKernel.BzImagePath);
        var fromBytes = (BzImageKernel)LinuxKernel.Parse(DebianKernel.BzImage);
        Assert.Equal((fromBytes.Entry, fromBytes.Footprint), (fromFile.Entry, fromFile.Footprint));
        Assert.True(fromBytes.ProtectedModeKernel.SequenceEqual(fromFile.ProtectedModeKernel));
    }

    [DebianKernelFact]
    public void AVmlinuxThatShrinksAfterItWasOpened_FailsWithOneClearMessage_WhenLoaded()
    {
        string path = Path.Combine(_directory, "vmlinux");
        File.WriteAllBytes(path, DebianKernel.Vmlinux);
        LinuxKernel kernel = LinuxKernel.Open(path);
        File.WriteAllBytes(path, DebianKernel.Vmlinux.AsSpan(0, 0x10_0000).ToArray()); // same file, truncated in place

        var e = Assert.Throws<BootImageException>(() => kernel.LoadInto(new byte[kernel.Footprint.End]));
        Assert.Contains("ends early", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AnEmptyFile_IsNotAKernel()
    {
        string path = Path.Combine(_directory, "empty");
        File.WriteAllBytes(path, []);
        Assert.Equal("the kernel file is empty", Assert.Throws<BootImageException>(() => LinuxKernel.Open(path)).Message);
    }
}
