using Zircon.Kernel.Platform;
using Zircon.Kernel.Ports;
using Zircon.Kernel.Threading;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Objects;

/// <summary>
/// An interrupt object, virtual or on a host interrupt line, with Zircon's state machine
/// (docs/semantics.md §5.3): IDLE → TRIGGERED/NEEDACK → ... → DESTROYED. It delivers either to one
/// thread in <c>zx_interrupt_wait</c>, to a bound port as interrupt packets, or (physical only)
/// straight into bound VCPUs.
/// </summary>
public sealed partial class InterruptDispatcher : Dispatcher
{
    private enum State
    {
        Waiting,
        Destroyed,
        Triggered,
        NeedAck,
        Idle,
    }

    // Guards the state machine. Trigger, port wait and ack take it in every interrupt cycle, so it
    // is a ShortLock (one CAS) rather than a monitor; a thread blocked in zx_interrupt_wait sleeps
    // on its ThreadParker (_parked) instead of Monitor.Wait.
    private ShortLock _sync;
    private ThreadParker? _parked;
    private readonly HostInterruptLine? _line;
    private State _state = State.Idle;
    private long _storedTimestamp;
    private PortDispatcher? _port;
    private ulong _portKey;
    private ulong _lineWatch;
    // The shared watcher leaves the line alone until the ack: a port waiter polled it, delivered
    // its packet, and left it disarmed (ParkOrRearmLine). Guarded by _sync.
    private bool _lineParked;

    private InterruptDispatcher(HostInterruptLine? line)
    {
        _line = line;
    }

    /// <inheritdoc/>
    public override ZxObjectType Type => ZxObjectType.Interrupt;

    /// <inheritdoc/>
    public override ZxRights DefaultRights => ZxDefaultRights.Interrupt;

    /// <summary>Whether the interrupt is virtual (fired only by <c>zx_interrupt_trigger</c>).</summary>
    public bool IsVirtual => _line is null;

    /// <summary>The line of a physical interrupt (null for virtual ones).</summary>
    public HostInterruptLine? Line => _line;

    // This interrupt's place in its port's interrupt queue (one packet at most) and the queued
    // packet's timestamp: guarded by that port's lock.
    internal IntrusiveLinks<InterruptDispatcher> PortLinks;
    internal long PacketTimestamp;

    /// <summary>Whether this interrupt's packet is in its port's queue (read under that port's lock).</summary>
    internal bool PortQueued => PortLinks.Linked;

    /// <summary>The port's interrupt queue goes through <see cref="PortLinks"/>.</summary>
    internal struct PortLinksOf : IIntrusiveLinksOf<InterruptDispatcher>
    {
        public readonly ref IntrusiveLinks<InterruptDispatcher> Of(InterruptDispatcher node) => ref node.PortLinks;
    }

    /// <summary>VCPU bindings, for <c>zx_interrupt_bind_vcpu</c> (hypervisor layer).</summary>
    internal IVcpuInterruptBinding? VcpuBinding { get; private set; }

    /// <summary>Whether a thread is blocked in <c>zx_interrupt_wait</c> (tests and diagnostics).</summary>
    internal bool IsWaiting
    {
        get
        {
            using (_sync.Hold())
                return _state == State.Waiting;
        }
    }

    /// <summary>A new virtual interrupt, idle.</summary>
    public static InterruptDispatcher CreateVirtual() => new(null);

    /// <summary>Creates an interrupt on a host line; ALREADY_BOUND if another live interrupt owns the line.</summary>
    public static ZxStatus CreatePhysical(uint lineNumber, out InterruptDispatcher? interrupt)
    {
        interrupt = null;
        ZxStatus status = HostInterruptLines.Claim(lineNumber, out HostInterruptLine? line);
        if (status != ZxStatus.Ok)
            return status;
        var created = new InterruptDispatcher(line);
        created._lineWatch = line!.Watch(created.OnLineRaised);
        interrupt = created;
        return ZxStatus.Ok;
    }

    /// <summary>The packet a port hands out for this interrupt.</summary>
    internal ZxPortPacket BuildPortPacket()
    {
        var packet = new ZxPortPacket { Key = _portKey, Type = ZxPacketType.Interrupt, Status = ZxStatus.Ok };
        packet.Interrupt.Timestamp = PacketTimestamp;
        return packet;
    }

    /// <summary><c>zx_interrupt_trigger</c> on a virtual interrupt.</summary>
    public ZxStatus Trigger(long timestamp)
    {
        if (!IsVirtual)
            return ZxStatus.ErrBadState;
        return Fire(timestamp);
    }

    private void OnLineRaised(ulong count) => Fire(MonotonicClock.Now());

    private ZxStatus Fire(long timestamp)
    {
        using (_sync.Hold())
        {
            if (_state == State.Destroyed)
                return ZxStatus.ErrCanceled;
            if (_storedTimestamp == 0)
                _storedTimestamp = timestamp;
            if (_port is not null)
            {
                if (_state == State.NeedAck)
                    return ZxStatus.Ok; // coalesced: delivered on the next ack
                _storedTimestamp = 0;
                // Acked while its packet was still unread: Zircon leaves the queued packet (and
                // its timestamp) alone (AlreadyQueued), and the interrupt waits for the next ack again.
                _port.QueueInterrupt(this, timestamp);
                _state = State.NeedAck;
            }
            else
            {
                if (TryCompleteAsyncWaitLocked())
                    return ZxStatus.Ok;
                _state = State.Triggered;
                WakeParkedLocked();
            }
            return ZxStatus.Ok;
        }
    }

    /// <summary>The watch token of the line while the shared watcher thread watches it (0 otherwise).</summary>
    internal ulong LineWatch
    {
        get
        {
            using (_sync.Hold())
                return _lineWatch;
        }
    }

    /// <summary>
    /// A port waiter is about to poll this line itself: the shared watcher stops reporting it
    /// (unless it is parked until an ack, i.e. already disarmed). Returns the watch token (0: the
    /// line is not watched, so not the waiter's to poll).
    /// </summary>
    internal ulong DisarmLineForPolling()
    {
        using (_sync.Hold())
        {
            if (_lineWatch != 0 && !_lineParked)
                _line!.DisarmWatch(_lineWatch);
            return _lineWatch;
        }
    }

    /// <summary>
    /// The port waiter stopped polling this line. When the interrupt now waits for its ack
    /// (its packet went out), the line stays disarmed until <see cref="Ack"/>, as Zircon keeps an
    /// interrupt masked until it is acked; the re-arm's syscall then happens in the ack, not
    /// between the raise and the waiter's return. Otherwise the watcher gets it back now.
    /// </summary>
    internal void ParkOrRearmLine(PortDispatcher port, ulong watch)
    {
        using (_sync.Hold())
        {
            if (_lineWatch != watch || watch == 0)
                return; // unwatched (destroyed, routed to VCPUs) or watched anew: not ours
            if (ReferenceEquals(_port, port) && _state == State.NeedAck)
            {
                _lineParked = true;
                return;
            }
            UnparkLineLocked(force: true);
        }
    }

    private void UnparkLineLocked(bool force = false)
    {
        if ((_lineParked || force) && _lineWatch != 0)
            _line!.RearmWatch(_lineWatch);
        _lineParked = false;
    }

    /// <summary>
    /// A port waiter found this interrupt's line readable while polling it for
    /// <paramref name="port"/> (one wake-up instead of the watcher thread's and then the waiter's):
    /// takes the raise as the watcher thread would. False when the interrupt no longer delivers to
    /// that port through its line (unbound, destroyed): the waiter stops polling the line, and
    /// whoever owns the eventfd now (KVM's irqfd, another port) keeps its count.
    /// </summary>
    internal bool TakeLineRaise(PortDispatcher port)
    {
        ulong count;
        using (_sync.Hold())
        {
            if (!ReferenceEquals(_port, port) || _lineWatch == 0 || _state == State.Destroyed)
                return false;
            count = _line!.EventFd.Drain();
        }
        if (count != 0)
            OnLineRaised(count);
        return true;
    }

    /// <summary><c>zx_interrupt_wait</c>: blocks until triggered; entering it acks the previous interrupt.</summary>
    public ZxStatus Wait(out long timestamp)
    {
        timestamp = 0;
        bool blocked = false;
        ThreadParker parker = ThreadParker.ForCurrentThread();
        while (true)
        {
            using (_sync.Hold())
            {
                if (blocked)
                {
                    // Back from Park: woken by a trigger or a destroy (both under this lock, see
                    // WakeParkedLocked). Re-evaluate in this same locked section, so that no other
                    // thread can slip in between the wake-up and the checks below.
                    // A Waiting state that is not ours belongs to another waiter that came in
                    // after our wake-up (it took the trigger meant for us and waits again): leave
                    // it alone, or its parker would be overwritten by ours and it would never be
                    // woken again, not even by destroy. We then fail below as a second waiter.
                    if (ReferenceEquals(_parked, parker))
                    {
                        _parked = null;
                        if (_state == State.Waiting)
                            _state = State.Idle; // our own wait, woken without a trigger; re-evaluate
                    }
                }
                // A waiter that was blocked when the interrupt was destroyed ends with CANCELED even
                // if a bind slipped in between a trigger and its wake-up (Zircon checks the binding
                // first only on entry; after a destroy every waiter must leave with CANCELED).
                if (blocked && _state == State.Destroyed)
                    return ZxStatus.ErrCanceled;
                if (_port is not null || VcpuBinding is not null)
                    return ZxStatus.ErrBadState;
                switch (_state)
                {
                    case State.Destroyed:
                        return ZxStatus.ErrCanceled;
                    case State.Triggered:
                        _state = State.NeedAck;
                        timestamp = _storedTimestamp;
                        _storedTimestamp = 0;
                        return ZxStatus.Ok;
                    case State.NeedAck:
                    case State.Idle:
                        _state = State.Waiting;
                        break;
                    default:
                        return ZxStatus.ErrBadState; // another thread is already waiting
                }
                blocked = true;
                parker.Arm();
                _parked = parker;
            }
            parker.Park();
        }
    }

    /// <summary>Wakes the thread blocked in <see cref="Wait"/>, if any. Runs under the lock.</summary>
    private void WakeParkedLocked()
    {
        ThreadParker? parked = _parked;
        _parked = null;
        parked?.Unpark();
    }

    /// <summary><c>zx_interrupt_ack</c>: re-arms a port-bound interrupt, sending a coalesced trigger at once.</summary>
    public ZxStatus Ack()
    {
        using (_sync.Hold())
        {
            UnparkLineLocked();
            if (_port is null)
                return ZxStatus.ErrBadState;
            if (_state == State.Destroyed)
                return ZxStatus.ErrCanceled;
            if (_state != State.NeedAck)
                return ZxStatus.Ok;
            if (_storedTimestamp == 0)
            {
                _state = State.Idle;
                return ZxStatus.Ok;
            }
            long stored = _storedTimestamp;
            _storedTimestamp = 0;
            if (_port.QueueInterrupt(this, stored) == InterruptQueueResult.AlreadyQueued)
                return ZxStatus.ErrBadState; // the previous packet is still unread
            return ZxStatus.Ok;
        }
    }

    /// <summary><c>zx_interrupt_destroy</c> (also run when the last handle closes).</summary>
    public ZxStatus Destroy()
    {
        using (_sync.Hold())
        {
            StopLineLocked();
            if (_port is not null)
            {
                bool wasQueued = _port.RemoveInterrupt(this);
                if (_line is not null)
                    _port.DetachLine(this);
                // Whatever the binding, a thread still inside zx_interrupt_wait must wake up.
                WakeParkedLocked();
                if (_state == State.NeedAck && !wasQueued)
                {
                    _state = State.Destroyed;
                    return ZxStatus.ErrNotFound; // a packet was read and never acked
                }
                if (_state == State.Idle || _state == State.NeedAck)
                    _state = State.Destroyed;
                return ZxStatus.Ok;
            }
            CancelAsyncWaitLocked();
            _state = State.Destroyed;
            WakeParkedLocked();
            return ZxStatus.Ok;
        }
    }

    /// <summary><c>zx_interrupt_bind</c> with ZX_INTERRUPT_BIND.</summary>
    public ZxStatus Bind(PortDispatcher port, ulong key)
    {
        if (!port.CanBindInterrupts)
            return ZxStatus.ErrWrongType;
        using (_sync.Hold())
        {
            if (_state == State.Destroyed)
                return ZxStatus.ErrCanceled;
            if (_state == State.Waiting)
                return ZxStatus.ErrBadState;
            if (_port is not null || VcpuBinding is not null)
                return ZxStatus.ErrAlreadyBound;
            _port = port;
            _portKey = key;
            if (_line is not null)
                port.AttachLine(this);
            if (_state == State.Triggered)
            {
                // Triggered while unbound and not yet waited for: deliver it now.
                long stored = _storedTimestamp;
                _storedTimestamp = 0;
                port.QueueInterrupt(this, stored);
                _state = State.NeedAck;
            }
            return ZxStatus.Ok;
        }
    }

    /// <summary><c>zx_interrupt_bind</c> with ZX_INTERRUPT_UNBIND.</summary>
    public ZxStatus Unbind(PortDispatcher port)
    {
        if (!port.CanBindInterrupts)
            return ZxStatus.ErrWrongType;
        using (_sync.Hold())
        {
            if (!ReferenceEquals(_port, port))
                return ZxStatus.ErrNotFound;
            if (_state == State.Destroyed)
                return ZxStatus.ErrCanceled;
            port.RemoveInterrupt(this);
            if (_line is not null)
            {
                port.DetachLine(this);
                UnparkLineLocked(); // the shared watcher serves the line again (zx_interrupt_wait)
            }
            _portKey = 0;
            _port = null;
            return ZxStatus.Ok;
        }
    }

    /// <summary>
    /// <c>zx_interrupt_bind_vcpu</c>, the interrupt side: state checks in Zircon's order, then
    /// <paramref name="bind"/> adds the VCPU to the binding (creating it on first use). Physical
    /// interrupts only.
    /// </summary>
    internal ZxStatus BindVcpu(Func<IVcpuInterruptBinding?, (ZxStatus Status, IVcpuInterruptBinding? Binding)> bind)
    {
        if (IsVirtual)
            return ZxStatus.ErrNotSupported;
        using (_sync.Hold())
        {
            if (_state == State.Destroyed)
                return ZxStatus.ErrCanceled;
            if (_state == State.Waiting)
                return ZxStatus.ErrBadState;
            if (_port is not null)
                return ZxStatus.ErrAlreadyBound;
            (ZxStatus status, IVcpuInterruptBinding? binding) = bind(VcpuBinding);
            if (status != ZxStatus.Ok)
                return status;
            if (VcpuBinding is null && binding is not null)
            {
                // From now on the line goes straight to the VCPUs; no host thread sees it.
                StopLineLocked();
                VcpuBinding = binding;
            }
            return ZxStatus.Ok;
        }
    }

    /// <inheritdoc/>
    protected override void OnZeroHandles()
    {
        Destroy();
        using (_sync.Hold())
        {
            VcpuBinding?.Dispose();
            VcpuBinding = null;
            _line?.Release();
        }
    }

    private void StopLineLocked()
    {
        if (_lineWatch != 0)
        {
            _line!.Unwatch(_lineWatch);
            _lineWatch = 0;
        }
        _lineParked = false;
    }
}
