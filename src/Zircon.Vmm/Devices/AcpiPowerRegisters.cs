namespace Zircon.Vmm.Devices;

/// <summary>What the guest asked the machine to do.</summary>
public enum PowerRequest
{
    PowerOff,
    Reboot,
}

/// <summary>
/// The hardware-reduced ACPI registers of the Linux machine, byte-wide I/O ports the FADT names:
/// sleep control (offset 0), sleep status (offset 1) and reset (offset 2). Writing SLP_EN (bit 5)
/// with SLP_TYP (bits 2..4) = the \_S5 value asks for power-off; writing the FADT's reset value to
/// the reset register asks for a reboot. The first request wins. Thread-safe.
/// </summary>
public sealed class AcpiPowerRegisters : IBusDevice
{
    public const ulong SleepControlOffset = 0, SleepStatusOffset = 1, ResetOffset = 2, PortCount = 3;
    public const byte SleepEnable = 1 << 5;
    public const int SleepTypeShift = 2;

    private readonly byte _s5SleepType;
    private readonly byte _resetValue;
    private int _requested;

    public AcpiPowerRegisters(byte s5SleepType, byte resetValue)
    {
        _s5SleepType = s5SleepType;
        _resetValue = resetValue;
    }

    /// <summary>Raised once, on the VCPU thread, with the first request.</summary>
    public event Action<PowerRequest>? Requested;

    /// <summary>The sleep status register reads 0 (no wake event); the others read 0.</summary>
    public ulong Read(ulong offset, int size) => 0;

    public void Write(ulong offset, int size, ulong value)
    {
        byte b = (byte)value;
        if (offset == SleepControlOffset && (b & SleepEnable) != 0 && ((b >> SleepTypeShift) & 7) == _s5SleepType)
            Request(PowerRequest.PowerOff);
        else if (offset == ResetOffset && b == _resetValue)
            Request(PowerRequest.Reboot);
        // Other sleep states (S1..S4) and writes to the status register: nothing to do.
    }

    /// <summary>For other reset paths (the keyboard controller): the same once-only request.</summary>
    public void Request(PowerRequest request)
    {
        if (Interlocked.Exchange(ref _requested, 1) == 0)
            Requested?.Invoke(request);
    }
}
