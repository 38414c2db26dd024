using Zxvm.Tests.Support;

namespace Zxvm.Tests;

internal static class ZxvmAssert
{
    /// <summary>A failure the way zxvm promises to report one: non-zero exit, one "zxvm:" line on stderr, no stack trace.</summary>
    public static string FailsWithOneLine(ZxvmResult result, int expectedExitCode)
    {
        Assert.True(result.ExitCode == expectedExitCode, $"expected exit code {expectedExitCode}; got {result}");
        string[] lines = result.StderrLines;
        Assert.True(lines.Length == 1, $"expected exactly one line on stderr; got {result}");
        string line = lines[0];
        Assert.StartsWith("zxvm: ", line);
        Assert.True(line.Length > "zxvm: ".Length + 3, $"the error line says nothing: '{line}'");
        Assert.DoesNotContain("Exception", line);
        Assert.DoesNotContain("   at ", result.Stderr);
        return line;
    }
}
