using Zircon.Vmm.Machine;

namespace Zxvm.Tests;

/// <summary>zxvm's pieces in process: exit statuses, host diagnosis, disks, log lines.</summary>
public sealed class OutcomeTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(42)]
    [InlineData(127)]
    public void GuestCode_0To127_PassesThroughSilently(int code)
    {
        var (exit, _, line) = ConsoleSession.Outcome(new MachineExit(code, null, 5), new StopRequest());

        Assert.Equal(code, exit);
        Assert.Null(line);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(130)]
    [InlineData(200)]
    [InlineData(255)]
    public void GuestCode_Above127_IsReportedWithItsValue(int code)
    {
        var (exit, level, line) = ConsoleSession.Outcome(new MachineExit(code, null, 5), new StopRequest());

        Assert.Equal(ExitCodes.GuestCodeOutOfRange, exit);
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains($"code {code}", line);
    }

    [Fact]
    public void Reset_IsItsOwnStatus() =>
        Assert.Equal(ExitCodes.GuestReset, ConsoleSession.Outcome(new MachineExit(0x80, null, 5) { Reset = true }, new StopRequest()).ExitCode);

    [Fact]
    public void MachineFailure_IsNotAGuestCode()
    {
        var (exit, _, line) = ConsoleSession.Outcome(new MachineExit(1, "the guest crashed", 5), new StopRequest());

        Assert.Equal(ExitCodes.MachineFailed, exit);
        Assert.Equal("the guest crashed", line);
    }

    [Fact]
    public void EarlyStop_OutranksHowTheMachineEnded()
    {
        var stop = new StopRequest();
        stop.Request(ExitCodes.Terminated, "stopped by SIGTERM");
        stop.Request(ExitCodes.Interrupted, "later");

        var (exit, _, line) = ConsoleSession.Outcome(new MachineExit(130, "stopped by the user", 5), stop);

        Assert.Equal(ExitCodes.Terminated, exit);
        Assert.Equal("stopped by SIGTERM", line);
    }

    [Fact]
    public void ZxvmsOwnStatuses_AreAllAbove127_AndDistinct()
    {
        int[] own = [ExitCodes.GuestReset, ExitCodes.HangUp, ExitCodes.Interrupted, ExitCodes.BrokenPipe, ExitCodes.Terminated,
            ExitCodes.Usage, ExitCodes.BadFile, ExitCodes.NoHypervisor, ExitCodes.MachineFailed, ExitCodes.GuestCodeOutOfRange, ExitCodes.Internal];

        Assert.All(own, c => Assert.InRange(c, ExitCodes.GuestMax + 1, 255));
        Assert.Equal(own.Length, own.Distinct().Count());
    }
}

public sealed class HypervisorProblemTests
{
    [Fact]
    public void Absent_SaysNoKvm() =>
        Assert.StartsWith("no KVM on this host: /nonexistent/kvm does not exist", HypervisorProblem.Explain("/nonexistent/kvm"));

    [Fact]
    public void NotOpenable_SaysPermissionDenied()
    {
        // sysfs answers EACCES to opening a read-only attribute for writing, even for root.
        Assert.StartsWith("permission denied opening /sys/devices/system/cpu/online", HypervisorProblem.Explain("/sys/devices/system/cpu/online"));
    }

    [Fact]
    public void Openable_ButNotKvm_SaysKvmRefused() =>
        Assert.Contains("opens but KVM refused", HypervisorProblem.Explain("/dev/null"));
}

public sealed class DiskImageTests : IDisposable
{
    private readonly Support.TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void WholeSectors_OpenReadWrite()
    {
        using DiskImage disk = DiskImage.Open(new DiskSpec(_files.Write("d.img", new byte[4096]), false), false)!;

        Assert.False(disk.ReadOnly);
        Assert.True(disk.Stream.CanWrite);
        Assert.Equal(8, disk.Sectors);
    }

    [Fact]
    public void Ro_OpensReadOnly_SoTheDeviceSaysSo()
    {
        using DiskImage disk = DiskImage.Open(new DiskSpec(_files.Write("d.img", new byte[4096]), ReadOnly: true), false)!;

        Assert.True(disk.ReadOnly);
        Assert.False(disk.Stream.CanWrite);
        Assert.True(new Zircon.Vmm.Devices.Virtio.VirtioBlock(disk.Stream).IsReadOnly);
    }

    [Theory]
    [InlineData(0, "is empty")]
    [InlineData(511, "smaller than one 512-byte sector")]
    [InlineData(1000, "is 1000 bytes, not a whole number of 512-byte sectors")]
    [InlineData(4097, "is 4097 bytes, not a whole number")]
    public void OtherSizes_AreRefusedWithTheSize(int size, string expected)
    {
        string path = _files.Write("d.img", new byte[size]);

        var e = Assert.Throws<FileProblemException>(() => DiskImage.Open(new DiskSpec(path, false), false));

        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void RefusedDisk_IsLeftUntouchedAndClosed()
    {
        string path = _files.Write("d.img", new byte[1000]);

        Assert.Throws<FileProblemException>(() => DiskImage.Open(new DiskSpec(path, false), false));

        using var again = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None); // not held open
        Assert.Equal(1000, again.Length);
    }

    [Fact]
    public void NoDisk_ForAnImage_ScratchForTheEmbeddedGuest()
    {
        Assert.Null(DiskImage.Open(null, scratchForEmbeddedGuest: false));
        using DiskImage scratch = DiskImage.Open(null, scratchForEmbeddedGuest: true)!;
        Assert.Equal(2048, scratch.Sectors);
    }
}

public sealed class LogTests
{
    [Theory]
    [InlineData(LogLevel.Error, "zxvm: boom")]
    [InlineData(LogLevel.Warn, "zxvm: warning: boom")]
    [InlineData(LogLevel.Info, "zxvm: boom")]
    [InlineData(LogLevel.Debug, "zxvm: debug: boom")]
    [InlineData(LogLevel.Trace, "zxvm: trace: boom")]
    public void Format_PrefixesTheLevel(LogLevel level, string expected) => Assert.Equal(expected, Log.Format(level, "boom"));

    [Fact]
    public void Level_FiltersLessImportantLines()
    {
        using Log log = Log.ToStandardError(LogLevel.Info, new StandardStreams());

        Assert.True(log.IsEnabled(LogLevel.Error));
        Assert.True(log.IsEnabled(LogLevel.Info));
        Assert.False(log.IsEnabled(LogLevel.Debug));
        Assert.False(log.IsEnabled(LogLevel.Trace));
    }
}
