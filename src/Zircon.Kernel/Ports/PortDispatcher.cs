using Zircon.Kernel.Objects;
using Zircon.Kernel.Threading;

namespace Zircon.Kernel.Ports;

/// <summary>
/// A port: a queue of packets that threads wait on. Regular packets (user, signal, guest trap)
/// are FIFO; on a port created with ZX_PORT_BIND_TO_INTERRUPT, interrupt packets are a separate
/// queue served first. A packet goes straight to a waiting thread when there is one.
/// </summary>
public sealed class PortDispatcher : Dispatcher
{
    /// <summary>Per-port user-packet limit (Project decisions): queuing past it is SHOULD_WAIT.</summary>
    public const int MaxUserPackets = 2048;

    // Every section under it is short and calls nothing that blocks (waiters are woken after release).
    private ShortLock _lock;
    private readonly PacketRing _queue = new();
    private IntrusiveList<InterruptDispatcher, InterruptDispatcher.PortLinksOf> _interrupts;
    private readonly HashSet<PortObserver> _observers = new();
    // Physical interrupts bound to this port (copy-on-write), and the one blocked thread that polls
    // their lines itself (SyncPortWaiter.BlockPollingLines) so a raise wakes only that thread.
    private InterruptDispatcher[] _lines = [];
    private SyncPortWaiter? _linePoller;
    private IntrusiveList<PortWaiter, PortWaiter.LinksOf> _waiters;
    private int _userPackets;
    private bool _closed;
    // Kernel parts told when the last handle goes (guest BELL traps stop their in-kernel doorbells).
    private readonly List<Action> _closeHooks = new();

    /// <summary>A new empty port; <paramref name="options"/> may hold ZX_PORT_BIND_TO_INTERRUPT.</summary>
    public PortDispatcher(uint options) => CanBindInterrupts = (options & ZxPortOptions.BindToInterrupt) != 0;

    /// <inheritdoc/>
    public override ZxObjectType Type => ZxObjectType.Port;

    /// <inheritdoc/>
    public override ZxRights DefaultRights => ZxDefaultRights.Port;

    /// <summary>Created with ZX_PORT_BIND_TO_INTERRUPT.</summary>
    public bool CanBindInterrupts { get; }

    /// <summary>Packets pending (regular and interrupt), for tests and diagnostics.</summary>
    public int PendingCount
    {
        get
        {
            using (_lock.Hold())
                return _queue.Count + _interrupts.Count;
        }
    }

    /// <summary><c>zx_object_wait_async</c> registrations still pending on this port, for tests and diagnostics.</summary>
    internal int RegistrationCount
    {
        get
        {
            using (_lock.Hold())
                return _observers.Count;
        }
    }

    /// <summary>Threads and tasks blocked on this port, for tests and diagnostics.</summary>
    internal int WaiterCount
    {
        get
        {
            using (_lock.Hold())
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary><c>zx_port_queue</c>: queues a user packet (type forced to USER).</summary>
    public ZxStatus QueueUser(in ZxPortPacket packet)
    {
        PortWaiter? wake;
        using (_lock.Hold())
        {
            if (_closed)
                return ZxStatus.ErrBadHandle;
            // Zircon compares with '>' before inserting, so 2049 user packets fit.
            if (_userPackets > MaxUserPackets)
                return ZxStatus.ErrShouldWait;
            ZxPortPacket copy = packet;
            copy.Type = ZxPacketType.User;
            wake = DeliverLocked(copy, producer: null);
        }
        wake?.Wake();
        return ZxStatus.Ok;
    }

    /// <summary>Queues a kernel packet (signal, guest trap) produced by <paramref name="producer"/>. False if the port has no handles left.</summary>
    internal bool QueueFromProducer(in ZxPortPacket packet, IPacketProducer producer)
    {
        PortWaiter? wake;
        using (_lock.Hold())
        {
            if (_closed)
                return false;
            wake = DeliverLocked(packet, producer);
        }
        if (wake is not null)
        {
            wake.Wake();
            producer.OnPacketDelivered();
        }
        return true;
    }

    /// <summary>Removes queued packets of <paramref name="producer"/> with <paramref name="key"/>; returns how many.</summary>
    internal int RemovePackets(IPacketProducer producer, ulong key)
    {
        using (_lock.Hold())
            return _queue.RemoveWhere(static (e, s) => ReferenceEquals(e.Producer, s.producer) && e.Packet.Key == s.key, (producer, key));
    }

    /// <summary>
    /// Queues the interrupt's packet with <paramref name="timestamp"/> (key read from it now), or
    /// hands it straight to a waiting thread; one lock round trip. <see cref="InterruptQueueResult.AlreadyQueued"/>
    /// leaves a still-unread packet (and its timestamp) alone, as Zircon does. The caller holds the
    /// interrupt's lock.
    /// </summary>
    internal InterruptQueueResult QueueInterrupt(InterruptDispatcher interrupt, long timestamp)
    {
        PortWaiter? wake = null;
        using (_lock.Hold())
        {
            if (interrupt.PortQueued)
                return InterruptQueueResult.AlreadyQueued;
            // A port whose handles are all closed drops interrupt packets silently (docs/semantics.md §4.6).
            if (_closed)
                return InterruptQueueResult.PortClosed;
            interrupt.PacketTimestamp = timestamp;
            PortWaiter? waiter = _waiters.First;
            if (waiter is not null)
            {
                _waiters.Remove(waiter);
                waiter.Packet = interrupt.BuildPortPacket();
                waiter.Status = ZxStatus.Ok;
                wake = waiter;
            }
            else
            {
                _interrupts.AddLast(interrupt);
            }
        }
        wake?.Wake();
        return InterruptQueueResult.Queued;
    }

    /// <summary>A physical interrupt was bound to this port: blocked waiters may poll its line directly.</summary>
    internal void AttachLine(InterruptDispatcher interrupt)
    {
        using (_lock.Hold())
        {
            if (Array.IndexOf(_lines, interrupt) < 0)
                _lines = [.. _lines, interrupt];
        }
    }

    /// <summary>The physical interrupt was unbound or destroyed (a poller holding an older list finds out in TakeLineRaise).</summary>
    internal void DetachLine(InterruptDispatcher interrupt)
    {
        using (_lock.Hold())
        {
            if (Array.IndexOf(_lines, interrupt) >= 0)
                _lines = Array.FindAll(_lines, i => !ReferenceEquals(i, interrupt));
        }
    }

    /// <summary>Takes the interrupt's packet back out of the queue; returns whether it was still queued.</summary>
    internal bool RemoveInterrupt(InterruptDispatcher interrupt)
    {
        using (_lock.Hold())
        {
            if (!interrupt.PortQueued)
                return false;
            _interrupts.Remove(interrupt);
            return true;
        }
    }

    /// <summary><c>zx_port_wait</c>: blocks until a packet arrives or the absolute <paramref name="deadline"/> passes.</summary>
    public ZxStatus Wait(long deadline, out ZxPortPacket packet)
    {
        SyncPortWaiter waiter;
        IPacketProducer? producer;
        InterruptDispatcher[]? lines = null;
        using (_lock.Hold())
        {
            if (TryDequeueLocked(out packet, out producer))
                goto Dequeued;
            if (_closed)
                return ZxStatus.ErrCanceled;
            if (deadline != ZxTime.Infinite && deadline <= Linux.Libc.MonotonicClock.Now())
                return ZxStatus.ErrTimedOut;
            waiter = SyncPortWaiter.ForCurrentThread();
            _waiters.AddLast(waiter);
            // One blocked thread at a time sleeps on the bound lines' eventfds itself; the others
            // (and this one when there are no lines) sleep on their monitor.
            if (_lines.Length > 0 && _linePoller is null && _lines.Length < Linux.Libc.ReadinessPoll.MaxDescriptors)
            {
                _linePoller = waiter;
                lines = _lines;
            }
        }

        bool woken = lines is null ? waiter.Block(deadline) : waiter.BlockPollingLines(deadline, lines, this);
        if (lines is not null)
        {
            using (_lock.Hold())
            {
                if (ReferenceEquals(_linePoller, waiter))
                    _linePoller = null;
            }
        }
        if (!woken)
        {
            using (_lock.Hold())
            {
                if (waiter.Linked)
                {
                    _waiters.Remove(waiter);
                    packet = default;
                    return ZxStatus.ErrTimedOut;
                }
            }
            // A packet was handed over as the deadline passed; wait for the hand-off to finish.
            waiter.Block(ZxTime.Infinite);
        }
        packet = waiter.Packet;
        return waiter.Status;

    Dequeued:
        producer?.OnPacketDelivered();
        return ZxStatus.Ok;
    }

    /// <summary>Asynchronous <c>zx_port_wait</c> with no deadline; completes synchronously when a packet is queued.</summary>
    public ValueTask<ZxPortPacket> WaitAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled<ZxPortPacket>(cancellationToken);
        AsyncPortWaiter waiter;
        IPacketProducer? producer;
        ZxPortPacket packet;
        using (_lock.Hold())
        {
            if (!TryDequeueLocked(out packet, out producer))
            {
                if (_closed)
                    return ValueTask.FromException<ZxPortPacket>(new ZxException(ZxStatus.ErrCanceled, "zx_port_wait"));
                waiter = AsyncPortWaiter.Rent(this);
                _waiters.AddLast(waiter);
                goto Pending;
            }
        }
        producer?.OnPacketDelivered();
        return new ValueTask<ZxPortPacket>(packet);

    Pending:
        ValueTask<ZxPortPacket> task = waiter.AsValueTask();
        waiter.RegisterCancellation(cancellationToken);
        return task;
    }

    /// <summary>Removes a waiter that gave up (cancellation); false if it already got a packet.</summary>
    internal bool TryUnlinkWaiter(PortWaiter waiter)
    {
        using (_lock.Hold())
        {
            if (!waiter.Linked)
                return false;
            _waiters.Remove(waiter);
            return true;
        }
    }

    /// <summary>A wait_async registration targeting this port was made.</summary>
    internal void AddObserver(PortObserver observer)
    {
        using (_lock.Hold())
            _observers.Add(observer);
    }

    /// <summary>A registration fired or was canceled; the port no longer needs to track it.</summary>
    internal void ForgetObserver(PortObserver observer)
    {
        using (_lock.Hold())
            _observers.Remove(observer);
    }

    /// <summary>
    /// <c>zx_port_cancel</c>: removes registrations made through <paramref name="source"/> with
    /// <paramref name="key"/> and the packets they queued. NOT_FOUND if there was nothing.
    /// </summary>
    public ZxStatus Cancel(in Handles.Handle source, ulong key)
    {
        ulong sourceId = source.Id;
        int removed = source.Dispatcher.RemoveObservers(
            static (o, s) => o is PortObserver po && ReferenceEquals(po.Port, s.port) && po.Handle.Id == s.sourceId && po.Key == s.key,
            (port: this, sourceId, key));
        using (_lock.Hold())
        {
            _observers.RemoveWhere(o => o.Handle.Id == sourceId && o.Key == key);
            removed += _queue.RemoveWhere(
                static (e, s) => e.Producer is PortObserver po && po.Handle.Id == s.sourceId && po.Key == s.key,
                (sourceId, key));
        }
        return removed > 0 ? ZxStatus.Ok : ZxStatus.ErrNotFound;
    }

    /// <summary>
    /// Calls <paramref name="hook"/> once, on the thread that closes the last handle and after every
    /// packet was dropped, when the port loses its last handle. False (and never called) if that
    /// already happened.
    /// </summary>
    internal bool AddCloseHook(Action hook)
    {
        using (_lock.Hold())
        {
            if (_closed)
                return false;
            _closeHooks.Add(hook);
            return true;
        }
    }

    /// <summary>Undoes <see cref="AddCloseHook"/> (nothing if the hook was called or never added).</summary>
    internal void RemoveCloseHook(Action hook)
    {
        using (_lock.Hold())
            _closeHooks.Remove(hook);
    }

    /// <summary>Last handle closed: drop every packet and registration; waiters end with CANCELED.</summary>
    protected override void OnZeroHandles()
    {
        PortObserver[] observers;
        PortWaiter? waiters;
        Action[] closeHooks;
        using (_lock.Hold())
        {
            closeHooks = [.. _closeHooks];
            _closeHooks.Clear();
            _closed = true;
            _lines = [];
            _queue.Clear();
            _userPackets = 0;
            _interrupts.Clear();
            observers = [.. _observers];
            _observers.Clear();
            waiters = _waiters.DetachAll();
            for (PortWaiter? w = waiters; w is not null; w = IntrusiveList<PortWaiter, PortWaiter.LinksOf>.NextOf(w))
                w.Status = ZxStatus.ErrCanceled;
        }
        for (PortWaiter? w = waiters; w is not null;)
        {
            PortWaiter? next = IntrusiveList<PortWaiter, PortWaiter.LinksOf>.TakeNext(w);
            w.Wake();
            w = next;
        }
        foreach (PortObserver observer in observers)
            observer.Object.RemoveObserver(observer);
        foreach (Action hook in closeHooks)
            hook();
    }

    private PortWaiter? DeliverLocked(in ZxPortPacket packet, IPacketProducer? producer)
    {
        PortWaiter? waiter = _waiters.First;
        if (waiter is not null)
        {
            _waiters.Remove(waiter);
            waiter.Packet = packet;
            waiter.Status = ZxStatus.Ok;
            return waiter;
        }
        _queue.Enqueue(packet, producer);
        if (producer is null)
            _userPackets++;
        return null;
    }

    private bool TryDequeueLocked(out ZxPortPacket packet, out IPacketProducer? producer)
    {
        InterruptDispatcher? first = _interrupts.RemoveFirst();
        if (first is not null)
        {
            packet = first.BuildPortPacket();
            producer = null;
            return true;
        }
        if (_queue.TryDequeue(out packet, out object? owner))
        {
            producer = (IPacketProducer?)owner;
            if (producer is null)
                _userPackets--;
            return true;
        }
        producer = null;
        return false;
    }
}
