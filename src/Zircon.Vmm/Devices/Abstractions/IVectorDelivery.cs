namespace Zircon.Vmm.Devices;

/// <summary>
/// Where an interrupt controller model sends vectors: the local APICs of the VCPUs, reached through
/// the public API (<see cref="Zircon.Vmm.Plumbing.VectorLines"/>: a physical interrupt per vector,
/// bound to the VCPUs it targets).
/// </summary>
public interface IVectorDelivery
{
    /// <summary>
    /// The guest routed a source to <paramref name="vector"/> for the processors whose APIC ids are
    /// the set bits of <paramref name="targets"/>: get ready to deliver it there (bind what has to be
    /// bound). Called again when the targets change. Called on a VCPU thread, before the first
    /// <see cref="Deliver"/> of the vector.
    /// </summary>
    void Prepare(byte vector, ulong targets);

    /// <summary>Delivers <paramref name="vector"/> once (an edge) to its targets. Any thread.</summary>
    void Deliver(byte vector);
}
