namespace Zircon.Vmm.Devices;

/// <summary>
/// A 16550A UART (COM1 on the zxvm machine, ports 0x3F8–0x3FF, vector 36) as a pure state machine.
/// </summary>
/// <remarks>
/// <para>Threads: register access comes from the VCPU thread, <see cref="Receive"/> from the host
/// input thread; one lock covers the state. The output callback and the interrupt are invoked
/// outside the lock.</para>
/// <para>Transmission is instantaneous: every byte written to THR goes straight to the output (or,
/// in loopback mode, to the receive FIFO), so LSR always shows THRE and TEMT, and a THR-empty
/// interrupt follows every THR write when IER bit 1 is set.</para>
/// <para>Simplifications: the receive FIFO is <see cref="RxFifoCapacity"/> bytes whether or not the
/// FIFOs are enabled; host input has no character times, so the receive interrupt (IIR 0x04) is
/// reported for any pending byte whatever the trigger level and the character-timeout interrupt is
/// never used; there are no line errors (LSR OE/PE/FE/BI stay 0); MCR OUT2 does not gate the
/// interrupt.</para>
/// </remarks>
public sealed class Uart16550 : IBusDevice
{
    /// <summary>Whether the guest enabled the received-data interrupt (IER bit 0): its driver reads input.</summary>
    public bool ReceiveInterruptEnabled
    {
        get
        {
            lock (_lock)
                return (_ier & 0x01) != 0;
        }
    }

    /// <summary>Number of registers (ports) the UART occupies.</summary>
    public const int RegisterCount = 8;

    /// <summary>Default receive FIFO size: larger than the 16550's 16 bytes so pasted host input is not lost.</summary>
    public const int DefaultRxFifoCapacity = 1024;

    // Register offsets.
    private const int RbrThrDll = 0;
    private const int IerDlm = 1;
    private const int IirFcr = 2;
    private const int Lcr = 3;
    private const int Mcr = 4;
    private const int Lsr = 5;
    private const int Msr = 6;
    private const int Scr = 7;

    // IER bits.
    private const byte IerReceivedData = 0x01;
    private const byte IerThrEmpty = 0x02;
    private const byte IerModemStatus = 0x08;

    // IIR values.
    private const byte IirNoInterrupt = 0x01;
    private const byte IirReceivedData = 0x04;
    private const byte IirThrEmpty = 0x02;
    private const byte IirModemStatus = 0x00;
    private const byte IirFifosEnabled = 0xC0;

    // FCR bits.
    private const byte FcrEnable = 0x01;
    private const byte FcrClearRx = 0x02;
    private const byte FcrTriggerMask = 0xC0;

    // LCR, MCR, LSR, MSR bits.
    private const byte LcrDlab = 0x80;
    private const byte McrDtr = 0x01;
    private const byte McrRts = 0x02;
    private const byte McrOut1 = 0x04;
    private const byte McrOut2 = 0x08;
    private const byte McrLoopback = 0x10;
    private const byte LsrDataReady = 0x01;
    private const byte LsrThrEmpty = 0x20;
    private const byte LsrTransmitterEmpty = 0x40;
    private const byte MsrCts = 0x10;
    private const byte MsrDsr = 0x20;
    private const byte MsrRi = 0x40;
    private const byte MsrDcd = 0x80;
    private const byte MsrDeltaCts = 0x01;
    private const byte MsrDeltaDsr = 0x02;
    private const byte MsrTrailingEdgeRi = 0x04;
    private const byte MsrDeltaDcd = 0x08;

    // Pending interrupt sources, one bit each (for edge detection).
    private const int SourceReceivedData = 1;
    private const int SourceThrEmpty = 2;
    private const int SourceModemStatus = 4;

    private readonly Lock _lock = new();
    private readonly Action<byte> _output;
    private readonly IInterruptSignal _interrupt;
    private readonly byte[] _rxFifo;
    private int _rxHead;
    private int _rxCount;

    private byte _ier;
    private byte _fcr;
    private byte _lcr;
    private byte _mcr;
    private byte _msrLines = MsrCts | MsrDsr | MsrDcd;
    private byte _msrDelta;
    private byte _scr;
    private byte _dll = 0x0C; // 9600 baud with the PC's 1.8432 MHz clock
    private byte _dlm;
    private bool _thrEmptyPending;

    /// <summary>Creates a UART.</summary>
    /// <param name="output">Receives each transmitted byte, in order (called on the VCPU thread, outside the device lock).</param>
    /// <param name="interrupt">The UART's interrupt line.</param>
    /// <param name="rxFifoCapacity">Receive FIFO size in bytes (at least 16).</param>
    public Uart16550(Action<byte> output, IInterruptSignal interrupt, int rxFifoCapacity = DefaultRxFifoCapacity)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(interrupt);
        ArgumentOutOfRangeException.ThrowIfLessThan(rxFifoCapacity, 16);
        _output = output;
        _interrupt = interrupt;
        _rxFifo = new byte[rxFifoCapacity];
    }

    /// <summary>Size of the receive FIFO in bytes.</summary>
    public int RxFifoCapacity => _rxFifo.Length;

    /// <summary>Bytes waiting in the receive FIFO.</summary>
    public int RxCount
    {
        get { lock (_lock) { return _rxCount; } }
    }

    /// <summary>
    /// Host input (the host input thread): appends as many bytes as fit in the receive FIFO and
    /// returns how many were taken; the caller keeps or drops the rest. Raises the interrupt when
    /// received data newly becomes pending with IER bit 0 set.
    /// </summary>
    public int Receive(ReadOnlySpan<byte> data)
    {
        int accepted;
        bool raise;
        lock (_lock)
        {
            int before = PendingSourcesLocked();
            accepted = EnqueueRxLocked(data);
            raise = IsNewlyPendingLocked(before);
        }
        if (raise)
        {
            _interrupt.Raise();
        }
        return accepted;
    }

    /// <inheritdoc />
    /// <remarks>A wider access reads consecutive registers, lowest byte first; bytes past the last register read 0xFF.</remarks>
    public ulong Read(ulong offset, int size)
    {
        ulong value = 0;
        for (int i = 0; i < size; i++)
        {
            ulong register = offset + (ulong)i;
            byte b = register < RegisterCount ? ReadRegister((int)register) : (byte)0xFF;
            value |= (ulong)b << (8 * i);
        }
        return value;
    }

    /// <inheritdoc />
    /// <remarks>A wider access writes consecutive registers, lowest byte first; bytes past the last register are ignored.</remarks>
    public void Write(ulong offset, int size, ulong value)
    {
        for (int i = 0; i < size; i++)
        {
            ulong register = offset + (ulong)i;
            if (register < RegisterCount)
            {
                WriteRegister((int)register, (byte)(value >> (8 * i)));
            }
        }
    }

    private byte ReadRegister(int register)
    {
        lock (_lock)
        {
            bool dlab = (_lcr & LcrDlab) != 0;
            switch (register)
            {
                case RbrThrDll:
                    return dlab ? _dll : DequeueRxLocked();
                case IerDlm:
                    return dlab ? _dlm : _ier;
                case IirFcr:
                    return ReadIirLocked();
                case Lcr:
                    return _lcr;
                case Mcr:
                    return _mcr;
                case Lsr:
                    return (byte)((_rxCount > 0 ? LsrDataReady : 0) | LsrThrEmpty | LsrTransmitterEmpty);
                case Msr:
                    byte msr = (byte)(_msrLines | _msrDelta);
                    _msrDelta = 0;
                    return msr;
                default:
                    return _scr;
            }
        }
    }

    private void WriteRegister(int register, byte value)
    {
        bool raise;
        bool transmit = false;
        lock (_lock)
        {
            bool dlab = (_lcr & LcrDlab) != 0;
            if (register == RbrThrDll && !dlab)
            {
                // A THR write clears the THR-empty interrupt; the instant transmission sets it again,
                // which is a new edge.
                _thrEmptyPending = false;
                int beforeTransmit = PendingSourcesLocked();
                if ((_mcr & McrLoopback) != 0)
                {
                    EnqueueRxLocked([value]);
                }
                else
                {
                    transmit = true;
                }
                _thrEmptyPending = true;
                raise = IsNewlyPendingLocked(beforeTransmit);
            }
            else
            {
                int before = PendingSourcesLocked();
                WriteControlRegisterLocked(register, value, dlab);
                raise = IsNewlyPendingLocked(before);
            }
        }
        if (transmit)
        {
            _output(value);
        }
        if (raise)
        {
            _interrupt.Raise();
        }
    }

    private void WriteControlRegisterLocked(int register, byte value, bool dlab)
    {
        switch (register)
        {
            case RbrThrDll:
                _dll = value;
                break;
            case IerDlm when dlab:
                _dlm = value;
                break;
            case IerDlm:
                byte changed = (byte)((_ier ^ value) & 0x0F);
                _ier = (byte)(value & 0x0F);
                if ((changed & IerThrEmpty) != 0)
                {
                    // Enabling the THR-empty interrupt while THR is empty (always) makes it pending.
                    _thrEmptyPending = (_ier & IerThrEmpty) != 0;
                }
                break;
            case IirFcr:
                WriteFcrLocked(value);
                break;
            case Lcr:
                _lcr = value;
                break;
            case Mcr:
                _mcr = (byte)(value & 0x1F);
                UpdateModemLinesLocked();
                break;
            case Lsr:
                break; // read-only (factory test register on real parts)
            case Msr:
                break; // read-only
            default:
                _scr = value;
                break;
        }
    }

    private void WriteFcrLocked(byte value)
    {
        bool wasEnabled = (_fcr & FcrEnable) != 0;
        bool enable = (value & FcrEnable) != 0;
        if (enable != wasEnabled || (value & FcrClearRx) != 0)
        {
            _rxHead = 0;
            _rxCount = 0;
        }
        // Clearing the transmit FIFO (bit 2) has nothing to do: transmission is instantaneous.
        _fcr = enable ? (byte)(FcrEnable | (value & FcrTriggerMask)) : (byte)0;
    }

    private byte ReadIirLocked()
    {
        byte fifoBits = (_fcr & FcrEnable) != 0 ? IirFifosEnabled : (byte)0;
        int pending = PendingSourcesLocked();
        if ((pending & SourceReceivedData) != 0)
        {
            return (byte)(fifoBits | IirReceivedData);
        }
        if ((pending & SourceThrEmpty) != 0)
        {
            // Reading IIR while it reports THR empty clears that interrupt.
            _thrEmptyPending = false;
            return (byte)(fifoBits | IirThrEmpty);
        }
        if ((pending & SourceModemStatus) != 0)
        {
            return (byte)(fifoBits | IirModemStatus);
        }
        return (byte)(fifoBits | IirNoInterrupt);
    }

    private void UpdateModemLinesLocked()
    {
        byte lines;
        if ((_mcr & McrLoopback) != 0)
        {
            lines = 0;
            if ((_mcr & McrRts) != 0) lines |= MsrCts;
            if ((_mcr & McrDtr) != 0) lines |= MsrDsr;
            if ((_mcr & McrOut1) != 0) lines |= MsrRi;
            if ((_mcr & McrOut2) != 0) lines |= MsrDcd;
        }
        else
        {
            lines = MsrCts | MsrDsr | MsrDcd; // a host that is always there
        }
        byte changed = (byte)(lines ^ _msrLines);
        if ((changed & MsrCts) != 0) _msrDelta |= MsrDeltaCts;
        if ((changed & MsrDsr) != 0) _msrDelta |= MsrDeltaDsr;
        if ((changed & MsrDcd) != 0) _msrDelta |= MsrDeltaDcd;
        if ((changed & MsrRi) != 0 && (lines & MsrRi) == 0) _msrDelta |= MsrTrailingEdgeRi;
        _msrLines = lines;
    }

    private int PendingSourcesLocked()
    {
        int sources = 0;
        if ((_ier & IerReceivedData) != 0 && _rxCount > 0) sources |= SourceReceivedData;
        if ((_ier & IerThrEmpty) != 0 && _thrEmptyPending) sources |= SourceThrEmpty;
        if ((_ier & IerModemStatus) != 0 && _msrDelta != 0) sources |= SourceModemStatus;
        return sources;
    }

    private bool IsNewlyPendingLocked(int before) => (PendingSourcesLocked() & ~before) != 0;

    private int EnqueueRxLocked(ReadOnlySpan<byte> data)
    {
        int accepted = Math.Min(data.Length, _rxFifo.Length - _rxCount);
        for (int i = 0; i < accepted; i++)
        {
            _rxFifo[(_rxHead + _rxCount) % _rxFifo.Length] = data[i];
            _rxCount++;
        }
        return accepted;
    }

    private byte DequeueRxLocked()
    {
        if (_rxCount == 0)
        {
            return 0;
        }
        byte b = _rxFifo[_rxHead];
        _rxHead = (_rxHead + 1) % _rxFifo.Length;
        _rxCount--;
        return b;
    }
}
