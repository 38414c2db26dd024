namespace Zircon.Vmm.Machine;

/// <summary>Addresses, ports and vectors of docs/zxvm-machine.md, in one place.</summary>
public static class MachineLayout
{
    public const ushort UartPort = 0x3F8, UartPorts = 8;
    public const ushort TimerPort = 0x500, TimerPorts = 8;
    public const ushort PowerPort = 0x600, PowerPorts = 2;

    public const ulong VirtioConsoleBase = 0xD000_0000;
    public const ulong VirtioBlockBase = 0xD000_2000;
    public const ulong RegisterPageSize = 0x1000;

    /// <summary>Each virtio device's doorbell page follows its register page.</summary>
    public const ulong DoorbellOffset = 0x1000;

    public const uint TimerVector = 32, UartVector = 36, VirtioConsoleVector = 40, VirtioBlockVector = 41;
}
