namespace Zircon.Vmm.Devices;

/// <summary>
/// The zxvm periodic timer (ports 0x500–0x507, vector 32): a u32 written at offset 0 sets the period
/// in microseconds (0 stops the timer); a read at offset 4 returns the low 32 bits of the number of
/// ticks raised so far. Each tick raises the interrupt once. The periodic callbacks come from an
/// injected <see cref="IPeriodicTimer"/>.
/// </summary>
/// <remarks>
/// Thread-safe: register access from the VCPU thread, ticks from the timer's thread. Reading
/// offset 0 returns the current period. Disposing stops the timer.
/// </remarks>
public sealed class TimerDevice : IBusDevice, IDisposable
{
    /// <summary>Offset of the period register (u32, µs, write; reads back the period).</summary>
    public const ulong PeriodOffset = 0;

    /// <summary>Offset of the tick counter (u32, read).</summary>
    public const ulong TicksOffset = 4;

    private readonly Lock _lock = new();
    private readonly IPeriodicTimer _timer;
    private readonly IInterruptSignal _interrupt;
    private readonly Action _tick;
    private uint _periodMicroseconds;
    private long _ticks;

    /// <summary>Creates a stopped timer.</summary>
    public TimerDevice(IPeriodicTimer timer, IInterruptSignal interrupt)
    {
        ArgumentNullException.ThrowIfNull(timer);
        ArgumentNullException.ThrowIfNull(interrupt);
        _timer = timer;
        _interrupt = interrupt;
        _tick = Tick;
    }

    /// <summary>The current period in microseconds; 0 when stopped.</summary>
    public uint PeriodMicroseconds
    {
        get { lock (_lock) { return _periodMicroseconds; } }
    }

    /// <summary>Ticks raised so far (all 64 bits).</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>
    /// Sets the period (what a guest write at offset 0 does; the VMM uses it for the initial period):
    /// 0 stops the timer, anything else (re)starts it with the new period.
    /// </summary>
    public void SetPeriod(uint microseconds)
    {
        lock (_lock)
        {
            if (microseconds == _periodMicroseconds)
            {
                return;
            }
            _periodMicroseconds = microseconds;
            if (microseconds == 0)
            {
                _timer.Stop();
            }
            else
            {
                _timer.Start(TimeSpan.FromMicroseconds(microseconds), _tick);
            }
        }
    }

    /// <inheritdoc />
    public ulong Read(ulong offset, int size) => offset switch
    {
        PeriodOffset => PeriodMicroseconds,
        TicksOffset => (uint)Ticks,
        _ => 0,
    };

    /// <inheritdoc />
    public void Write(ulong offset, int size, ulong value)
    {
        if (offset == PeriodOffset)
        {
            SetPeriod((uint)value);
        }
    }

    /// <summary>Stops the timer.</summary>
    public void Dispose() => SetPeriod(0);

    private void Tick()
    {
        Interlocked.Increment(ref _ticks);
        _interrupt.Raise();
    }
}
