using Zircon.Kernel.Objects;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// A physical interrupt bound to VCPUs of one guest (<c>zx_interrupt_bind_vcpu</c>): its host line
/// is routed into the machine so each raise delivers vector = line number to every bound VCPU.
/// Vectors arrive through the guest's local APIC, so the guest acknowledges them with an EOI.
/// </summary>
internal sealed class VcpuInterruptBinding : IVcpuInterruptBinding
{
    /// <summary>Vectors an MSI can carry (below 16 the local APIC refuses them).</summary>
    private const uint FirstRoutableVector = 16, LastRoutableVector = 255;

    private readonly InterruptDispatcher _interrupt;
    private readonly GuestDispatcher _guest;
    private readonly List<VcpuDispatcher> _vcpus = new();
    private IDisposable? _route;

    private VcpuInterruptBinding(InterruptDispatcher interrupt, GuestDispatcher guest)
    {
        _interrupt = interrupt;
        _guest = guest;
    }

    public static ZxStatus Bind(InterruptDispatcher interrupt, VcpuDispatcher vcpu) =>
        interrupt.BindVcpu(existing =>
        {
            VcpuInterruptBinding binding;
            if (existing is null)
            {
                uint line = interrupt.Line!.Number;
                if (line < FirstRoutableVector || line > LastRoutableVector)
                    return (ZxStatus.ErrInvalidArgs, null);
                binding = new VcpuInterruptBinding(interrupt, vcpu.Guest);
            }
            else
            {
                binding = (VcpuInterruptBinding)existing;
                if (binding._vcpus.Contains(vcpu))
                    return (ZxStatus.Ok, binding);
                if (!ReferenceEquals(binding._guest, vcpu.Guest))
                    return (ZxStatus.ErrInvalidArgs, null);
            }
            ZxStatus status = binding.Reroute(vcpu);
            return (status, status == ZxStatus.Ok ? binding : null);
        });

    private ZxStatus Reroute(VcpuDispatcher added)
    {
        uint[] ids = [.. _vcpus.Select(v => v.ApicId), added.ApicId];
        // The old route goes first: a line has one route at a time (a fan-out watches the line's
        // eventfd, which one epoll set holds once). If the new one cannot be made, the old comes back.
        _route?.Dispose();
        _route = null;
        ZxStatus status = Route(ids, out IDisposable? route);
        if (status != ZxStatus.Ok)
        {
            if (_vcpus.Count > 0 && Route([.. _vcpus.Select(v => v.ApicId)], out IDisposable? previous) == ZxStatus.Ok)
                _route = previous;
            return status;
        }
        _route = route;
        _vcpus.Add(added);
        return ZxStatus.Ok;
    }

    private ZxStatus Route(uint[] apicIds, out IDisposable? route) =>
        _guest.Machine.RouteInterruptLine(_interrupt.Line!.EventFd, apicIds, (byte)_interrupt.Line.Number, out route);

    public void Dispose()
    {
        _route?.Dispose();
        _route = null;
    }
}
