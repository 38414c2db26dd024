using System.Text.RegularExpressions;
using Zxvm.Tests.Support;

namespace Zxvm.Tests;

/// <summary>
/// Standard output and error as scripts use them: both redirected into one file, a file shared
/// with the shell's next command, and a pipe whose reader has gone.
/// </summary>
[Collection(ZxvmCollection.Name)]
public sealed partial class StreamTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task BothStreamsIntoOneFile_KeepEveryLineWholeAndInOrder()
    {
        const int Lines = 3000;
        string log = _files.PathOf("both.txt");

        (int exitCode, _, string stderr) = await ZxvmProcess.BashAsync($"{ZxvmProcess.HarnessCommand} streams {Lines} > {Pty.Quote(log)} 2>&1");

        Assert.True(exitCode == 0, stderr);
        string[] lines = File.ReadAllLines(log);
        Assert.Equal(2 * Lines, lines.Length);
        int nextOut = 0, nextErr = 0;
        foreach (string line in lines)
        {
            Match m = HarnessLine().Match(line);
            Assert.True(m.Success, $"a garbled line: '{line}'");
            int i = int.Parse(m.Groups["i"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (m.Groups["out"].Success)
            {
                Assert.Equal(nextOut++, i);
                Assert.Equal(i % 97, m.Groups["pad"].Length);
            }
            else
            {
                Assert.Equal(nextErr++, i);
                Assert.Equal(i % 89, m.Groups["pad"].Length);
            }
        }
    }

    [Fact]
    public async Task OutputSharedWithTheNextCommand_IsNotOverwritten()
    {
        // { zxvm ...; echo "exit=$?"; } > f : the shell's echo continues where zxvm stopped writing.
        string log = _files.PathOf("shared.txt");

        (int exitCode, _, string stderr) = await ZxvmProcess.BashAsync($"{{ {ZxvmProcess.ShellCommand} run --help; echo \"exit=$?\"; }} > {Pty.Quote(log)}");

        Assert.True(exitCode == 0, stderr);
        string text = File.ReadAllText(log);
        Assert.StartsWith("Description:", text);
        Assert.Contains("205      internal error of zxvm", text);
        Assert.EndsWith("\nexit=0\n", text);
    }

    [Fact]
    public async Task ErrorAndLogLinesIntoOneFile_WithTheShellsOwnLines()
    {
        string log = _files.PathOf("run.txt");

        (int exitCode, _, _) = await ZxvmProcess.BashAsync(
            $"{{ echo before; {ZxvmProcess.ShellCommand} run --image /nonexistent/zxvm-image --verbose; echo \"exit=$?\"; }} > {Pty.Quote(log)} 2>&1");

        Assert.Equal(0, exitCode);
        Assert.Equal(["before", "zxvm: --image: no such file: /nonexistent/zxvm-image", $"exit={ExitCodes.BadFile}"], File.ReadAllLines(log));
    }

    [Fact]
    public async Task ClosedPipe_BothStreams_EndsQuietlyWith141()
    {
        (int exitCode, string stdout, string stderr) = await ZxvmProcess.BashAsync(
            $"{ZxvmProcess.HarnessCommand} streams 200000 2>&1 | head -2; echo \"status=${{PIPESTATUS[0]}}\" >&2");

        Assert.Equal(0, exitCode);
        string[] lines = stdout.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Matches(HarnessLine(), l));
        Assert.Equal($"status={ExitCodes.BrokenPipe}\n", stderr);
    }

    [Fact]
    public async Task ClosedPipe_OnStandardOutput_SaysNothingOnStandardError()
    {
        string errors = _files.PathOf("stderr.txt");

        (_, string stdout, string stderr) = await ZxvmProcess.BashAsync(
            $"{ZxvmProcess.HarnessCommand} streams 200000 2>{Pty.Quote(errors)} | head -1; echo \"status=${{PIPESTATUS[0]}}\" >&2");

        Assert.Equal("out 0 \n", stdout);
        Assert.Equal($"status={ExitCodes.BrokenPipe}\n", stderr);
        Assert.DoesNotContain("Broken pipe", File.ReadAllText(errors));
        Assert.DoesNotContain("Exception", File.ReadAllText(errors));
    }

    [Theory]
    [InlineData("run --help", "")]
    [InlineData("run --image /nonexistent/zxvm-image", "2>&1")]
    public async Task RealZxvm_IntoAPipeAlreadyClosed_EndsQuietlyWith141(string args, string redirect)
    {
        // The reader (true) has long exited when zxvm writes its first line.
        (_, string stdout, string stderr) = await ZxvmProcess.BashAsync(
            $"{{ sleep 0.5; {ZxvmProcess.ShellCommand} {args} {redirect}; echo \"status=$?\" >&3; }} 3>&2 | true");

        Assert.Empty(stdout);
        Assert.Equal($"status={ExitCodes.BrokenPipe}\n", stderr);
    }

    [Fact]
    public async Task LogFile_GetsTheLogLines_StandardErrorOnlyTheError()
    {
        string logFile = _files.PathOf("zxvm.log");

        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--image", "/nonexistent/zxvm-image", "--log-level", "debug", "--log-file", logFile);

        Assert.Equal(ExitCodes.BadFile, result.ExitCode);
        Assert.Equal(["zxvm: --image: no such file: /nonexistent/zxvm-image"], result.StderrLines);
        Assert.Contains("zxvm: --image: no such file: /nonexistent/zxvm-image", File.ReadAllLines(logFile));
    }

    [Fact]
    public async Task LogFile_IsAppendedTo()
    {
        string logFile = _files.Write("zxvm.log", "earlier line\n"u8.ToArray());

        await ZxvmProcess.RunAsync(null, "run", "--image", "/nonexistent/zxvm-image", "--log-file", logFile);

        Assert.Equal("earlier line", File.ReadAllLines(logFile)[0]);
        Assert.Equal(2, File.ReadAllLines(logFile).Length);
    }

    [Fact]
    public async Task LogFile_ThatIsADirectory_IsAnUnusableFile()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--log-file", Path.GetTempPath());

        Assert.Contains($"--log-file: {Path.GetTempPath()} is a directory", ZxvmAssert.FailsWithOneLine(result, ExitCodes.BadFile));
    }

    [KvmFact]
    public async Task RealZxvm_VerboseIntoOneFile_KeepsGuestAndLogLines()
    {
        string log = _files.PathOf("verbose.txt");

        (int exitCode, _, _) = await ZxvmProcess.BashAsync($"{{ {ZxvmProcess.ShellCommand} run --verbose < /dev/null; echo \"exit=$?\"; }} > {Pty.Quote(log)} 2>&1");

        Assert.Equal(0, exitCode);
        string[] lines = File.ReadAllLines(log);
        Assert.Contains(lines, l => l.Contains("image zxos (embedded): raw", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("zxos: done", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("guest powered off with code 0", StringComparison.Ordinal));
        Assert.Equal("exit=0", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains('\0', StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^(?:(?<out>out)|zxvm: err) (?<i>\d+) (?<pad>[oe]*)$")]
    private static partial Regex HarnessLine();
}
