using Zircon.Kernel.Objects;
using Zircon.Kernel.Ports;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// A guest: a machine with guest-physical memory (reached through the VMAR created with it),
/// traps, and up to 64 VCPUs. It is torn down once its last handle is closed and its last VCPU
/// is gone (each VCPU keeps its guest alive).
/// </summary>
public sealed partial class GuestDispatcher : Dispatcher
{
    /// <summary>VPIDs 1..64 in Zircon.</summary>
    public const int MaxVcpus = 64;

    private readonly Lock _lock = new();
    private readonly bool[] _vcpuIdsInUse = new bool[MaxVcpus];

    // Backends of closed VCPUs, by id, kept for the next VCPU with that id (see IVcpuBackend.Reset).
    private readonly IVcpuBackend?[] _retiredBackends = new IVcpuBackend?[MaxVcpus];
    private int _liveVcpus;
    private bool _noHandles;
    private bool _destroyed;

    private GuestDispatcher(IGuestBackend machine)
    {
        Machine = machine;
        Memory = new GuestAddressSpace(machine);
        Doorbells = new BellDoorbells(machine);
        Vmar = new VmarDispatcher(Memory, ZxDefaultRights.GuestPhysicalVmar);
    }

    /// <inheritdoc/>
    public override ZxObjectType Type => ZxObjectType.Guest;

    /// <inheritdoc/>
    public override ZxRights DefaultRights => ZxDefaultRights.Guest;

    /// <summary>The VMAR of guest-physical space returned by <c>zx_guest_create</c>.</summary>
    public VmarDispatcher Vmar { get; }

    internal IGuestBackend Machine { get; }

    internal GuestAddressSpace Memory { get; }

    internal GuestTrapTable Traps { get; } = new();

    /// <summary>BELL addresses whose writes complete without a VCPU exit.</summary>
    internal BellDoorbells Doorbells { get; }

    /// <summary><c>zx_guest_create</c> once the resource was checked.</summary>
    public static ZxStatus Create(IHypervisor hypervisor, out GuestDispatcher? guest)
    {
        guest = null;
        ZxStatus status = hypervisor.CreateGuest(out IGuestBackend? machine);
        if (status != ZxStatus.Ok)
            return status;
        guest = new GuestDispatcher(machine!);
        return ZxStatus.Ok;
    }

    /// <summary><c>zx_guest_set_trap</c> once handles were checked; <paramref name="port"/> is null for ZX_HANDLE_INVALID.</summary>
    public ZxStatus SetTrap(ZxGuestTrap kind, ulong address, ulong size, PortDispatcher? port, ulong key)
    {
        switch (kind)
        {
            case ZxGuestTrap.Bell:
                if (port is null)
                    return ZxStatus.ErrInvalidArgs;
                break;
            case ZxGuestTrap.Mem:
                if (port is not null)
                    return ZxStatus.ErrInvalidArgs;
                break;
            case ZxGuestTrap.Io:
                if (port is not null)
                    return ZxStatus.ErrInvalidArgs;
                if (size == 0)
                    return ZxStatus.ErrInvalidArgs;
                if (address > ushort.MaxValue || size > ushort.MaxValue - address)
                    return ZxStatus.ErrOutOfRange;
                return Traps.Insert(new GuestTrap(kind, address, size, null, key));
            default:
                return ZxStatus.ErrInvalidArgs;
        }
        if (size == 0 || (address & (ZxPage.Size - 1)) != 0 || (size & (ZxPage.Size - 1)) != 0)
            return ZxStatus.ErrInvalidArgs;
        if (address >= GuestAddressSpace.Size || size > GuestAddressSpace.Size - address)
            return ZxStatus.ErrOutOfRange;
        var trap = new GuestTrap(kind, address, size, port, key);
        ZxStatus status = Traps.Insert(trap);
        if (status != ZxStatus.Ok)
            return status;
        // Whatever memory was mapped there disappears, so guest accesses fault into the trap.
        status = Vmar.Unmap(address, size);
        return status is ZxStatus.Ok or ZxStatus.ErrNotFound ? ZxStatus.Ok : status;
    }

    /// <summary>Reserves the lowest free VCPU id (0 is the bootstrap processor); NO_RESOURCES past 64.</summary>
    internal ZxStatus AllocateVcpuId(out uint id)
    {
        lock (_lock)
        {
            for (uint i = 0; i < MaxVcpus; i++)
            {
                if (!_vcpuIdsInUse[i])
                {
                    _vcpuIdsInUse[i] = true;
                    _liveVcpus++;
                    id = i;
                    return ZxStatus.Ok;
                }
            }
        }
        id = 0;
        return ZxStatus.ErrNoResources;
    }

    /// <summary>A VCPU was destroyed (or failed to start); the guest may now go away.</summary>
    internal void ReleaseVcpuId(uint id)
    {
        lock (_lock)
        {
            _vcpuIdsInUse[id] = false;
            _liveVcpus--;
        }
        ForgetLiveVcpu(id);
        DestroyIfUnused();
    }

    /// <summary>
    /// The backend of VCPU <paramref name="id"/> for a new VCPU with that id: a recycled one
    /// (reset to the initial state on the calling thread) or, the first time, a new one.
    /// </summary>
    internal ZxStatus TakeVcpuBackend(uint id, bool bootstrap, ulong entry, out IVcpuBackend? backend)
    {
        IVcpuBackend? retired;
        lock (_lock)
        {
            retired = _retiredBackends[id];
            _retiredBackends[id] = null;
        }
        if (retired is null)
            return Machine.CreateVcpu(id, bootstrap, entry, out backend);
        ZxStatus status = retired.Reset(bootstrap, entry);
        if (status != ZxStatus.Ok)
        {
            retired.Dispose();
            backend = null;
            return status;
        }
        backend = retired;
        return ZxStatus.Ok;
    }

    /// <summary>VCPU <paramref name="id"/> was destroyed: keep its backend for reuse, release the id.</summary>
    internal void RetireVcpu(uint id, IVcpuBackend backend)
    {
        bool keep;
        backend.Retire();
        lock (_lock)
        {
            keep = !_destroyed;
            if (keep)
                _retiredBackends[id] = backend;
        }
        if (!keep)
            backend.Dispose();
        else
            ParkIfProcessor(id, backend);
        ReleaseVcpuId(id);
    }

    /// <inheritdoc/>
    protected override void OnZeroHandles()
    {
        lock (_lock)
            _noHandles = true;
        DestroyIfUnused();
    }

    private void DestroyIfUnused()
    {
        lock (_lock)
        {
            if (_destroyed || !_noHandles || _liveVcpus > 0)
                return;
            _destroyed = true;
        }
        // Doorbells first: once they are detached no counted write can queue a packet, and
        // clearing the traps then takes every queued one off the ports.
        Doorbells.Dispose();
        Traps.Clear();
        IVcpuBackend?[] retired;
        lock (_lock)
        {
            retired = [.. _retiredBackends];
            Array.Clear(_retiredBackends);
        }
        foreach (IVcpuBackend? backend in retired)
            backend?.Dispose();
        // Closing the VM drops its memory slots at once; deleting them one by one first would wait
        // for a kernel synchronisation pass each.
        Machine.Dispose();
        Memory.ReleaseHostMappings();
    }
}
