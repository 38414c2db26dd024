namespace Zircon.Vmm.Devices;

/// <summary>
/// Just enough of an i8042 at ports 0x60 and 0x64 for Linux's <c>reboot=k</c>: the status register
/// reads 0 (input buffer empty, no data), and command 0xFE (pulse the reset line) reboots. There is
/// no keyboard: the FADT says there is no 8042, so Linux's i8042 driver leaves these ports alone.
/// </summary>
public sealed class KeyboardControllerReset : IBusDevice
{
    /// <summary>Ports 0x60..0x64: data at offset 0, command/status at offset 4.</summary>
    public const ushort BasePort = 0x60, PortCount = 5;
    public const ulong CommandOffset = 4;
    public const byte PulseResetCommand = 0xFE;

    private readonly Action _reset;

    public KeyboardControllerReset(Action reset) => _reset = reset ?? throw new ArgumentNullException(nameof(reset));

    public ulong Read(ulong offset, int size) => 0;

    public void Write(ulong offset, int size, ulong value)
    {
        if (offset == CommandOffset && (byte)value == PulseResetCommand)
            _reset();
    }
}
