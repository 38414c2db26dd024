namespace Zircon.Vmm.Devices;

/// <summary>
/// Where an interrupt controller model sends vectors: the VCPU's local APIC, reached through the
/// public API (<see cref="Zircon.Vmm.Plumbing.VectorLines"/>: a physical interrupt per vector, bound to the VCPU).
/// </summary>
public interface IVectorDelivery
{
    /// <summary>
    /// The guest routed a source to <paramref name="vector"/>: get ready to deliver it (bind what has
    /// to be bound). Called on the VCPU thread, before the first <see cref="Deliver"/> of the vector.
    /// </summary>
    void Prepare(byte vector);

    /// <summary>Delivers <paramref name="vector"/> once (an edge). Any thread.</summary>
    void Deliver(byte vector);
}
