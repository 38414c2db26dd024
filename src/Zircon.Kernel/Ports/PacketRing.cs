namespace Zircon.Kernel.Ports;

/// <summary>
/// The FIFO of a port's regular packets (user, signal, guest trap): a growable ring of structs,
/// so queuing a packet does not allocate once the ring has grown to its working size. Each entry
/// remembers the object that produced it (null for user packets) so cancellation can find it.
/// The capacity is always a power of two, so positions wrap with a mask instead of a division.
/// Not thread-safe: the port's lock guards it.
/// </summary>
internal sealed class PacketRing
{
    private Entry[] _entries = new Entry[16];
    private int _head;
    private int _count;

    internal struct Entry
    {
        public ZxPortPacket Packet;
        public object? Producer;
    }

    public int Count => _count;

    public void Enqueue(in ZxPortPacket packet, object? producer)
    {
        if (_count == _entries.Length)
            Grow();
        ref Entry slot = ref _entries[(_head + _count) & (_entries.Length - 1)];
        slot.Packet = packet;
        slot.Producer = producer;
        _count++;
    }

    public bool TryDequeue(out ZxPortPacket packet, out object? producer)
    {
        if (_count == 0)
        {
            packet = default;
            producer = null;
            return false;
        }
        ref Entry slot = ref _entries[_head];
        packet = slot.Packet;
        producer = slot.Producer;
        slot.Producer = null;
        _head = (_head + 1) & (_entries.Length - 1);
        _count--;
        return true;
    }

    /// <summary>Removes every entry for which <paramref name="match"/> holds, keeping the order of the rest.</summary>
    public int RemoveWhere<TState>(Func<Entry, TState, bool> match, TState state)
    {
        int kept = 0;
        int removed = 0;
        for (int i = 0; i < _count; i++)
        {
            Entry e = _entries[(_head + i) & (_entries.Length - 1)];
            if (match(e, state))
            {
                removed++;
                continue;
            }
            _entries[(_head + kept) & (_entries.Length - 1)] = e;
            kept++;
        }
        for (int i = kept; i < _count; i++)
            _entries[(_head + i) & (_entries.Length - 1)] = default;
        _count = kept;
        return removed;
    }

    public void Clear()
    {
        Array.Clear(_entries);
        _head = 0;
        _count = 0;
    }

    private void Grow()
    {
        var grown = new Entry[_entries.Length * 2];
        for (int i = 0; i < _count; i++)
            grown[i] = _entries[(_head + i) & (_entries.Length - 1)];
        _entries = grown;
        _head = 0;
    }
}
