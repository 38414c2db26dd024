using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Plumbing;

/// <summary>
/// Delivers guest-chosen vectors through the public API: for each vector the guest programs into
/// the IO-APIC, a physical interrupt on the host line of the same number, bound to the VCPU with
/// <c>zx_interrupt_bind_vcpu</c> (whose vector is the line number); delivering raises the line,
/// which KVM turns into a fixed MSI to the VCPU's local APIC with no host user-space work.
/// </summary>
/// <remarks>
/// Zircon's <c>zx_interrupt_bind_vcpu</c> has no unbind, so a binding lasts for the machine's life;
/// masking and re-routing happen in the IO-APIC model. Vectors below 32 are never bound (Linux
/// does not program them; the kernel layer refuses lines below 16).
/// </remarks>
public sealed class VectorLines : IVectorDelivery, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Func<Vcpu?> _vcpu;
    private readonly Action<string> _fail;
    private readonly Dictionary<byte, Interrupt> _bound = new();
    private readonly bool[] _ready = new bool[256];

    /// <param name="vcpu">The VCPU to bind to (null before it exists: nothing can be routed yet).</param>
    /// <param name="fail">Called with one line when a vector cannot be bound (the machine stops).</param>
    public VectorLines(Func<Vcpu?> vcpu, Action<string> fail)
    {
        _vcpu = vcpu;
        _fail = fail;
    }

    /// <summary>Vectors bound so far.</summary>
    public IReadOnlyCollection<byte> BoundVectors
    {
        get
        {
            lock (_lock)
                return [.. _bound.Keys];
        }
    }

    public void Prepare(byte vector)
    {
        if (vector < 32)
            return;
        lock (_lock)
        {
            if (_bound.ContainsKey(vector))
                return;
            Vcpu? vcpu = _vcpu();
            if (vcpu is null)
                return;
            Interrupt? interrupt = null;
            try
            {
                interrupt = Interrupt.CreatePhysical(Resource.Root, vector);
                interrupt.BindVcpu(vcpu);
                _bound.Add(vector, interrupt);
                Volatile.Write(ref _ready[vector], true);
            }
            catch (ZxException e)
            {
                interrupt?.Dispose();
                _fail($"cannot route guest vector {vector} to the VCPU: {e.Message}");
            }
        }
    }

    public void Deliver(byte vector)
    {
        if (Volatile.Read(ref _ready[vector]))
            new HostInterruptLine(vector).TryRaise();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (Interrupt interrupt in _bound.Values)
                interrupt.Dispose();
            _bound.Clear();
            Array.Clear(_ready);
        }
    }
}
