using Zircon.Vmm.Boot.Acpi;

namespace Zircon.Vmm.Machine;

/// <summary>
/// Addresses, ports and interrupt pins of the Linux machine (docs/zxvm-machine.md, "The Linux
/// machine"), in one place; <see cref="Acpi"/> describes exactly these to the guest.
/// </summary>
public static class LinuxMachineLayout
{
    public const uint LocalApicAddress = 0xFEE0_0000;
    public const uint IoApicAddress = 0xFEC0_0000;
    public const byte IoApicId = 1;

    public const ushort SerialPort = 0x3F8;
    public const int SerialIrq = 4;

    /// <summary>Hardware-reduced ACPI registers (<see cref="Devices.AcpiPowerRegisters"/>): sleep control, sleep status, reset.</summary>
    public const ushort AcpiPortBase = 0x600;
    public const byte S5SleepType = 5, ResetValue = 1;

    /// <summary>virtio-mmio devices: the register pages of the zxos machine, announced with 0x200 bytes of registers each.</summary>
    public const uint VirtioConsoleAddress = (uint)MachineLayout.VirtioConsoleBase, VirtioBlockAddress = (uint)MachineLayout.VirtioBlockBase;
    public const uint VirtioRegisterLength = 0x200;
    public const int VirtioConsoleIrq = 5, VirtioBlockIrq = 6;

    /// <summary>The ACPI description of this machine with <paramref name="processors"/> processors; the block device only with a disk.</summary>
    public static AcpiMachine Acpi(bool withDisk, int processors = 1) => new()
    {
        ProcessorCount = processors,
        LocalApicAddress = LocalApicAddress,
        IoApicId = IoApicId,
        IoApicAddress = IoApicAddress,
        SleepControlPort = AcpiPortBase,
        SleepStatusPort = AcpiPortBase + 1,
        ResetPort = AcpiPortBase + 2,
        ResetValue = ResetValue,
        S5SleepType = S5SleepType,
        SerialPorts = [new AcpiSerialPort("COM1", SerialPort, SerialIrq)],
        VirtioDevices = withDisk
            ? [new AcpiVirtioMmio("VR00", VirtioConsoleAddress, VirtioRegisterLength, VirtioConsoleIrq), new AcpiVirtioMmio("VR01", VirtioBlockAddress, VirtioRegisterLength, VirtioBlockIrq)]
            : [new AcpiVirtioMmio("VR00", VirtioConsoleAddress, VirtioRegisterLength, VirtioConsoleIrq)],
    };
}
