using Zircon.Vmm.Bus;
using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Tests.Devices;

/// <summary>The small devices of the Linux machine: ACPI power registers, the i8042 reset line, unassigned ports.</summary>
public class LinuxMachineDeviceTests
{
    private static (AcpiPowerRegisters, List<PowerRequest>) Power()
    {
        var power = new AcpiPowerRegisters(s5SleepType: 5, resetValue: 1);
        var requests = new List<PowerRequest>();
        power.Requested += requests.Add;
        return (power, requests);
    }

    [Fact]
    public void SleepControl_WithSlpEnAndTheS5Type_PowersOff()
    {
        (AcpiPowerRegisters power, List<PowerRequest> requests) = Power();
        power.Write(AcpiPowerRegisters.SleepStatusOffset, 1, 0x80); // Linux clears WAK_STS first
        power.Write(AcpiPowerRegisters.SleepControlOffset, 1, 5 << 2); // type without SLP_EN
        Assert.Empty(requests);
        power.Write(AcpiPowerRegisters.SleepControlOffset, 1, (5 << 2) | 0x20); // what Linux writes for S5
        Assert.Equal([PowerRequest.PowerOff], requests);
    }

    [Fact]
    public void OtherSleepStates_DoNothing_TheResetValueReboots_AndOnlyTheFirstRequestCounts()
    {
        (AcpiPowerRegisters power, List<PowerRequest> requests) = Power();
        power.Write(AcpiPowerRegisters.SleepControlOffset, 1, (3 << 2) | 0x20); // S3
        power.Write(AcpiPowerRegisters.ResetOffset, 1, 0x06);                   // not the reset value
        Assert.Empty(requests);
        power.Write(AcpiPowerRegisters.ResetOffset, 1, 1);
        power.Write(AcpiPowerRegisters.SleepControlOffset, 1, (5 << 2) | 0x20);
        Assert.Equal([PowerRequest.Reboot], requests);
        Assert.Equal(0UL, power.Read(AcpiPowerRegisters.SleepStatusOffset, 1));
    }

    [Fact]
    public void KeyboardController_StatusReadsEmpty_AndCommand0xFEResets()
    {
        int resets = 0;
        var kbc = new KeyboardControllerReset(() => resets++);
        Assert.Equal(0UL, kbc.Read(KeyboardControllerReset.CommandOffset, 1)); // Linux waits for bit 1 clear
        kbc.Write(KeyboardControllerReset.CommandOffset, 1, 0xAD);
        kbc.Write(0, 1, 0xFE); // the data port is not the command port
        Assert.Equal(0, resets);
        kbc.Write(KeyboardControllerReset.CommandOffset, 1, 0xFE);
        Assert.Equal(1, resets);
    }

    [Theory]
    [InlineData(1, 0xFFUL)]
    [InlineData(2, 0xFFFFUL)]
    [InlineData(4, 0xFFFF_FFFFUL)]
    public void UnassignedPorts_ReadAllOnes_AndCountAccesses(int size, ulong expected)
    {
        var ports = new UnassignedPorts();
        Assert.Equal(expected, ports.Read(0x21, size));
        ports.Write(0x80, 1, 0);
        Assert.Equal(2, ports.Accesses);
    }

    [Fact]
    public void BusGaps_AreTheComplementOfTheDevices()
    {
        var bus = new AddressSpaceBus();
        var device = new UnassignedPorts();
        bus.Add(AddressSpaceKind.Io, 0x60, 5, device, "kbc");
        bus.Add(AddressSpaceKind.Io, 0x3F8, 8, device, "uart");
        bus.Add(AddressSpaceKind.Io, 0x600, 3, device, "acpi");
        Assert.Equal([(0UL, 0x60UL), (0x65UL, 0x3F8UL - 0x65), (0x400UL, 0x200UL), (0x603UL, 0x1_0000UL - 0x603)], bus.Gaps(AddressSpaceKind.Io, 0, 0x1_0000));
        Assert.Empty(bus.Gaps(AddressSpaceKind.Io, 0x60, 0x65));
        Assert.Equal([(0UL, 0x1_0000UL)], new AddressSpaceBus().Gaps(AddressSpaceKind.Io, 0, 0x1_0000));
    }
}
