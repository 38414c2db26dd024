using System.Diagnostics;
using Zxvm.Tests.Support;

namespace Zxvm.Tests;

/// <summary>
/// A fact about the zxvm that ./build.sh installs at artifacts/bin/zxvm (the NativeAOT build users
/// run, while the other tests run the JIT build of the same sources). Skipped, with the reason,
/// when it has not been built.
/// </summary>
public sealed class InstalledZxvmFactAttribute : FactAttribute
{
    public InstalledZxvmFactAttribute()
    {
        if (InstalledZxvm.Path is null)
            Skip = "artifacts/bin/zxvm is not built here (./build.sh installs it; ./test.sh always builds first)";
        else if (KvmFactAttribute.SkipReason is { } reason)
            Skip = reason;
    }
}

/// <summary>A fact about the installed NativeAOT zxvm that needs no KVM (its command line, streams, errors).</summary>
public sealed class InstalledZxvmCliFactAttribute : FactAttribute
{
    public InstalledZxvmCliFactAttribute()
    {
        if (InstalledZxvm.Path is null)
            Skip = "artifacts/bin/zxvm is not built here (./build.sh installs it; ./test.sh always builds first)";
    }
}

internal static class InstalledZxvm
{
    /// <summary>artifacts/bin/zxvm of the checkout the tests were built from, or null.</summary>
    public static string? Path { get; } = Find();

    private static string? Find()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = System.IO.Path.Combine(d.FullName, "artifacts", "bin", "zxvm");
            if (File.Exists(System.IO.Path.Combine(d.FullName, "build.sh")))
                return File.Exists(candidate) ? candidate : null;
        }
        return null;
    }
}

[Collection(ZxvmCollection.Name)]
public sealed class InstalledZxvmTests
{
    [InstalledZxvmFact]
    public async Task InstalledZxvm_BootsTheEmbeddedGuest()
    {
        (int code, string stdout, string stderr) = await Run("hello\n", "run");
        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("echo: hello", stdout);
        Assert.Contains("zxos: done", stdout);
    }

    [InstalledZxvmCliFact]
    public async Task InstalledZxvm_BadSize_IsOneLineAndTheUsageStatus()
    {
        (int code, _, string stderr) = await Run(null, "run", "--memory", "abc");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("zxvm: ", stderr);
    }

    [InstalledZxvmCliFact]
    public async Task InstalledZxvm_CommandLineWorksUnderNativeAot()
    {
        // System.CommandLine trimmed and compiled ahead of time: help per command, --opt=value, errors.
        (int code, string stdout, _) = await Run(null, "run", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--log-level", stdout);
        Assert.Contains("Exit status:", stdout);

        (code, _, string stderr) = await Run(null, "run", "--memory=128M", "--image=/nonexistent/zxvm-image");
        Assert.Equal(ExitCodes.BadFile, code);
        Assert.Equal("zxvm: --image: no such file: /nonexistent/zxvm-image\n", stderr);

        (code, stdout, _) = await Run(null, "[suggest:8]", "run --me");
        Assert.Equal(0, code);
        Assert.Equal("--memory\n", stdout);
    }

    [InstalledZxvmCliFact]
    public async Task InstalledZxvm_ClosedPipe_EndsQuietlyWith141()
    {
        (_, string stdout, string stderr) = await ZxvmProcess.BashAsync(
            $"{{ sleep 0.5; {Support.Pty.Quote(InstalledZxvm.Path!)} run --help; echo \"status=$?\" >&3; }} 3>&2 | true");

        Assert.Empty(stdout);
        Assert.Equal($"status={ExitCodes.BrokenPipe}\n", stderr);
    }

    private static async Task<(int, string, string)> Run(string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(InstalledZxvm.Path!) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(ZxvmProcess.Timeout);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
