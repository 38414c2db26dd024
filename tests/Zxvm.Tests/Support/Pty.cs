using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Zxvm.Tests.Support;

/// <summary>
/// A shell command on a real pseudo-terminal (util-linux <c>script</c>), as a user at a terminal
/// runs it: keys are typed into the terminal, signals sent to processes, and everything the
/// terminal shows is kept. <see cref="ThenReport"/> makes the command print its exit status and the
/// terminal's modes afterwards, so a test sees whether the terminal was restored.
/// </summary>
public sealed partial class Pty : IDisposable
{
    private readonly Process _script;
    private readonly StringBuilder _screen = new();
    private readonly Task _reader;

    private Pty(Process script)
    {
        _script = script;
        _reader = Task.Run(ReadScreen);
    }

    /// <summary>
    /// Runs <paramref name="command"/> (bash syntax) on a new terminal, followed by a report line
    /// <c>rc=N</c> and the terminal's modes (<c>stty -a</c>).
    /// </summary>
    public static Pty Start(string command)
    {
        ProcessStartInfo start = ScriptStartInfo("-qefc", $"{command}; echo \"rc=$?\"; stty -a", "/dev/null");
        start.Environment["SHELL"] = "/bin/bash";
        return new Pty(Process.Start(start) ?? throw new InvalidOperationException("could not start script"));
    }

    /// <summary>
    /// util-linux <c>script</c> with <paramref name="arguments"/>, started with the default
    /// dispositions of the signals a terminal sends (INT, QUIT, HUP, TERM), as a user's login
    /// terminal has them. A test run started in the background (<c>cmd &amp;</c> in a shell without
    /// job control ignores INT and QUIT; <c>nohup</c> ignores HUP) would otherwise hand its
    /// terminal an ignored SIGINT or SIGHUP, which no program may reset: perl resets them before it
    /// executes <c>script</c>.
    /// </summary>
    public static ProcessStartInfo ScriptStartInfo(params string[] arguments)
    {
        var start = new ProcessStartInfo("perl") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add("$SIG{$_} = 'DEFAULT' for qw(INT QUIT HUP TERM); exec { 'script' } 'script', @ARGV or die \"script: $!\\n\";");
        start.ArgumentList.Add("--"); // the rest are script's arguments, not perl's switches
        foreach (string a in arguments)
            start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>Quotes a path or word for bash.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public string Screen
    {
        get
        {
            lock (_screen)
                return _screen.ToString();
        }
    }

    /// <summary>Waits until the terminal shows a match of <paramref name="pattern"/>; returns the match.</summary>
    public async Task<Match> WaitForAsync(string pattern, TimeSpan? timeout = null)
    {
        var regex = new Regex(pattern);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (timeout ?? ZxvmProcess.Timeout))
        {
            Match m = regex.Match(Screen);
            if (m.Success)
                return m;
            if (_reader.IsCompleted)
                break;
            await Task.Delay(50);
        }
        Match last = regex.Match(Screen);
        Assert.True(last.Success, $"the terminal never showed /{pattern}/; it shows:\n{Screen}");
        return last;
    }

    /// <summary>Types <paramref name="keys"/> into the terminal.</summary>
    public async Task TypeAsync(string keys)
    {
        await _script.StandardInput.WriteAsync(keys);
        await _script.StandardInput.FlushAsync();
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. TERM) to one process, by its id.</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid} failed");
    }

    /// <summary>Waits for the command and the report; returns the command's exit status and the terminal's modes.</summary>
    public async Task<(int ExitCode, TerminalModes Modes)> ThenReport()
    {
        using var timeout = new CancellationTokenSource(ZxvmProcess.Timeout);
        try
        {
            await _script.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the command on the terminal did not end within {ZxvmProcess.Timeout}; it shows:\n{Screen}");
        }
        await _reader;
        Match rc = ExitLine().Match(Screen);
        Assert.True(rc.Success, $"no rc= line on the terminal:\n{Screen}");
        return (int.Parse(rc.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), new TerminalModes(Screen[rc.Index..]));
    }

    private async Task ReadScreen()
    {
        var buffer = new char[4096];
        int n;
        while ((n = await _script.StandardOutput.ReadAsync(buffer)) > 0)
        {
            lock (_screen)
                _screen.Append(buffer, 0, n);
        }
    }

    public void Dispose()
    {
        if (!_script.HasExited)
            _script.Kill(entireProcessTree: true);
        _script.Dispose();
    }

    [GeneratedRegex(@"rc=(\d+)")]
    private static partial Regex ExitLine();
}

/// <summary>The local modes <c>stty -a</c> printed after the command.</summary>
public sealed partial record TerminalModes(string SttyOutput)
{
    /// <summary>Line editing and echo on: the terminal a shell expects (what raw mode turns off).</summary>
    public bool IsCooked => Has("icanon") && Has("echo") && Has("isig");

    private bool Has(string mode) => Regex.IsMatch(SttyOutput, $@"(?<![-\w]){mode}(?![\w])");

    public override string ToString() => SttyOutput;
}
