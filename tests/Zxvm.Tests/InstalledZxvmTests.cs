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

    [InstalledZxvmFact]
    public async Task InstalledZxvm_BadSize_IsOneLineAndExitCode2()
    {
        (int code, _, string stderr) = await Run(null, "run", "--memory", "abc");
        Assert.Equal(2, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("zxvm: ", stderr);
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
