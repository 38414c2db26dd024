namespace Zircon.Vmm.Devices;

/// <summary>
/// An 82093AA-style IO-APIC (version 0x11, 24 pins) as a pure state machine, as Fuchsia's VMM has
/// one in user space: the guest programs redirection entries through IOREGSEL (offset 0x00) and
/// IOWIN (offset 0x10) in its MMIO page (a MEM trap at 0xFEC00000); a device raising a pin sends the
/// entry's vector to <see cref="IVectorDelivery"/>, which reaches the VCPU's local APIC through the
/// public API.
/// </summary>
/// <remarks>
/// <para>Every pin behaves as edge-triggered, whatever its trigger-mode bit: the devices raise edges,
/// and with KVM's split irqchip the local APIC's EOI does not reach a user-space IO-APIC through
/// Zircon's API, so there is no Remote IRR to clear (the entry's bit 14 reads 0). The ACPI tables
/// describe every source as edge-triggered, active high.</para>
/// <para>An edge on a masked pin is latched and delivered when the guest unmasks the pin, so an
/// interrupt raised while Linux briefly masks a line is not lost.</para>
/// <para>Fixed delivery goes to every VCPU the destination names (physical or flat logical),
/// lowest priority to the lowest-numbered of them (<see cref="Targets"/>); other delivery modes (SMI, NMI, INIT, ExtINT) are counted in <see cref="DroppedDeliveries"/> and
/// dropped. Thread-safe: registers from the VCPU thread, raises from device threads.</para>
/// </remarks>
public sealed class IoApic : IBusDevice
{
    public const int PinCount = 24;
    public const uint Version = 0x11;
    public const ulong SelectOffset = 0x00, WindowOffset = 0x10, MmioSize = 0x1000;
    public const byte IdRegister = 0x00, VersionRegister = 0x01, ArbitrationRegister = 0x02, FirstRedirectionRegister = 0x10;

    public const ulong DestinationModeLogicalBit = 1UL << 11;
    public const ulong MaskBit = 1UL << 16, TriggerLevelBit = 1UL << 15, RemoteIrrBit = 1UL << 14, DeliveryStatusBit = 1UL << 12;
    private const ulong WritableLowBits = 0x1_AFFF; // vector, delivery mode, destination mode, polarity, trigger, mask

    private readonly Lock _lock = new();
    private readonly IVectorDelivery _delivery;
    private readonly ulong[] _entries = new ulong[PinCount];
    private readonly bool[] _latched = new bool[PinCount];
    private readonly ulong?[] _prepared = new ulong?[256]; // the targets each vector was prepared for
    private byte _select;
    private uint _id;
    private long _dropped;

    /// <param name="delivery">Receives the vectors.</param>
    /// <param name="id">The IO-APIC id (ID register bits 24..27), as the MADT announces it.</param>
    public IoApic(IVectorDelivery delivery, byte id)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        _delivery = delivery;
        _id = (uint)(id & 0xF);
        for (int i = 0; i < PinCount; i++)
            _entries[i] = MaskBit; // masked at reset
    }

    /// <summary>Deliveries dropped because of a delivery mode other than fixed or lowest priority.</summary>
    public long DroppedDeliveries => Interlocked.Read(ref _dropped);

    /// <summary>The redirection entry of <paramref name="pin"/>.</summary>
    public ulong RedirectionEntry(int pin)
    {
        lock (_lock)
            return _entries[pin];
    }

    /// <summary>A device's line into <paramref name="pin"/>.</summary>
    public IInterruptSignal Pin(int pin)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pin);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(pin, PinCount);
        return new PinSignal(this, pin);
    }

    /// <summary>An edge on <paramref name="pin"/>: delivered now, or latched while the pin is masked.</summary>
    public void Raise(int pin)
    {
        ulong entry;
        lock (_lock)
        {
            entry = _entries[pin];
            if ((entry & MaskBit) != 0)
            {
                _latched[pin] = true;
                return;
            }
        }
        Send(entry);
    }

    public ulong Read(ulong offset, int size)
    {
        lock (_lock)
        {
            return offset switch
            {
                SelectOffset => _select,
                WindowOffset => ReadRegisterLocked(_select),
                _ => 0,
            };
        }
    }

    public void Write(ulong offset, int size, ulong value)
    {
        if (offset == SelectOffset)
        {
            lock (_lock)
                _select = (byte)value;
            return;
        }
        if (offset != WindowOffset)
            return; // the version-0x20 EOI register and reserved offsets: nothing to do
        ulong? deliverNow = null;
        lock (_lock)
        {
            byte register = _select;
            switch (register)
            {
                case IdRegister:
                    _id = (uint)(value >> 24) & 0xF;
                    return;
                case >= FirstRedirectionRegister and < FirstRedirectionRegister + 2 * PinCount:
                    int pin = (register - FirstRedirectionRegister) / 2;
                    ulong old = _entries[pin];
                    ulong updated = (register & 1) == 0
                        ? (old & ~0xFFFF_FFFFUL) | ((ulong)(uint)value & WritableLowBits)
                        : (old & 0xFFFF_FFFFUL) | ((ulong)(uint)value << 32);
                    _entries[pin] = updated;
                    if ((updated & MaskBit) == 0 && IsFixed(updated))
                    {
                        // Prepared under the lock: a raise racing this write must find the vector ready.
                        byte vector = (byte)updated;
                        ulong targets = TargetsOfVectorLocked(vector);
                        if (_prepared[vector] != targets)
                        {
                            _delivery.Prepare(vector, targets);
                            _prepared[vector] = targets;
                        }
                        if (_latched[pin])
                        {
                            _latched[pin] = false;
                            deliverNow = updated;
                        }
                    }
                    break;
                default:
                    return; // version and arbitration are read-only
            }
        }
        if (deliverNow is ulong e)
            Send(e);
    }

    private uint ReadRegisterLocked(byte register) => register switch
    {
        IdRegister or ArbitrationRegister => _id << 24,
        VersionRegister => ((PinCount - 1) << 16) | Version,
        >= FirstRedirectionRegister and < FirstRedirectionRegister + 2 * PinCount =>
            (register & 1) == 0 ? (uint)_entries[(register - FirstRedirectionRegister) / 2] : (uint)(_entries[(register - FirstRedirectionRegister) / 2] >> 32),
        _ => 0,
    };

    /// <summary>
    /// The APIC ids an entry sends to, as a mask. Physical mode (bit 11 clear): the destination
    /// field is one APIC id, 0xFF all. Logical mode: the flat model, each bit one processor — bit i
    /// the processor with APIC id i, as Linux's flat mode sets each logical id (LDR = 1 &lt;&lt; cpu).
    /// Fixed delivery goes to every target; lowest priority to one, the lowest-numbered.
    /// </summary>
    public static ulong Targets(ulong entry)
    {
        byte destination = (byte)(entry >> 56);
        bool logical = (entry & DestinationModeLogicalBit) != 0;
        ulong targets = logical ? destination : destination == 0xFF ? ulong.MaxValue : destination < 64 ? 1UL << destination : 0;
        bool lowestPriority = ((entry >> 8) & 7) == 1;
        return lowestPriority ? targets & (~targets + 1) : targets;
    }

    /// <summary>
    /// Every processor an unmasked entry sends <paramref name="vector"/> to. Linux allocates vectors
    /// per CPU, so two pins may use the same vector number on different CPUs (IRQ 4 as 0x21 on CPU
    /// 0, IRQ 5 as 0x21 on CPU 1). A vector is one host line bound to one set of VCPUs (vector =
    /// line number), so it goes to the union: each pin's CPU gets its interrupt, and the other CPU a
    /// spurious one its handler finds nothing to do for (docs/decisions.md).
    /// </summary>
    private ulong TargetsOfVectorLocked(byte vector)
    {
        ulong targets = 0;
        foreach (ulong entry in _entries)
        {
            if ((entry & MaskBit) == 0 && IsFixed(entry) && (byte)entry == vector)
                targets |= Targets(entry);
        }
        return targets;
    }

    private static bool IsFixed(ulong entry) => ((entry >> 8) & 7) is 0 or 1;

    private void Send(ulong entry)
    {
        if (!IsFixed(entry) || (byte)entry < 16)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        _delivery.Deliver((byte)entry);
    }

    private sealed class PinSignal(IoApic ioApic, int pin) : IInterruptSignal
    {
        public void Raise() => ioApic.Raise(pin);
    }
}
