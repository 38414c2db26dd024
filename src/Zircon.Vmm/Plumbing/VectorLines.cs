using System.Numerics;
using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Plumbing;

/// <summary>
/// Delivers guest-chosen vectors through the public API: for each vector the guest programs into
/// the IO-APIC, a physical interrupt on the host line of the same number, bound with
/// <c>zx_interrupt_bind_vcpu</c> (whose vector is the line number) to every VCPU the guest targets —
/// several VCPUs where the interrupt has more than one target, so each raise reaches each of them.
/// Delivering raises the line, which KVM turns into a fixed MSI per target local APIC.
/// </summary>
/// <remarks>
/// Zircon's <c>zx_interrupt_bind_vcpu</c> has no unbind: a processor started later is added to the
/// interrupts that target it, and new targets that drop a processor replace the interrupt (close
/// it, create and bind a new one on the same line). Vectors below 32 are never bound (Linux does not
/// program them; the kernel layer refuses lines below 16). A target that does not exist (yet) gets
/// nothing, as on hardware.
/// </remarks>
public sealed class VectorLines : IVectorDelivery, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Func<IReadOnlyList<(uint Id, Vcpu Vcpu)>> _vcpus;
    private readonly Action<string> _fail;
    private readonly Dictionary<byte, Route> _routes = new();
    private readonly bool[] _ready = new bool[256];

    private sealed class Route(Interrupt interrupt, ulong targets)
    {
        public Interrupt Interrupt { get; } = interrupt;
        public ulong Targets { get; } = targets;
        public ulong Bound { get; set; }
    }

    /// <param name="vcpus">The VCPUs that exist now, with their ids (= APIC ids).</param>
    /// <param name="fail">Called with one line when a vector cannot be bound (the machine stops).</param>
    public VectorLines(Func<IReadOnlyList<(uint Id, Vcpu Vcpu)>> vcpus, Action<string> fail)
    {
        _vcpus = vcpus;
        _fail = fail;
    }

    /// <summary>Vectors bound so far.</summary>
    public IReadOnlyCollection<byte> BoundVectors
    {
        get
        {
            lock (_lock)
                return [.. _routes.Where(r => r.Value.Bound != 0).Select(r => r.Key)];
        }
    }

    /// <summary>The APIC ids <paramref name="vector"/> is bound to now, as a mask (0: none).</summary>
    public ulong BoundTargets(byte vector)
    {
        lock (_lock)
            return _routes.TryGetValue(vector, out Route? route) ? route.Bound : 0;
    }

    public void Prepare(byte vector, ulong targets)
    {
        if (vector < 32)
            return;
        lock (_lock)
        {
            if (_routes.TryGetValue(vector, out Route? route))
            {
                if (route.Targets == targets)
                {
                    BindLiveTargetsLocked(vector, route);
                    return;
                }
                Volatile.Write(ref _ready[vector], false);
                _routes.Remove(vector);
                route.Interrupt.Dispose();
            }
            Interrupt interrupt;
            try
            {
                interrupt = Interrupt.CreatePhysical(Resource.Root, vector);
            }
            catch (ZxException e)
            {
                _fail($"cannot route guest vector {vector}: {e.Message}");
                return;
            }
            route = new Route(interrupt, targets);
            _routes.Add(vector, route);
            BindLiveTargetsLocked(vector, route);
        }
    }

    /// <summary>Processor <paramref name="id"/> now exists: bind it to the vectors that target it.</summary>
    public void ProcessorStarted(uint id)
    {
        lock (_lock)
        {
            foreach ((byte vector, Route route) in _routes)
            {
                if (id < 64 && (route.Targets & (1UL << (int)id)) != 0)
                    BindLiveTargetsLocked(vector, route);
            }
        }
    }

    private void BindLiveTargetsLocked(byte vector, Route route)
    {
        foreach ((uint id, Vcpu vcpu) in _vcpus())
        {
            ulong bit = id < 64 ? 1UL << (int)id : 0;
            if ((route.Targets & bit) == 0 || (route.Bound & bit) != 0)
                continue;
            try
            {
                route.Interrupt.BindVcpu(vcpu);
                route.Bound |= bit;
            }
            catch (ZxException e) when (e.Status is ZxStatus.ErrBadHandle or ZxStatus.ErrCanceled)
            {
                // The VCPU closed meanwhile (its processor stopped): nothing to bind.
            }
            catch (ZxException e)
            {
                _fail($"cannot route guest vector {vector} to VCPU {id}: {e.Message}");
                return;
            }
        }
        if (route.Bound != 0)
            Volatile.Write(ref _ready[vector], true);
    }

    public void Deliver(byte vector)
    {
        if (Volatile.Read(ref _ready[vector]))
            new HostInterruptLine(vector).TryRaise();
    }

    /// <summary>How many processors <paramref name="targets"/> names.</summary>
    public static int CountTargets(ulong targets) => BitOperations.PopCount(targets);

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (Route route in _routes.Values)
                route.Interrupt.Dispose();
            _routes.Clear();
            Array.Clear(_ready);
        }
    }
}
