using System.Diagnostics;

namespace Zircon.Benchmarks;

/// <summary>
/// A child process the start-up rows time (zxvm, an empty .NET app): started with redirected
/// streams and the runtime's default tiering, its stdin written and closed, its output collected.
/// </summary>
internal sealed class BenchProcess : IDisposable
{
    private readonly string _command;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private BenchProcess(string command, Process process, long startTimestamp)
    {
        _command = command;
        Process = process;
        StartTimestamp = startTimestamp;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    /// <summary><see cref="Stopwatch"/> timestamp taken just before the process was started.</summary>
    public long StartTimestamp { get; }

    public static BenchProcess Start(string path, string[] args, string input)
    {
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            info.ArgumentList.Add(a);
        // run.sh tunes tiered compilation for the measuring loops; a process start should see the defaults.
        info.Environment.Remove("DOTNET_TC_CallCountingDelayMs");
        long start = Stopwatch.GetTimestamp();
        Process p = Process.Start(info)!;
        var run = new BenchProcess($"{path} {string.Join(' ', args)}", p, start);
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        return run;
    }

    /// <summary>Kills the process; the exception to throw for a run that took too long.</summary>
    public TimeoutException KillAfterTimeout()
    {
        Process.Kill();
        return new TimeoutException($"{_command} did not exit within 60 s");
    }

    /// <summary>After exit: its stderr; throws unless it exited 0 and printed <paramref name="expect"/> (when given).</summary>
    public string Finish(string? expect)
    {
        string output = _stdout.Result;
        string err = _stderr.Result;
        if (Process.ExitCode != 0 || (expect is not null && !output.Contains(expect, StringComparison.Ordinal)))
            throw new InvalidOperationException($"{_command} exited {Process.ExitCode}; stdout: {output}; stderr: {err}");
        return err;
    }

    public void Dispose() => Process.Dispose();
}
