using Zircon.Kernel.Ports;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// One <c>zx_guest_set_trap</c> range. A BELL trap owns a budget of 256 packets on its port, apart
/// from the port's user-packet limit; a VCPU that would exceed it waits until one is read.
/// Bell writes arrive two ways: a VCPU exit (<see cref="RingBell"/>) or a count from an in-kernel
/// doorbell (<see cref="DeliverCounted"/>, see <see cref="BellDoorbells"/>). Counted writes the
/// budget cannot take yet wait in a backlog, oldest first, and a VCPU exit waits behind them, so
/// the packets of one address stay in write order.
/// </summary>
internal sealed class GuestTrap : IPacketProducer
{
    /// <summary>Zircon's kMaxPacketsPerRange.</summary>
    public const int MaxPacketsInFlight = 256;

    // How often a VCPU waiting for budget checks whether the port or the VCPU went away.
    private const int BudgetPollMs = 20;

    // Guards everything below; VCPUs waiting for budget wait on it (Monitor). Lock order: the
    // guest's BellDoorbells lock, then this, then the port's lock. Re-entered when the port hands
    // a packet straight to a waiter (OnPacketDelivered inside QueueFromProducer).
    private readonly object _gate = new();
    private readonly Queue<BellCount> _backlog = new();
    private BellCount? _backlogTail;
    private int _available = MaxPacketsInFlight;
    private int _pausing;
    private bool _flushing;
    private bool _removed;
    private bool _portGone;

    public GuestTrap(ZxGuestTrap kind, ulong address, ulong size, PortDispatcher? port, ulong key)
    {
        Kind = kind;
        Address = address;
        Size = size;
        Port = port;
        Key = key;
    }

    public ZxGuestTrap Kind { get; }

    public ulong Address { get; }

    public ulong Size { get; }

    public PortDispatcher? Port { get; }

    public ulong Key { get; }

    public bool Contains(ulong address) => address >= Address && address - Address < Size;

    public bool Overlaps(ulong address, ulong size) => address < Address + Size && Address < address + size;

    /// <summary>
    /// Whether a doorbell may be attached now: a BELL trap still in the guest, its port still has
    /// handles, budget left and nothing counted waiting (else the doorbell would only pause again).
    /// </summary>
    public bool CanAccelerate
    {
        get
        {
            lock (_gate)
                return Kind == ZxGuestTrap.Bell && !_removed && !_portGone && _pausing == 0 && _backlog.Count == 0
                    && _available > 0 && Port!.HandleCount > 0;
        }
    }

    /// <summary>
    /// Queues a GUEST_BELL packet for a write at <paramref name="address"/> that exited to the VCPU,
    /// waiting for budget if 256 are unread or counted writes wait before it. BAD_STATE if the port
    /// has no handles left (also while waiting: packets that went with a closed port never give their
    /// budget back). CANCELED once <paramref name="abandon"/> says the VCPU should stop waiting.
    /// </summary>
    public ZxStatus RingBell(ulong address, Func<bool> abandon)
    {
        lock (_gate)
        {
            while (_available == 0 || _backlog.Count > 0 || _pausing > 0)
            {
                if (Port!.HandleCount == 0)
                    return ZxStatus.ErrBadState;
                if (abandon())
                    return ZxStatus.ErrCanceled;
                Monitor.Wait(_gate, BudgetPollMs);
            }
            _available--;
            if (QueueLocked(address))
                return ZxStatus.Ok;
            _available++;
            return ZxStatus.ErrBadState;
        }
    }

    /// <summary>
    /// <paramref name="count"/> writes at <paramref name="address"/> an in-kernel doorbell counted:
    /// one packet each, as far as the budget goes; the rest wait in the backlog for packets to be read.
    /// </summary>
    public BellDelivery DeliverCounted(ulong address, ulong count)
    {
        lock (_gate)
        {
            if (_removed || _portGone)
                return BellDelivery.PortGone;
            // Nothing older waiting: queue straight away (no backlog entry to allocate).
            while (_backlog.Count == 0 && count > 0 && _available > 0)
            {
                _available--;
                if (!QueueLocked(address))
                {
                    _available++;
                    _portGone = true;
                    return BellDelivery.PortGone;
                }
                count--;
            }
            if (count == 0)
                return BellDelivery.Delivered;
            if (_backlogTail is { } tail && tail.Address == address)
            {
                tail.Count += count;
            }
            else
            {
                _backlogTail = new BellCount(address, count);
                _backlog.Enqueue(_backlogTail);
            }
            FlushLocked();
            if (_portGone)
                return BellDelivery.PortGone;
            return _backlog.Count > 0 ? BellDelivery.Exhausted : BellDelivery.Delivered;
        }
    }

    /// <summary>
    /// The trap's doorbells are being detached and their last counts added (<see cref="EndPause"/>
    /// follows): a VCPU exit waits until then, as those counts hold older writes.
    /// </summary>
    public void BeginPause()
    {
        lock (_gate)
            _pausing++;
    }

    /// <summary>Ends <see cref="BeginPause"/>.</summary>
    public void EndPause()
    {
        lock (_gate)
        {
            _pausing--;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The port lost its last handle: counted writes go with it (Zircon drops a closed port's packets).</summary>
    public void OnPortGone()
    {
        lock (_gate)
        {
            _portGone = true;
            ClearBacklogLocked();
            Monitor.PulseAll(_gate);
        }
    }

    public void OnPacketDelivered()
    {
        lock (_gate)
        {
            _available++;
            if (!_removed)
                FlushLocked();
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The trap goes away: its unread packets leave the port (user packets with the same key stay).</summary>
    public void Remove()
    {
        lock (_gate)
        {
            _removed = true;
            ClearBacklogLocked();
            if (Port is not null)
                _available += Port.RemovePackets(this, Key);
            Monitor.PulseAll(_gate);
        }
    }

    // Turns backlog into packets while budget lasts. Not re-entered: a packet handed straight to a
    // waiter calls OnPacketDelivered from inside QueueLocked, and the loop here picks up that budget.
    private void FlushLocked()
    {
        if (_flushing)
            return;
        _flushing = true;
        try
        {
            while (_backlog.Count > 0 && _available > 0)
            {
                BellCount head = _backlog.Peek();
                _available--;
                if (!QueueLocked(head.Address))
                {
                    _available++;
                    _portGone = true;
                    ClearBacklogLocked();
                    break;
                }
                if (--head.Count == 0)
                {
                    _backlog.Dequeue();
                    if (ReferenceEquals(head, _backlogTail))
                        _backlogTail = null;
                }
            }
        }
        finally
        {
            _flushing = false;
        }
        if (_backlog.Count == 0)
            Monitor.PulseAll(_gate);
    }

    private bool QueueLocked(ulong address)
    {
        var packet = new ZxPortPacket { Key = Key, Type = ZxPacketType.GuestBell, Status = ZxStatus.Ok };
        packet.GuestBell.Addr = address;
        return Port!.QueueFromProducer(packet, this);
    }

    private void ClearBacklogLocked()
    {
        _backlog.Clear();
        _backlogTail = null;
    }

    private sealed class BellCount(ulong address, ulong count)
    {
        public ulong Address { get; } = address;

        public ulong Count { get; set; } = count;
    }
}

/// <summary>What became of writes an in-kernel doorbell counted.</summary>
internal enum BellDelivery
{
    /// <summary>Every write has its packet.</summary>
    Delivered,
    /// <summary>The budget ran out: some writes wait in the trap's backlog.</summary>
    Exhausted,
    /// <summary>The port has no handles left or the trap is gone: the writes were dropped.</summary>
    PortGone,
}
