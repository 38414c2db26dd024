using Zxvm.Tests.Support;

namespace Zxvm.Tests;

/// <summary>
/// zxvm at a real terminal: raw mode, Ctrl-], signals, and the terminal's modes afterwards. The
/// harness (tests/harness/Zxvm.Harness) runs zxvm's own console code around a stand-in guest that never
/// takes input, so these run without KVM; the [KvmFact] ones do the same with real guests.
/// </summary>
[Collection(ZxvmCollection.Name)]
public sealed class TerminalTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string Harness(string args = "") => $"{ZxvmProcess.HarnessCommand} console {args}";

    private static async Task<int> WaitForStandInGuest(Pty pty) =>
        int.Parse((await pty.WaitForAsync(@"stand-in guest running, pid (\d+)")).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task CtrlRightBracket_EndsZxvm_AfterInputTheGuestNeverTook()
    {
        using var pty = Pty.Start(Harness());
        await pty.WaitForAsync("console in raw mode");
        await WaitForStandInGuest(pty);

        await pty.TypeAsync("typed, never taken by the guest\r");
        await Task.Delay(300);
        await pty.TypeAsync("\u001d");
        (int exitCode, TerminalModes modes) = await pty.ThenReport();

        Assert.True(exitCode == ExitCodes.Interrupted, pty.Screen);
        Assert.Contains("zxvm: stopped by the user (Ctrl-])", pty.Screen);
        Assert.True(modes.IsCooked, $"terminal left raw:\n{pty.Screen}");
    }

    [Fact]
    public async Task CtrlC_InRawMode_GoesToTheGuest_NotToZxvm()
    {
        using var pty = Pty.Start(Harness());
        await WaitForStandInGuest(pty);

        await pty.TypeAsync("\u0003");
        await Task.Delay(500);
        Assert.DoesNotContain("SIGINT", pty.Screen);
        await pty.TypeAsync("\u001d");
        (int exitCode, TerminalModes modes) = await pty.ThenReport();

        Assert.True(exitCode == ExitCodes.Interrupted, pty.Screen);
        Assert.True(modes.IsCooked, pty.Screen);
    }

    [Theory]
    [InlineData("TERM", ExitCodes.Terminated, "SIGTERM")]
    [InlineData("HUP", ExitCodes.HangUp, "SIGHUP")]
    [InlineData("INT", ExitCodes.Interrupted, "SIGINT")]
    public async Task Signal_InRawMode_EndsZxvmAndRestoresTheTerminal(string signal, int expectedExit, string name)
    {
        using var pty = Pty.Start(Harness());
        await pty.WaitForAsync("console in raw mode");
        int pid = await WaitForStandInGuest(pty);

        Pty.Signal(pid, signal);
        (int exitCode, TerminalModes modes) = await pty.ThenReport();

        Assert.True(exitCode == expectedExit, pty.Screen);
        Assert.Contains($"zxvm: stopped by {name}", pty.Screen);
        Assert.True(modes.IsCooked, $"terminal left raw after {name}:\n{pty.Screen}");
    }

    [Fact]
    public async Task CtrlC_WhenInputIsNotTheTerminal_IsSigint_AndEndsZxvm()
    {
        using var pty = Pty.Start(Harness() + " </dev/null");
        await pty.WaitForAsync("not a terminal: no raw mode");
        await WaitForStandInGuest(pty);

        await pty.TypeAsync("\u0003");
        (int exitCode, TerminalModes modes) = await pty.ThenReport();

        Assert.True(exitCode == ExitCodes.Interrupted, pty.Screen);
        Assert.Contains("zxvm: stopped by SIGINT", pty.Screen);
        Assert.True(modes.IsCooked, pty.Screen);
    }

    [Fact]
    public async Task FailureAfterRawMode_RestoresTheTerminal_WithOneLine()
    {
        using var pty = Pty.Start(Harness("--fail-on-start"));
        (int exitCode, TerminalModes modes) = await pty.ThenReport();

        Assert.True(exitCode == ExitCodes.MachineFailed, pty.Screen);
        Assert.Contains("console in raw mode", pty.Screen); // the failure came after raw mode
        Assert.Contains("zxvm: the stand-in guest failed to start", pty.Screen);
        Assert.DoesNotContain("   at ", pty.Screen);
        Assert.True(modes.IsCooked, pty.Screen);
    }

    [Fact]
    public async Task RealZxvm_FailingRun_OnATerminal_LeavesItCooked()
    {
        using var pty = Pty.Start($"{ZxvmProcess.ShellCommand} run --image /nonexistent/zxvm-image");
        (int exitCode, TerminalModes modes) = await pty.ThenReport();

        Assert.True(exitCode == ExitCodes.BadFile, pty.Screen);
        Assert.Contains("zxvm: --image: no such file: /nonexistent/zxvm-image", pty.Screen);
        Assert.True(modes.IsCooked, pty.Screen);
    }

    [KvmFact]
    public async Task RealZxvm_CtrlRightBracket_StopsASpinningGuest_AfterTypedInput()
    {
        string spin = _files.Write("spin.bin", [0xEB, 0xFE]); // jmp $: never takes input
        using var pty = Pty.Start($"{ZxvmProcess.ShellCommand} run --image {Pty.Quote(spin)} --log-level debug");
        await pty.WaitForAsync("console in raw mode");

        await pty.TypeAsync("typed, never taken\r");
        await Task.Delay(300);
        await pty.TypeAsync("\u001d");
        (int exitCode, TerminalModes modes) = await pty.ThenReport();

        Assert.True(exitCode == ExitCodes.Interrupted, pty.Screen);
        Assert.Contains("zxvm: stopped by the user", pty.Screen);
        Assert.DoesNotContain("\u001b[?1h", pty.Screen); // no terminal modes of System.Console's
        Assert.True(modes.IsCooked, pty.Screen);
    }

    [KvmFact]
    public async Task RealZxvm_Sigterm_StopsASpinningGuest_AndRestoresTheTerminal()
    {
        string spin = _files.Write("spin.bin", [0xEB, 0xFE]);
        // The subshell prints its pid and becomes zxvm (exec), staying in the foreground on the terminal.
        using var pty = Pty.Start($"bash -c 'echo \"zxvm pid $$\"; exec \"$@\"' zxvm {ZxvmProcess.ShellCommand} run --image {Pty.Quote(spin)} --log-level debug");
        int pid = int.Parse((await pty.WaitForAsync(@"zxvm pid (\d+)")).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        await pty.WaitForAsync("entering the guest|console in raw mode|standard input");

        Pty.Signal(pid, "TERM");
        (int exitCode, TerminalModes modes) = await pty.ThenReport();

        Assert.True(exitCode == ExitCodes.Terminated, pty.Screen);
        Assert.Contains("zxvm: stopped by SIGTERM", pty.Screen);
        Assert.True(modes.IsCooked, pty.Screen);
    }
}
