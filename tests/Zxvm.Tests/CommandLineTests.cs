namespace Zxvm.Tests;

/// <summary>The argument parser on its own (no process, no guest).</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("8M", 8UL << 20)]
    [InlineData("64M", 64UL << 20)]
    [InlineData("64MiB", 64UL << 20)]
    [InlineData("64mb", 64UL << 20)]
    [InlineData("1G", 1UL << 30)]
    [InlineData("2047M", 2047UL << 20)]
    [InlineData("16384K", 16UL << 20)]
    [InlineData("16777216", 16UL << 20)]
    public void ParseMemory_AcceptsSizes(string text, ulong bytes) => Assert.Equal(bytes, CommandLine.ParseMemory(text));

    [Theory]
    [InlineData("2G", "between 8M and 2047M")] // guest RAM is one host span: below 2 GiB
    [InlineData("3G", "between 8M and 2047M")]
    [InlineData("4096G", "between 8M and 2047M")]
    [InlineData("99999999999999999999G", "not a size")]
    [InlineData("7M", "between 8M and 2047M")]
    [InlineData("0", "between 8M and 2047M")]
    [InlineData("abc", "not a size")]
    [InlineData("", "not a size")]
    [InlineData("-64M", "not a size")]
    [InlineData("8.5M", "not a size")]
    [InlineData("8193K", "whole number of MiB")]
    public void ParseMemory_RejectsWithAReason(string text, string reason)
    {
        var e = Assert.Throws<UsageException>(() => CommandLine.ParseMemory(text));
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("0x100000", 0x10_0000UL)]
    [InlineData("0X10", 0x10UL)]
    [InlineData("1048576", 0x10_0000UL)]
    public void ParseNumber_HexOrDecimal(string text, ulong value) => Assert.Equal(value, CommandLine.ParseNumber(text, "--entry"));

    [Theory]
    [InlineData("xyz")]
    [InlineData("0x")]
    [InlineData("0xg")]
    [InlineData("-1")]
    public void ParseNumber_RejectsNonNumbers(string text) =>
        Assert.Contains("--entry", Assert.Throws<UsageException>(() => CommandLine.ParseNumber(text, "--entry")).Message);

    [Fact]
    public void Run_Defaults()
    {
        var run = Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(["run"]));

        Assert.Equal(new RunOptions(), run.Options);
        Assert.Equal(64UL << 20, run.Options.MemoryBytes);
        Assert.Equal(10_000UL, run.Options.TimerMicroseconds);
        Assert.Equal(LogLevel.Warn, run.Options.LogLevel);
        Assert.Null(run.Options.ImagePath);
        Assert.Null(run.Options.Disk);
    }

    [Fact]
    public void Run_AllOptions()
    {
        var run = Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(
            ["run", "--image", "a.bin", "--memory", "16M", "--disk", "d.img", "--entry", "0x200000", "--timer-us", "500", "--log-level", "debug", "--log-file", "zxvm.log"]));

        Assert.Equal(new RunOptions
        {
            ImagePath = "a.bin", MemoryBytes = 16UL << 20, Disk = new DiskSpec("d.img", ReadOnly: false), Entry = 0x20_0000, TimerMicroseconds = 500,
            LogLevel = LogLevel.Debug, LogFile = "zxvm.log",
        }, run.Options);
    }

    [Fact]
    public void Run_EqualsFormIsTheSameAsTheSpacedForm()
    {
        var spaced = Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(["run", "--memory", "128M", "--image", "a.bin", "--disk", "d.img,ro", "--log-level", "trace"]));
        var equals = Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(["run", "--memory=128M", "--image=a.bin", "--disk=d.img,ro", "--log-level=trace"]));

        Assert.Equal(spaced.Options, equals.Options);
        Assert.Equal(128UL << 20, equals.Options.MemoryBytes);
        Assert.Equal(new DiskSpec("d.img", ReadOnly: true), equals.Options.Disk);
    }

    [Theory]
    [InlineData("--verbose", LogLevel.Info)]
    [InlineData("-v", LogLevel.Info)]
    [InlineData("--trace", LogLevel.Trace)]
    [InlineData("--log-level=error", LogLevel.Error)]
    [InlineData("--log-level=warn", LogLevel.Warn)]
    [InlineData("--log-level=info", LogLevel.Info)]
    public void Run_LogLevel_FromEveryOption(string option, LogLevel level) =>
        Assert.Equal(level, Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(["run", option])).Options.LogLevel);

    [Fact]
    public void Run_VerboseAndTrace_TraceWins() =>
        Assert.Equal(LogLevel.Trace, Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(["run", "--verbose", "--trace"])).Options.LogLevel);

    [Fact]
    public void Run_KernelOptions_AreParsedForTheLoader()
    {
        var run = Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(["run", "--kernel", "bzImage", "--initrd=initrd.img", "--cmdline", "console=ttyS0 quiet"]));

        Assert.Equal("bzImage", run.Options.KernelPath);
        Assert.Equal("initrd.img", run.Options.InitrdPath);
        Assert.Equal("console=ttyS0 quiet", run.Options.KernelCommandLine);
    }

    [Fact]
    public void Cpus_DefaultsToOne_AndTakesEitherForm()
    {
        Assert.Equal(1, Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(["run"])).Options.Cpus);
        Assert.Equal(2, Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(["run", "--cpus", "2"])).Options.Cpus);
        Assert.Equal(64, Assert.IsType<ParsedCommand.Run>(CommandLine.Parse(["run", "--cpus=64"])).Options.Cpus);
    }

    [Theory]
    [InlineData("d.img", "d.img", false)]
    [InlineData("d.img,ro", "d.img", true)]
    [InlineData("d.img,rw", "d.img", false)]
    [InlineData("dir,with,commas/d.img,ro", "dir,with,commas/d.img", true)]
    public void DiskSpec_ParsesTheReadOnlyFlag(string text, string path, bool readOnly) =>
        Assert.Equal(new DiskSpec(path, readOnly), DiskSpec.Parse(text));

    [Theory]
    [InlineData("--image a --image b", "--image given 2 times")]
    [InlineData("--image=a --image=b", "--image given 2 times")]
    [InlineData("--memory 64M --memory=32M", "--memory given 2 times")]
    [InlineData("--disk a --disk b", "--disk given twice: the zxvm machine has one disk")]
    [InlineData("--log-level info --verbose", "--log-level and --verbose both set the log level")]
    [InlineData("--trace --log-level=debug", "--log-level and --trace both set the log level")]
    [InlineData("--kernel k --image i", "--kernel and --image both name what to boot")]
    [InlineData("--initrd i", "--initrd goes with --kernel")]
    [InlineData("--cmdline x", "--cmdline goes with --kernel")]
    [InlineData("--log-level loud", "'loud'")]
    [InlineData("--frobnicate", "'--frobnicate'")]
    [InlineData("--memory", "--memory")]
    [InlineData("--memory=3G", "between 8M and 2047M")]
    [InlineData("--timer-us=0", "--timer-us must be between 1 and 10000000")]
    [InlineData("--entry=xyz", "--entry: 'xyz' is not a number")]
    [InlineData("--cpus 0", "--cpus must be between 1 and 64 (got 0)")]
    [InlineData("--cpus 65", "--cpus must be between 1 and 64 (got 65)")]
    [InlineData("--cpus=abc", "--cpus: 'abc' is not a number of processors")]
    [InlineData("--cpus -1", "--cpus")]
    [InlineData("--cpus 2 --cpus 3", "--cpus given 2 times")]
    public void Run_RefusesWithOneLine(string arguments, string expected)
    {
        var e = Assert.Throws<UsageException>(() => CommandLine.Parse(["run", .. arguments.Split(' ')]));

        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public void Run_Help_IsHelpNotAnError(string flag) =>
        Assert.IsType<ParsedCommand.Builtin>(CommandLine.Parse(["run", flag]));

    [Fact]
    public void Version_AloneOnly()
    {
        Assert.IsType<ParsedCommand.Version>(CommandLine.Parse(["--version"]));
        Assert.Contains("--version goes alone", Assert.Throws<UsageException>(() => CommandLine.Parse(["--version", "run"])).Message);
    }

    [Fact]
    public void Completion_Bash_OthersRefused()
    {
        Assert.Equal(new ParsedCommand.Completion("bash"), CommandLine.Parse(["completion", "bash"]));
        Assert.Contains("'zsh'", Assert.Throws<UsageException>(() => CommandLine.Parse(["completion", "zsh"])).Message);
    }

    [Fact]
    public void HelpCommand_KnowsTheCommands()
    {
        Assert.IsType<ParsedCommand.Builtin>(CommandLine.Parse(["help"]));
        Assert.IsType<ParsedCommand.Builtin>(CommandLine.Parse(["help", "run"]));
        Assert.Contains("'frobnicate'", Assert.Throws<UsageException>(() => CommandLine.Parse(["help", "frobnicate"])).Message);
    }
}
