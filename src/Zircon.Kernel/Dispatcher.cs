using Zircon.Kernel.Handles;
using Zircon.Kernel.Signals;

namespace Zircon.Kernel;

/// <summary>
/// The base of every kernel object: a koid, a type, a handle count and, for waitable objects,
/// a signal state with the observers waiting on it.
/// </summary>
public abstract class Dispatcher
{
    private static long s_nextKoid = (long)ZxKoid.First;

    private readonly Lock _signalLock = new();
    // Written only under _signalLock; read without it where a snapshot is enough (see Signals).
    private volatile ZxSignals _signals;
    private WaitableKind _waitable;
    private SignalObserver? _observers; // newest first
    private int _handleCount;

    /// <summary>A new object with a fresh koid and <paramref name="initialSignals"/> asserted.</summary>
    protected Dispatcher(ZxSignals initialSignals = ZxSignals.None)
    {
        Koid = (ulong)Interlocked.Increment(ref s_nextKoid) - 1;
        _signals = initialSignals;
    }

    /// <summary>The object's kernel object id, unique for the life of the process.</summary>
    public ulong Koid { get; }

    /// <summary>The object's type (<c>ZX_OBJ_TYPE_*</c>).</summary>
    public abstract ZxObjectType Type { get; }

    /// <summary>Rights a handle to a freshly created object of this type carries.</summary>
    public abstract ZxRights DefaultRights { get; }

    private enum WaitableKind : byte { Unknown, Yes, No }

    /// <summary>Waitable objects can be used with the <c>zx_object_wait_*</c> family and user signals.</summary>
    public bool IsWaitable
    {
        get
        {
            // Asked on every signal and wait syscall; the answer never changes, so it is kept
            // after the first (virtual) look at DefaultRights. A race only computes it twice.
            WaitableKind kind = _waitable;
            if (kind == WaitableKind.Unknown)
                _waitable = kind = (DefaultRights & ZxRights.Wait) != 0 ? WaitableKind.Yes : WaitableKind.No;
            return kind == WaitableKind.Yes;
        }
    }

    /// <summary>Signal bits <c>zx_object_signal</c> may set or clear on this object.</summary>
    public virtual ZxSignals AllowedUserSignals => ZxSignals.UserAll;

    /// <summary>
    /// Current signal state: a snapshot read without the lock (the state is one word, every
    /// change is made under the lock, and a reader cannot tell a read just before a concurrent
    /// change from one just after it).
    /// </summary>
    public ZxSignals Signals => _signals;

    /// <summary>Registered observers (waits in progress), for tests and diagnostics.</summary>
    internal int ObserverCount
    {
        get
        {
            lock (_signalLock)
            {
                int n = 0;
                for (SignalObserver? o = _observers; o is not null; o = o.Next)
                    n++;
                return n;
            }
        }
    }

    internal int HandleCount => Volatile.Read(ref _handleCount);

    internal void IncrementHandleCount() => Interlocked.Increment(ref _handleCount);

    /// <summary>The handle with id <paramref name="handleId"/> to this object left the table.</summary>
    internal void OnHandleRemoved(ulong handleId)
    {
        if (IsWaitable)
            CancelObservers(handleId);
        if (Interlocked.Decrement(ref _handleCount) == 0)
            OnZeroHandles();
    }

    /// <summary>The last handle closed (interrupt: destroy; port: drop queue and registrations).</summary>
    protected virtual void OnZeroHandles()
    {
    }

    /// <summary>Clears then sets signal bits and tells matching observers.</summary>
    public void UpdateSignals(ZxSignals clear, ZxSignals set)
    {
        // Nothing would change (e.g. signaling an already signaled event): no observer can be
        // notified either, so skip the lock. Linearizes at this read, like a locked no-op would.
        ZxSignals current = _signals;
        if (((current & ~clear) | set) == current)
            return;
        lock (_signalLock)
        {
            ZxSignals previous = _signals;
            _signals = (previous & ~clear) | set;
            if (_signals != previous)
                NotifyObserversLocked();
        }
    }

    /// <summary>
    /// Registers an observer. If the observed signals are already asserted it fires at once and is
    /// not kept.
    /// </summary>
    internal void AddObserver(SignalObserver observer)
    {
        lock (_signalLock)
        {
            if ((_signals & observer.Trigger) != 0 && observer.OnMatch(_signals))
                return;
            observer.Next = _observers;
            _observers = observer;
        }
    }

    /// <summary>Removes one observer if it is still registered; returns whether it was.</summary>
    internal bool RemoveObserver(SignalObserver observer)
    {
        lock (_signalLock)
            return UnlinkLocked(observer);
    }

    /// <summary>Removes observers that match <paramref name="predicate"/> without firing them; returns how many.</summary>
    internal int RemoveObservers<TState>(Func<SignalObserver, TState, bool> predicate, TState state)
    {
        int removed = 0;
        lock (_signalLock)
        {
            SignalObserver? previous = null;
            for (SignalObserver? o = _observers; o is not null; o = o.Next)
            {
                if (predicate(o, state))
                {
                    if (previous is null)
                        _observers = o.Next;
                    else
                        previous.Next = o.Next;
                    removed++;
                }
                else
                {
                    previous = o;
                }
            }
        }
        return removed;
    }

    private void CancelObservers(ulong handleId)
    {
        lock (_signalLock)
        {
            SignalObserver? previous = null;
            for (SignalObserver? o = _observers; o is not null; o = o.Next)
            {
                if (o.Handle.Id == handleId)
                {
                    if (previous is null)
                        _observers = o.Next;
                    else
                        previous.Next = o.Next;
                    o.OnHandleClosed(_signals);
                }
                else
                {
                    previous = o;
                }
            }
        }
    }

    private void NotifyObserversLocked()
    {
        SignalObserver? previous = null;
        for (SignalObserver? o = _observers; o is not null; o = o.Next)
        {
            if ((_signals & o.Trigger) != 0 && o.OnMatch(_signals))
            {
                if (previous is null)
                    _observers = o.Next;
                else
                    previous.Next = o.Next;
            }
            else
            {
                previous = o;
            }
        }
    }

    private bool UnlinkLocked(SignalObserver observer)
    {
        SignalObserver? previous = null;
        for (SignalObserver? o = _observers; o is not null; o = o.Next)
        {
            if (ReferenceEquals(o, observer))
            {
                if (previous is null)
                    _observers = o.Next;
                else
                    previous.Next = o.Next;
                return true;
            }
            previous = o;
        }
        return false;
    }
}
