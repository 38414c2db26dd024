using Zircon.Kernel.Platform;
using Zircon.Kernel.Ports;
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

    // A plain object so blocked waiters can use Monitor.Wait on it.
    private readonly object _sync = new();
    private readonly HostInterruptLine? _line;
    private State _state = State.Idle;
    private long _storedTimestamp;
    private long _packetTimestamp;
    private PortDispatcher? _port;
    private ulong _portKey;
    private bool _waitEventSignaled;
    private ulong _lineWatch;

    private InterruptDispatcher(HostInterruptLine? line)
    {
        _line = line;
        PortNode = new LinkedListNode<InterruptDispatcher>(this);
    }

    /// <inheritdoc/>
    public override ZxObjectType Type => ZxObjectType.Interrupt;

    /// <inheritdoc/>
    public override ZxRights DefaultRights => ZxDefaultRights.Interrupt;

    /// <summary>Whether the interrupt is virtual (fired only by <c>zx_interrupt_trigger</c>).</summary>
    public bool IsVirtual => _line is null;

    /// <summary>The line of a physical interrupt (null for virtual ones).</summary>
    public HostInterruptLine? Line => _line;

    /// <summary>This interrupt's place in its port's interrupt queue (one packet at most).</summary>
    internal LinkedListNode<InterruptDispatcher> PortNode { get; }

    /// <summary>VCPU bindings, for <c>zx_interrupt_bind_vcpu</c> (hypervisor layer).</summary>
    internal IVcpuInterruptBinding? VcpuBinding { get; private set; }

    /// <summary>Whether a thread is blocked in <c>zx_interrupt_wait</c> (tests and diagnostics).</summary>
    internal bool IsWaiting
    {
        get
        {
            lock (_sync)
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
        packet.Interrupt.Timestamp = _packetTimestamp;
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
        lock (_sync)
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
                // its timestamp) alone, and the interrupt waits for the next ack again.
                if (!_port.IsInterruptQueued(this))
                    QueuePacketLocked(timestamp);
                _state = State.NeedAck;
            }
            else
            {
                if (TryCompleteAsyncWaitLocked())
                    return ZxStatus.Ok;
                _state = State.Triggered;
                _waitEventSignaled = true;
                Monitor.PulseAll(_sync);
            }
            return ZxStatus.Ok;
        }
    }

    /// <summary><c>zx_interrupt_wait</c>: blocks until triggered; entering it acks the previous interrupt.</summary>
    public ZxStatus Wait(out long timestamp)
    {
        timestamp = 0;
        bool blocked = false;
        lock (_sync)
        {
            while (true)
            {
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
                        _waitEventSignaled = false;
                        return ZxStatus.Ok;
                    case State.NeedAck:
                    case State.Idle:
                        _state = State.Waiting;
                        break;
                    default:
                        return ZxStatus.ErrBadState; // another thread is already waiting
                }
                blocked = true;
                // Also re-evaluate when a bind (which clears the event) or a destroy changed the
                // state under us: either would otherwise leave this thread blocked for good.
                while (!_waitEventSignaled && _state == State.Waiting)
                    Monitor.Wait(_sync);
                if (_state == State.Waiting)
                    _state = State.Idle; // woken without a trigger (bind); re-evaluate
            }
        }
    }

    /// <summary><c>zx_interrupt_ack</c>: re-arms a port-bound interrupt, sending a coalesced trigger at once.</summary>
    public ZxStatus Ack()
    {
        lock (_sync)
        {
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
            if (_port.IsInterruptQueued(this))
                return ZxStatus.ErrBadState; // the previous packet is still unread
            QueuePacketLocked(stored);
            return ZxStatus.Ok;
        }
    }

    /// <summary><c>zx_interrupt_destroy</c> (also run when the last handle closes).</summary>
    public ZxStatus Destroy()
    {
        lock (_sync)
        {
            StopLineLocked();
            if (_port is not null)
            {
                bool wasQueued = _port.RemoveInterrupt(this);
                // Whatever the binding, a thread still inside zx_interrupt_wait must wake up.
                _waitEventSignaled = true;
                Monitor.PulseAll(_sync);
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
            _waitEventSignaled = true;
            Monitor.PulseAll(_sync);
            return ZxStatus.Ok;
        }
    }

    /// <summary><c>zx_interrupt_bind</c> with ZX_INTERRUPT_BIND.</summary>
    public ZxStatus Bind(PortDispatcher port, ulong key)
    {
        if (!port.CanBindInterrupts)
            return ZxStatus.ErrWrongType;
        lock (_sync)
        {
            if (_state == State.Destroyed)
                return ZxStatus.ErrCanceled;
            if (_state == State.Waiting)
                return ZxStatus.ErrBadState;
            if (_port is not null || VcpuBinding is not null)
                return ZxStatus.ErrAlreadyBound;
            _port = port;
            _portKey = key;
            if (_state == State.Triggered)
            {
                // Triggered while unbound and not yet waited for: deliver it now.
                long stored = _storedTimestamp;
                _storedTimestamp = 0;
                _waitEventSignaled = false;
                QueuePacketLocked(stored);
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
        lock (_sync)
        {
            if (!ReferenceEquals(_port, port))
                return ZxStatus.ErrNotFound;
            if (_state == State.Destroyed)
                return ZxStatus.ErrCanceled;
            port.RemoveInterrupt(this);
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
        lock (_sync)
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
        lock (_sync)
        {
            VcpuBinding?.Dispose();
            VcpuBinding = null;
            _line?.Release();
        }
    }

    private void QueuePacketLocked(long timestamp)
    {
        _packetTimestamp = timestamp;
        // A port whose handles are all closed drops interrupt packets silently (docs/semantics.md §4.6).
        _port!.QueueInterrupt(this);
    }

    private void StopLineLocked()
    {
        if (_lineWatch != 0)
        {
            _line!.Unwatch(_lineWatch);
            _lineWatch = 0;
        }
    }
}
