using Zxvm.Tests.Support;

namespace Zxvm.Tests;

[Collection(ZxvmCollection.Name)]
public sealed class HelpTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_ExitsZeroAndDescribesTheOptions(string flag)
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, flag);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains("run", result.Stdout);
        Assert.Contains("completion", result.Stdout);
        Assert.Empty(result.Stderr);
    }

    [Theory]
    [InlineData("run", "--help")]
    [InlineData("run", "-h")]
    [InlineData("help", "run")]
    [InlineData("run", "--memory=64M", "--help")]
    public async Task RunHelp_DescribesEveryOptionAndTheExitStatuses(params string[] args)
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, args);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (string option in new[] { "--image", "--memory", "--cpus", "--disk", "--entry", "--timer-us", "--log-level", "--log-file", "--verbose", "--trace" })
            Assert.Contains(option, result.Stdout);
        Assert.Contains("FILE[,ro]", result.Stdout);
        Assert.Contains("Exit status:", result.Stdout);
        Assert.Contains("0-127    the guest powered off", result.Stdout);
        Assert.Contains("202      this host cannot run guests", result.Stdout);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task Suggest_CompletesOptionsAndValues()
    {
        ZxvmResult options = await ZxvmProcess.RunAsync(null, "[suggest:8]", "run --me");
        ZxvmResult levels = await ZxvmProcess.RunAsync(null, "[suggest:16]", "run --log-level ");

        Assert.Equal("--memory\n", options.Stdout);
        Assert.Equal(["debug", "error", "info", "trace", "warn"], levels.Stdout.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task BashCompletionScript_CompletesThroughZxvm()
    {
        string zxvmDir = Path.GetDirectoryName(ZxvmProcess.AssemblyPath)!;
        string script = $$"""
            source <({{ZxvmProcess.ShellCommand}} completion bash)
            complete -p zxvm
            ask() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _zxvm_complete; echo "${COMPREPLY[*]}"; }
            ask "zxvm r"
            ask "zxvm run --dis"
            ask "zxvm run --log-level t"
            """;

        (int exitCode, string stdout, string stderr) = await ZxvmProcess.BashAsync($"export PATH={Support.Pty.Quote(zxvmDir)}:$PATH; {script}");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(["complete -o default -F _zxvm_complete zxvm", "run", "--disk", "trace"], stdout.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Version_ExitsZero()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("zxvm ", result.Stdout);
    }
}
