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
        var run = Assert.IsType<Command.Run>(CommandLine.Parse(["run"]));

        Assert.Equal(new RunOptions(), run.Options);
        Assert.Equal(64UL << 20, run.Options.MemoryBytes);
        Assert.Null(run.Options.ImagePath);
        Assert.Null(run.Options.DiskPath);
    }

    [Fact]
    public void Run_AllOptions()
    {
        var run = Assert.IsType<Command.Run>(CommandLine.Parse(
            ["run", "--image", "a.bin", "--memory", "16M", "--disk", "d.img", "--entry", "0x200000", "--timer-us", "500", "--trace", "-v"]));

        Assert.Equal(new RunOptions
        {
            ImagePath = "a.bin", MemoryBytes = 16UL << 20, DiskPath = "d.img", Entry = 0x20_0000, TimerMicroseconds = 500, Trace = true, Verbose = true,
        }, run.Options);
    }
}
