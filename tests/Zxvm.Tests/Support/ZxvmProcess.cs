using System.Diagnostics;
using System.Text;

namespace Zxvm.Tests.Support;

/// <summary>What one run of zxvm produced.</summary>
public sealed record ZxvmResult(int ExitCode, string Stdout, string Stderr, int ProcessId)
{
    /// <summary>Standard error split into lines (no trailing empty line).</summary>
    public string[] StderrLines => Stderr.ReplaceLineEndings("\n").TrimEnd('\n') is { Length: > 0 } text ? text.Split('\n') : [];

    public override string ToString() => $"pid {ProcessId}, exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the real zxvm program (built through the project reference, next to the test assembly) as
/// a child process with its standard streams redirected.
/// </summary>
public static class ZxvmProcess
{
    /// <summary>Generous: the hosts are slow nested VMs. Only a hang should ever reach it.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>zxvm.dll as built by the project reference.</summary>
    public static string AssemblyPath { get; } = typeof(global::Zxvm.Program).Assembly.Location;

    public static Task<ZxvmResult> RunAsync(string? stdin, params string[] args) => RunAsync(Timeout, stdin, args);

    /// <summary>Runs zxvm with its own time limit (Linux guests on emulating hosts need minutes).</summary>
    public static async Task<ZxvmResult> RunAsync(TimeSpan limit, string? stdin, params string[] args)
    {
        var start = StartInfo();
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
                await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // zxvm may exit (e.g. a usage error) before reading its input.
        }

        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"zxvm {string.Join(' ', args)} did not exit within {limit}\n--- stdout ---\n{await stdout}\n--- stderr ---\n{await stderr}");
        }
        return new ZxvmResult(process.ExitCode, await stdout, await stderr, process.Id);
    }

    /// <summary>
    /// Runs zxvm on a pseudo-terminal (util-linux <c>script</c>), as a user at a terminal would, and
    /// types <paramref name="keys"/> after <paramref name="delay"/>. Returns the exit code and
    /// everything the terminal showed.
    /// </summary>
    public static async Task<(int ExitCode, string Screen)> RunOnTerminalAsync(TimeSpan delay, string keys, params string[] args)
    {
        ProcessStartInfo zxvm = StartInfo();
        string command = string.Join(' ', new[] { zxvm.FileName }.Concat(zxvm.ArgumentList).Concat(args).Select(a => $"'{a}'"));
        ProcessStartInfo start = Pty.ScriptStartInfo("-qec", command, "/dev/null");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start script");
        Task<string> screen = process.StandardOutput.ReadToEndAsync();
        await Task.Delay(delay);
        await process.StandardInput.WriteAsync(keys);
        await process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"zxvm on a terminal did not exit within {Timeout}");
        }
        return (process.ExitCode, await screen);
    }

    /// <summary>
    /// Runs zxvm until its standard output satisfies <paramref name="enough"/>, it exits, or
    /// <paramref name="limit"/> passes; then stops it (SIGKILL) if it still runs. For guests that
    /// are watched, not waited for (a kernel that later stops at an emulation failure).
    /// </summary>
    public static async Task<(string Stdout, string Stderr, int? ExitCode)> WatchAsync(TimeSpan limit, Func<string, bool> enough, params string[] args)
    {
        ProcessStartInfo start = StartInfo();
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.StandardInput.Close();
        var output = new StringBuilder();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        var buffer = new char[4096];
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            while (true)
            {
                int n = await process.StandardOutput.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                    break;
                output.Append(buffer, 0, n);
                if (enough(output.ToString()))
                    break;
            }
        }
        catch (OperationCanceledException)
        {
        }
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        bool exitedByItself = process.ExitCode != 137 && process.ExitCode != -1;
        return (output.ToString(), await stderr, exitedByItself ? process.ExitCode : null);
    }

    /// <summary>zxvm as a bash command word list (quoted), for tests that run it through a shell.</summary>
    public static string ShellCommand => Quoted(StartInfo());

    /// <summary>zxvm-harness (tests/harness/Zxvm.Harness: zxvm's console code around a stand-in guest) for a shell.</summary>
    public static string HarnessCommand
    {
        get
        {
            string appHost = Path.Combine(Path.GetDirectoryName(AssemblyPath)!, "zxvm-harness");
            Assert.True(File.Exists(appHost), $"zxvm-harness not found at {appHost}");
            return Pty.Quote(appHost);
        }
    }

    /// <summary>Runs a bash script; returns its exit status, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> BashAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string Quoted(ProcessStartInfo info) =>
        string.Join(' ', new[] { info.FileName }.Concat(info.ArgumentList).Select(Pty.Quote));

    /// <summary>The apphost next to zxvm.dll if there is one, else the dotnet host running zxvm.dll.</summary>
    private static ProcessStartInfo StartInfo()
    {
        Assert.True(File.Exists(AssemblyPath), $"zxvm.dll not found at {AssemblyPath}");
        string appHost = Path.Combine(Path.GetDirectoryName(AssemblyPath)!, "zxvm");
        if (File.Exists(appHost))
            return new ProcessStartInfo(appHost);
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var info = new ProcessStartInfo(dotnet);
        info.ArgumentList.Add(AssemblyPath);
        return info;
    }
}
