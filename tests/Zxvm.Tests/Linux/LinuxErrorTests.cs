using System.Buffers.Binary;
using Zircon.TestSupport;
using Zircon.Vmm.Tests.Support;
using Zxvm.Tests.Support;

namespace Zxvm.Tests.Linux;

/// <summary>Bad Linux input: one "zxvm:" line, a non-zero exit, no stack trace — whether or not the host can run guests.</summary>
[Collection(ZxvmCollection.Name)]
public sealed class LinuxErrorTests : IDisposable
{
    private const int UsageError = ExitCodes.Usage, MachineError = ExitCodes.BadFile;
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static async Task<string> Fails(int exitCode, params string[] args)
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, args);
        Assert.Empty(result.Stdout);
        return ZxvmAssert.FailsWithOneLine(result, exitCode);
    }

    [Fact]
    public async Task AFileThatIsNotAKernel()
    {
        string path = _files.Write("notes.txt", "just some text, not a kernel\n"u8.ToArray());
        Assert.Equal("zxvm: not a Linux kernel: neither an ELF vmlinux nor a bzImage (no \"HdrS\" setup header at 0x202)", await Fails(MachineError, "run", "--kernel", path));
    }

    [Fact]
    public async Task AMissingKernel() => Assert.Contains("--kernel: no such file", await Fails(MachineError, "run", "--kernel", "/nonexistent/vmlinuz"));

    [DebianKernelFact]
    public async Task ATruncatedBzImage()
    {
        string path = _files.Write("truncated-bzImage", DebianKernel.BzImage[..(DebianKernel.BzImage.Length / 2)]);
        Assert.StartsWith("zxvm: truncated bzImage: the setup header promises", await Fails(MachineError, "run", "--kernel", path));
    }

    [DebianKernelFact]
    public async Task ABootProtocolTooOld()
    {
        byte[] old = (byte[])DebianKernel.BzImage.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(old.AsSpan(0x206), 0x0204);
        string path = _files.Write("old-bzImage", old);
        Assert.Equal("zxvm: bzImage boot protocol 2.04 is too old: 2.12 or later is required", await Fails(MachineError, "run", "--kernel", path));
    }

    [DebianKernelFact]
    public async Task AnInitrdThatDoesNotFitInRam()
    {
        string initrd = _files.Write("big-initrd", new byte[40 << 20]);
        string line = await Fails(MachineError, "run", "--kernel", DebianKernel.VmlinuxPath, "--initrd", initrd, "--memory", "96M");
        Assert.StartsWith("zxvm: the initrd (41943040 bytes) does not fit in guest RAM above the kernel", line);
    }

    [DebianKernelFact]
    public async Task ACommandLineLongerThanTheKernelAccepts()
    {
        string line = await Fails(MachineError, "run", "--kernel", DebianKernel.BzImagePath, "--cmdline", new string('x', 2048));
        Assert.Equal("zxvm: the command line is 2048 bytes; this kernel accepts at most 2047", line);
    }

    [DebianKernelFact]
    public async Task TooLittleRamForTheKernel()
    {
        string line = await Fails(MachineError, "run", "--kernel", DebianKernel.BzImagePath, "--memory", "48M");
        Assert.Equal("zxvm: the kernel needs RAM at 0x1000000..0x4378000 (68 MiB at least); guest RAM is 48 MiB", line);
    }

    [Fact]
    public async Task InitrdWithoutKernel() => Assert.Equal("zxvm: --initrd goes with --kernel", await Fails(UsageError, "run", "--initrd", "x"));

    [Fact]
    public async Task KernelWithImage() => Assert.Equal("zxvm: --kernel and --image both name what to boot; give one", await Fails(UsageError, "run", "--kernel", "k", "--image", "i"));

    [Fact]
    public async Task CmdlineWithoutValue() => Assert.Contains("'--cmdline'", await Fails(UsageError, "run", "--kernel", "k", "--cmdline"));
}
