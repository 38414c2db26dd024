namespace Zxvm;

/// <summary>
/// Input read from the host but not yet taken by the guest, between the reading thread and the
/// delivering thread. Bounded when input is piped (the reader then waits, so a large file is not
/// read into memory); unbounded on a terminal, so the reader never stops looking at what is typed
/// (Ctrl-] must work even when the guest takes nothing).
/// </summary>
internal sealed class PendingInput
{
    private readonly object _lock = new(); // Monitor.Wait/Pulse need a monitor, not a Lock
    private readonly Queue<byte> _bytes = new();
    private readonly int? _limit;
    private bool _closed;

    /// <param name="limit">Most bytes held before <see cref="Add"/> waits; null for no limit.</param>
    public PendingInput(int? limit) => _limit = limit;

    public int Count
    {
        get
        {
            lock (_lock)
                return _bytes.Count;
        }
    }

    /// <summary>Queues bytes; with a limit, waits for room (returns early once closed).</summary>
    public void Add(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            foreach (byte b in data)
            {
                while (_limit is int limit && _bytes.Count >= limit && !_closed)
                    Monitor.Wait(_lock);
                if (_closed)
                    return;
                _bytes.Enqueue(b);
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Copies up to <paramref name="buffer"/>.Length queued bytes, waiting up to <paramref name="timeout"/> for some.</summary>
    public int Peek(Span<byte> buffer, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (_bytes.Count == 0 && !_closed)
                Monitor.Wait(_lock, timeout);
            int n = 0;
            foreach (byte b in _bytes)
            {
                if (n == buffer.Length)
                    break;
                buffer[n++] = b;
            }
            return n;
        }
    }

    /// <summary>Drops the first <paramref name="count"/> bytes (those the guest took).</summary>
    public void Consume(int count)
    {
        lock (_lock)
        {
            for (int i = 0; i < count && _bytes.Count > 0; i++)
                _bytes.Dequeue();
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Wakes every waiter; later <see cref="Add"/>s are dropped.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            Monitor.PulseAll(_lock);
        }
    }
}
