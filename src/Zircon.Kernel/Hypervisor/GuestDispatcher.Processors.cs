namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// Application processors started the Zircon way. On Zircon the guest's STARTUP IPI (INIT is
/// ignored) makes <c>zx_vcpu_resume</c> return a <c>ZX_PKT_TYPE_GUEST_VCPU</c> packet of type
/// <c>ZX_PKT_GUEST_VCPU_STARTUP</c> (id = the destination APIC id, entry = vector &lt;&lt; 12), and the
/// VMM creates that VCPU with <c>zx_vcpu_create(guest, 0, entry)</c> on a thread of its own. With
/// KVM's in-kernel local APIC an IPI only reaches a VCPU that exists, so the processors the machine
/// has are declared first (a project extension): each is parked in the backend, waiting for INIT
/// and STARTUP without running, and each STARTUP becomes a packet returned by the resume of the
/// lowest-numbered live VCPU (KVM does not say which VCPU sent the IPI).
/// </summary>
public sealed partial class GuestDispatcher
{
    private readonly Queue<(uint Id, ulong Entry)> _startups = new();
    private readonly VcpuDispatcher?[] _liveVcpuObjects = new VcpuDispatcher?[MaxVcpus];
    private int _processorCount = 1;
    private int _pendingStartups;

    /// <summary>The most processors this guest can have: Zircon's 64, or fewer if the hypervisor says so.</summary>
    public int MaxProcessors => Math.Min(MaxVcpus, Machine.MaxVcpus);

    /// <summary>How many processors the machine has (1 until declared).</summary>
    public int ProcessorCount
    {
        get
        {
            lock (_lock)
                return _processorCount;
        }
    }

    /// <summary>
    /// Declares that the machine has <paramref name="count"/> processors, ids 0..count-1 (a project
    /// extension): every id above 0 with no VCPU is parked so the guest's INIT/STARTUP IPIs to it
    /// become STARTUP packets. OUT_OF_RANGE outside 1..<see cref="MaxProcessors"/>; BAD_STATE once declared.
    /// </summary>
    public ZxStatus DeclareProcessors(int count)
    {
        if (count < 1 || count > MaxProcessors)
            return ZxStatus.ErrOutOfRange;
        lock (_lock)
        {
            if (_processorCount != 1 || _destroyed)
                return ZxStatus.ErrBadState;
            Volatile.Write(ref _processorCount, count);
        }
        for (uint id = 1; id < count; id++)
        {
            bool create;
            lock (_lock)
            {
                if (_vcpuIdsInUse[id])
                    continue; // a live VCPU: parked when it is closed
                create = _retiredBackends[id] is null;
            }
            IVcpuBackend? created = null;
            if (create)
            {
                ZxStatus status = Machine.CreateVcpu(id, bootstrap: false, 0, out created);
                if (status != ZxStatus.Ok)
                    return status;
                created!.Retire(); // no Zircon VCPU uses it yet: it is kept as a closed one is
            }
            lock (_lock)
            {
                // Parked under the lock, so a zx_vcpu_create taking the backend meanwhile (and
                // unparking it in Reset) comes entirely before or after.
                if (created is not null && !_destroyed && !_vcpuIdsInUse[id] && _retiredBackends[id] is null)
                {
                    _retiredBackends[id] = created;
                    created = null;
                }
                if (!_destroyed && !_vcpuIdsInUse[id] && _retiredBackends[id] is { } parked)
                    ParkIfProcessor(id, parked);
            }
            created?.Dispose();
        }
        return ZxStatus.Ok;
    }

    private void ParkIfProcessor(uint id, IVcpuBackend backend)
    {
        if (id != 0 && id < Volatile.Read(ref _processorCount))
            backend.Park(entry => OnStartup(id, entry));
    }

    /// <summary>A parked processor received INIT and STARTUP: queue the packet and wake its receiver.</summary>
    private void OnStartup(uint id, ulong entry)
    {
        VcpuDispatcher? receiver;
        lock (_lock)
        {
            if (_destroyed)
                return;
            _startups.Enqueue((id, entry));
            Volatile.Write(ref _pendingStartups, _startups.Count);
            receiver = LowestLiveVcpuLocked();
        }
        receiver?.WakeForStartup();
    }

    /// <summary>VCPU <paramref name="vcpu"/> now exists (zx_vcpu_create).</summary>
    internal void RegisterLiveVcpu(VcpuDispatcher vcpu)
    {
        lock (_lock)
            _liveVcpuObjects[vcpu.Id] = vcpu;
    }

    private void ForgetLiveVcpu(uint id)
    {
        VcpuDispatcher? receiver;
        lock (_lock)
        {
            _liveVcpuObjects[id] = null;
            receiver = _startups.Count > 0 ? LowestLiveVcpuLocked() : null;
        }
        receiver?.WakeForStartup(); // the receiver is gone: the next one takes the waiting packets
    }

    private VcpuDispatcher? LowestLiveVcpuLocked()
    {
        foreach (VcpuDispatcher? vcpu in _liveVcpuObjects)
        {
            if (vcpu is { IsDestroyed: false })
                return vcpu;
        }
        return null;
    }

    /// <summary>
    /// The next STARTUP packet, if <paramref name="receiver"/> is the VCPU that reports them (the
    /// lowest-numbered live one). Called by the receiver's resume before each entry.
    /// </summary>
    internal bool TryTakeStartup(VcpuDispatcher receiver, out uint id, out ulong entry)
    {
        id = 0;
        entry = 0;
        if (Volatile.Read(ref _pendingStartups) == 0)
            return false;
        lock (_lock)
        {
            if (_startups.Count == 0 || LowestLiveVcpuLocked() != receiver)
                return false;
            (id, entry) = _startups.Dequeue();
            Volatile.Write(ref _pendingStartups, _startups.Count);
            return true;
        }
    }
}
