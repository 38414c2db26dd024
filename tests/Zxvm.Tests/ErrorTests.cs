using Zircon.TestSupport;
using Zxvm.Tests.Support;

namespace Zxvm.Tests;

/// <summary>Every way zxvm can fail ends with a non-zero exit and exactly one "zxvm:" line on stderr.</summary>
[Collection(ZxvmCollection.Name)]
public sealed class ErrorTests : IDisposable
{
    private const int UsageError = ExitCodes.Usage, FileError = ExitCodes.BadFile, MachineError = ExitCodes.MachineFailed;

    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static async Task<string> Fails(int exitCode, params string[] args)
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, args);
        Assert.Empty(result.Stdout);
        return ZxvmAssert.FailsWithOneLine(result, exitCode);
    }

    [Fact]
    public async Task NoArguments() => Assert.Contains("missing command", await Fails(UsageError));

    [Fact]
    public async Task UnknownCommand() => Assert.Contains("'frobnicate'", await Fails(UsageError, "frobnicate"));

    [Fact]
    public async Task UnknownOption() => Assert.Contains("'--frobnicate'", await Fails(UsageError, "run", "--frobnicate"));

    [Fact]
    public async Task RepeatedImage() => Assert.Contains("--image given 2 times", await Fails(UsageError, "run", "--image", "a", "--image=b"));

    [Fact]
    public async Task SecondDisk() => Assert.Contains("one disk", await Fails(UsageError, "run", "--disk", "a", "--disk", "b"));

    [Fact]
    public async Task ConflictingLogLevels() => Assert.Contains("--log-level and --verbose", await Fails(UsageError, "run", "--verbose", "--log-level=error"));

    [Fact]
    public async Task BadLogLevel() => Assert.Contains("'loud'", await Fails(UsageError, "run", "--log-level", "loud"));

    [Theory]
    [InlineData("0", "--cpus must be between 1 and 64 (got 0)")]
    [InlineData("65", "--cpus must be between 1 and 64 (got 65)")]
    [InlineData("abc", "--cpus: 'abc' is not a number of processors (1 to 64)")]
    public async Task BadCpus(string value, string expected) => Assert.Contains(expected, await Fails(UsageError, "run", "--cpus", value));

    [Fact]
    public async Task UnexpectedArgument() => Assert.Contains("'extra'", await Fails(UsageError, "run", "extra"));

    [Fact]
    public async Task OptionWithoutValue() => Assert.Contains("'--memory'", await Fails(UsageError, "run", "--memory"));

    [Fact]
    public async Task MemoryTooLarge() => Assert.Contains("between 8M and 2047M", await Fails(UsageError, "run", "--memory", "3G"));

    [Fact]
    public async Task MemoryOfTwoGiB_IsOneTooMany() => Assert.Contains("between 8M and 2047M", await Fails(UsageError, "run", "--memory", "2G"));

    [Fact]
    public async Task MemoryTooSmall() => Assert.Contains("between 8M and 2047M", await Fails(UsageError, "run", "--memory", "4M"));

    [Fact]
    public async Task MemoryNotASize() => Assert.Contains("'abc'", await Fails(UsageError, "run", "--memory", "abc"));

    [Fact]
    public async Task MemoryNotWholeMiB() => Assert.Contains("whole number of MiB", await Fails(UsageError, "run", "--memory", "9000K"));

    [Fact]
    public async Task EntryNotANumber() => Assert.Contains("'xyz'", await Fails(UsageError, "run", "--entry", "xyz"));

    [Fact]
    public async Task TimerPeriodZero() => Assert.Contains("--timer-us", await Fails(UsageError, "run", "--timer-us", "0"));


    [Fact]
    public async Task MissingImage() => Assert.Contains("/nonexistent/zxvm-image", await Fails(FileError, "run", "--image", "/nonexistent/zxvm-image"));

    [Fact]
    public async Task ImageThatIsADirectory() =>
        Assert.Contains("is a directory", await Fails(FileError, "run", "--image", Path.GetTempPath()));

    [Fact]
    public async Task EmptyImage() => Assert.Contains("empty", await Fails(FileError, "run", "--image", _files.Write("empty.bin", [])));

    [Fact]
    public async Task TruncatedElf()
    {
        byte[] elf = GuestImages.ElfPowerOff42()[..40];

        Assert.Contains("truncated ELF header", await Fails(FileError, "run", "--image", _files.Write("truncated.elf", elf)));
    }

    [Fact]
    public async Task Elf32()
    {
        byte[] elf = GuestImages.ElfPowerOff42();
        elf[4] = 1; // ELFCLASS32

        Assert.Contains("64-bit", await Fails(FileError, "run", "--image", _files.Write("elf32.elf", elf)));
    }

    [Fact]
    public async Task ElfForAnotherMachine()
    {
        var builder = new ElfBuilder { Entry = 0x20_0000, Machine = 183 }.Load(0x20_0000, GuestImages.PowerOff42);

        Assert.Contains("x86-64", await Fails(FileError, "run", "--image", _files.Write("arm.elf", builder.Build())));
    }

    [Fact]
    public async Task ElfWithoutLoadableSegments() =>
        Assert.Contains("no loadable segments", await Fails(FileError, "run", "--image", _files.Write("empty.elf", new ElfBuilder().Build())));

    [Fact]
    public async Task MissingDisk() => Assert.Contains("no such file: /nonexistent/zxvm-disk", await Fails(FileError, "run", "--disk", "/nonexistent/zxvm-disk"));

    [Fact]
    public async Task DiskSmallerThanASector() => Assert.Contains("512-byte sector", await Fails(FileError, "run", "--disk", _files.Write("tiny.img", new byte[100])));

    [Fact]
    public async Task DiskNotWholeSectors()
    {
        string line = await Fails(FileError, "run", "--disk", _files.Write("d1000.img", new byte[1000]));

        Assert.Contains("d1000.img is 1000 bytes, not a whole number of 512-byte sectors", line);
    }

    [Fact]
    public async Task DiskThatIsADirectory() => Assert.Contains("is a directory", await Fails(FileError, "run", "--disk", Path.GetTempPath()));

    [Fact]
    public async Task DiskThatIsADevice() => Assert.Contains("/dev/null is a character device", await Fails(FileError, "run", "--disk", "/dev/null"));

    [Fact]
    public async Task DiskNotWritable_AsksForRo()
    {
        // EACCES for writing even as root (sysfs refuses writes to read-only attributes).
        const string readOnly = "/sys/devices/system/cpu/online";
        string line = await Fails(FileError, "run", "--disk", readOnly);

        Assert.Contains("is read-only for zxvm", line);
        Assert.Contains($"--disk {readOnly},ro", line);
    }

    [NoKvmFact]
    public async Task HostWithoutKvm_SaysWhy()
    {
        string line = await Fails(ExitCodes.NoHypervisor, "run");

        Assert.Contains("this host cannot run guests", line);
        Assert.Contains("/dev/kvm", line);
        if (!File.Exists("/dev/kvm"))
            Assert.Contains("no KVM on this host: /dev/kvm does not exist", line);
    }

    [Fact]
    public async Task ImageLargerThanRam()
    {
        string image = _files.Write("huge.bin", new byte[9 << 20]);

        Assert.Contains("does not fit", await Fails(FileError, "run", "--image", image, "--memory", "8M"));
    }

    // Issue 8 item 6: what cannot be an image or a disk is refused at once, with the reason.

    [Fact]
    public async Task DevZeroAsImage_IsRefusedWithoutReadingIt()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Contains("--image: /dev/zero is a character device, not a regular file", await Fails(FileError, "run", "--image", "/dev/zero"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}"); // it read gigabytes before
    }

    [Fact]
    public async Task DevNullAsImage() => Assert.Contains("--image: /dev/null is a character device, not a regular file", await Fails(FileError, "run", "--image", "/dev/null"));

    [Fact]
    public async Task DirectoryAsImage() => Assert.Contains("--image: /tmp is a directory", await Fails(FileError, "run", "--image", "/tmp"));

    [Fact]
    public async Task DirectoryAsDisk() => Assert.Contains("--disk: /tmp is a directory", await Fails(FileError, "run", "--disk", "/tmp"));

    [Fact]
    public async Task DevZeroAsDisk() => Assert.Contains("--disk: /dev/zero is a character device, not a regular file", await Fails(FileError, "run", "--disk", "/dev/zero"));

    [KvmFact]
    public async Task ElfSegmentOverTheBootPageTables()
    {
        byte[] elf = new ElfBuilder { Entry = 0x1000 }.Load(0x1000, GuestImages.PowerOff42).Build();

        Assert.Contains("does not fit", await Fails(FileError, "run", "--image", _files.Write("low.elf", elf)));
    }

    [KvmFact]
    public async Task GuestThatTripleFaults()
    {
        string line = await Fails(MachineError, "run", "--image", _files.Write("ud2.bin", GuestImages.Ud2));

        Assert.Contains("the guest crashed", line);
        Assert.Contains("ZX_ERR_NOT_SUPPORTED", line);
    }

    [KvmFact]
    public async Task GuestThatUsesAnUntrappedPort()
    {
        string line = await Fails(MachineError, "run", "--image", _files.Write("port80.bin", GuestImages.OutToPort80));

        Assert.Contains("no device", line);
        Assert.Contains("I/O port 0x80", line);
        Assert.Contains("at RIP 0x100000", line); // out 0x80, al is the image's first instruction
    }
}
