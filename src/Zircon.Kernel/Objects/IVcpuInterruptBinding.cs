namespace Zircon.Kernel.Objects;

/// <summary>
/// The seam for <c>zx_interrupt_bind_vcpu</c>: a physical interrupt's line delivered straight to a
/// set of VCPUs of one guest (on KVM: an irqfd and an MSI route). Owned by the interrupt once bound.
/// </summary>
internal interface IVcpuInterruptBinding : IDisposable
{
}
