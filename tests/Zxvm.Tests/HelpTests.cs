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
        Assert.Contains("usage:", result.Stdout);
        Assert.Contains("--image", result.Stdout);
        Assert.Contains("--memory", result.Stdout);
        Assert.Contains("--disk", result.Stdout);
        Assert.Empty(result.Stderr);
    }

    [Fact]
    public async Task Version_ExitsZero()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("zxvm ", result.Stdout);
    }
}
