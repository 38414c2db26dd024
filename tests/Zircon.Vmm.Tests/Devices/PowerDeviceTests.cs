using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Tests.Devices;

public sealed class PowerDeviceTests
{
    [Fact]
    public async Task PowerOffWrite_CompletesWithWrittenCode()
    {
        var power = new PowerDevice();
        int? raised = null;
        power.Stopped += code => raised = code;

        power.Write(PowerDevice.PowerOffOffset, 1, 42);

        Assert.Equal(42, raised);
        Assert.Equal(42, power.ExitCode);
        Assert.Equal(42, await power.ExitCodeTask);
    }

    [Fact]
    public void PowerOffWrite_UsesOnlyTheLowByte()
    {
        var power = new PowerDevice();

        power.Write(PowerDevice.PowerOffOffset, 4, 0x1_03);

        Assert.Equal(3, power.ExitCode);
    }

    [Fact]
    public void ResetWrite_CompletesWithCode0x80()
    {
        var power = new PowerDevice();

        power.Write(PowerDevice.ResetOffset, 1, 0);

        Assert.Equal(0x80, power.ExitCode);
    }

    [Fact]
    public void SecondRequest_IsIgnored()
    {
        var power = new PowerDevice();
        int events = 0;
        power.Stopped += _ => events++;

        power.Write(PowerDevice.PowerOffOffset, 1, 7);
        power.Write(PowerDevice.ResetOffset, 1, 0);

        Assert.Equal(7, power.ExitCode);
        Assert.Equal(1, events);
    }

    [Fact]
    public void BeforeAnyRequest_ExitCodeIsNull()
    {
        var power = new PowerDevice();

        Assert.Null(power.ExitCode);
        Assert.False(power.ExitCodeTask.IsCompleted);
        Assert.Equal(0u, power.Read(0, 1));
    }
}
