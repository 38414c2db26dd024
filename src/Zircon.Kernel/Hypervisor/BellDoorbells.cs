using Zircon.Linux.Libc;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// A guest's BELL addresses whose writes complete without a VCPU exit. A trap spans pages and the
/// hypervisor has room for about a thousand doorbells, so addresses are learned: the first write to
/// an address exits to the VCPU (its packet queued as always), then <see cref="Learn"/> attaches a
/// doorbell (KVM: an ioeventfd) for exactly that address, up to <see cref="MaxDoorbells"/> per guest.
/// One shared host thread turns each doorbell's count into one packet per write through the trap's
/// budget. When that budget runs out the trap's doorbells are detached (their last counts kept), so
/// later writes exit and the VCPU waits for budget as on Zircon; the addresses are learned again
/// afterwards. When the port loses its last handle, or the trap or guest goes, the doorbells are
/// detached and counts not yet queued are dropped.
/// </summary>
internal sealed class BellDoorbells : IDisposable
{
    /// <summary>Doorbells one guest may have at once; writes to more addresses keep exiting.</summary>
    public const int MaxDoorbells = 64;

    // One thread for every guest: delivery never blocks (an exhausted budget detaches instead of
    // waiting), so guests cannot hold each other up, and two host cores gain nothing from more threads.
    private static readonly Lazy<EventFdWatcher> s_deliveryThread = new(() => new EventFdWatcher("zx-guest-bell"));

    private readonly IGuestBackend _machine;
    // Guards the tables below and every attach, detach and delivery, so a doorbell never delivers
    // after it was detached. Taken before a trap's gate.
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, Doorbell> _byAddress = new();
    private readonly Dictionary<GuestTrap, Action> _portCloseHooks = new();
    private long _countedWrites;
    private bool _unsupported;
    private bool _refused;
    private bool _closed;

    public BellDoorbells(IGuestBackend machine) => _machine = machine;

    /// <summary>Doorbells attached now (tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _byAddress.Count;
        }
    }

    /// <summary>Writes doorbells counted in this guest's life, delivered or not (tests and diagnostics).</summary>
    public long CountedWrites => Interlocked.Read(ref _countedWrites);

    /// <summary>Whether a doorbell is attached at <paramref name="address"/> (tests and diagnostics).</summary>
    public bool IsAttached(ulong address)
    {
        lock (_lock)
            return _byAddress.ContainsKey(address);
    }

    /// <summary>
    /// A write at <paramref name="address"/> in BELL trap <paramref name="trap"/> exited and got its
    /// packet: attach a doorbell there if the host can, the guest has room and the trap has budget.
    /// Never fails the caller: without a doorbell the address simply keeps exiting.
    /// </summary>
    public void Learn(GuestTrap trap, ulong address)
    {
        if (Volatile.Read(ref _unsupported))
            return;
        lock (_lock)
        {
            if (_closed || _unsupported || _refused || _byAddress.Count >= MaxDoorbells || _byAddress.ContainsKey(address))
                return;
            if (!trap.CanAccelerate || !WatchPortLocked(trap))
                return;
            Attach(trap, address);
        }
    }

    /// <summary>The guest is going: detach every doorbell; counts not yet queued are dropped.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (Doorbell bell in _byAddress.Values.ToArray())
                Detach(bell);
            foreach (var (trap, hook) in _portCloseHooks)
                trap.Port!.RemoveCloseHook(hook);
            _portCloseHooks.Clear();
        }
    }

    // Called with _lock held.
    private void Attach(GuestTrap trap, ulong address)
    {
        EventFd signal;
        try
        {
            signal = EventFd.Create();
        }
        catch (InvalidOperationException)
        {
            return; // out of descriptors: the address keeps exiting
        }
        ZxStatus status = _machine.AttachWriteDoorbell(address, signal, out IDisposable? attachment);
        if (status != ZxStatus.Ok)
        {
            signal.Dispose();
            // Not supported: never ask again. Anything else (the host is full): not until one detaches.
            if (status == ZxStatus.ErrNotSupported)
                Volatile.Write(ref _unsupported, true);
            else
                _refused = true;
            return;
        }
        var bell = new Doorbell(trap, address, signal, attachment!);
        try
        {
            bell.Token = s_deliveryThread.Value.Add(signal, count => Ring(bell, count));
        }
        catch (InvalidOperationException)
        {
            attachment!.Dispose();
            signal.Dispose();
            return;
        }
        _byAddress.Add(address, bell);
    }

    // The delivery thread: the doorbell counted writes since its last count.
    private void Ring(Doorbell bell, ulong count)
    {
        lock (_lock)
        {
            Interlocked.Add(ref _countedWrites, (long)count);
            if (!bell.Attached)
                return; // detached meanwhile because its port, trap or guest went: its writes go with them
            switch (bell.Trap.DeliverCounted(bell.Address, count))
            {
                case BellDelivery.Exhausted:
                    Pause(bell.Trap);
                    break;
                case BellDelivery.PortGone:
                    DetachTrap(bell.Trap);
                    break;
            }
        }
    }

    // The trap's budget ran out with writes left over: detach its doorbells so that later writes
    // exit and wait for budget in the VCPU; their last counts join the backlog (nothing is lost).
    private void Pause(GuestTrap trap)
    {
        trap.BeginPause();
        try
        {
            foreach (Doorbell bell in _byAddress.Values.Where(b => b.Trap == trap).ToArray())
            {
                ulong last = Detach(bell);
                Interlocked.Add(ref _countedWrites, (long)last);
                if (last > 0)
                    trap.DeliverCounted(bell.Address, last);
            }
        }
        finally
        {
            trap.EndPause();
        }
    }

    private void DetachTrap(GuestTrap trap)
    {
        foreach (Doorbell bell in _byAddress.Values.Where(b => b.Trap == trap).ToArray())
            Detach(bell);
    }

    // A port's last handle went: its trap stops ringing at once, so the next write exits and the
    // VCPU reports BAD_STATE as on Zircon. Called by the port, on the closing thread.
    private void OnPortClosed(GuestTrap trap)
    {
        lock (_lock)
        {
            _portCloseHooks.Remove(trap);
            trap.OnPortGone();
            DetachTrap(trap);
        }
    }

    private bool WatchPortLocked(GuestTrap trap)
    {
        if (_portCloseHooks.ContainsKey(trap))
            return true;
        Action hook = () => OnPortClosed(trap);
        if (!trap.Port!.AddCloseHook(hook))
            return false;
        _portCloseHooks.Add(trap, hook);
        return true;
    }

    // Detaches and closes one doorbell; returns the writes it counted that nobody read yet. Once the
    // hypervisor detached it no write can signal it any more, so that count is final.
    private ulong Detach(Doorbell bell)
    {
        bell.Attached = false;
        _byAddress.Remove(bell.Address);
        _refused = false;
        bell.Attachment.Dispose();
        s_deliveryThread.Value.Remove(bell.Token);
        ulong last = bell.Signal.Drain();
        bell.Signal.Dispose();
        return last;
    }

    private sealed class Doorbell(GuestTrap trap, ulong address, EventFd signal, IDisposable attachment)
    {
        public GuestTrap Trap { get; } = trap;

        public ulong Address { get; } = address;

        public EventFd Signal { get; } = signal;

        public IDisposable Attachment { get; } = attachment;

        public ulong Token { get; set; }

        public bool Attached { get; set; } = true;
    }
}
