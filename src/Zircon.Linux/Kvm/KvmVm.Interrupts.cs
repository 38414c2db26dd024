using Zircon.Linux.Libc;

namespace Zircon.Linux.Kvm;

public sealed unsafe partial class KvmVm
{
    // The whole GSI routing table: KVM_SET_GSI_ROUTING replaces it in one go, so we keep our copy.
    private readonly SortedDictionary<uint, KvmMsiMessage> _routes = new();

    /// <summary>
    /// Delivers an MSI to the in-kernel LAPICs now (KVM_SIGNAL_MSI). Callable from any thread; wakes a
    /// VCPU halted in the kernel. Needs <see cref="KvmIrqchipMode.Split"/> (else ErrBadState).
    /// </summary>
    /// <returns><see cref="ZxStatus.Ok"/> when delivered; <see cref="ZxStatus.ErrUnavailable"/> when no LAPIC
    /// accepted it (e.g. the destination's LAPIC is software-disabled).</returns>
    public ZxStatus SignalMsi(KvmMsiMessage message)
    {
        if (IrqchipMode != KvmIrqchipMode.Split)
            return ZxStatus.ErrBadState;
        var msi = new kvm_msi { address_lo = message.Address, data = message.Data };
        // SAFETY: msi is a local of the size the ioctl encodes.
        ZxStatus status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_SIGNAL_MSI, &msi, out int delivered);
        if (status != ZxStatus.Ok)
            return status;
        return delivered > 0 ? ZxStatus.Ok : ZxStatus.ErrUnavailable;
    }

    /// <summary>
    /// Adds a GSI routed to <paramref name="message"/> (KVM_SET_GSI_ROUTING), choosing the lowest free GSI
    /// at or above <see cref="IoApicPins"/>. Bind an eventfd to it with <see cref="AssignIrqFd"/>.
    /// </summary>
    public ZxStatus AddMsiRoute(KvmMsiMessage message, out uint gsi)
    {
        gsi = 0;
        if (IrqchipMode != KvmIrqchipMode.Split)
            return ZxStatus.ErrBadState;
        lock (_lock)
        {
            uint candidate = IoApicPins;
            while (_routes.ContainsKey(candidate))
                candidate++;
            if (candidate > MaxGsi)
                return ZxStatus.ErrNoResources;
            _routes[candidate] = message;
            ZxStatus status = CommitRoutesLocked();
            if (status != ZxStatus.Ok)
            {
                _routes.Remove(candidate);
                return status;
            }
            gsi = candidate;
            return ZxStatus.Ok;
        }
    }

    /// <summary>Adds or replaces the MSI route of <paramref name="gsi"/> (any GSI up to 4095).</summary>
    public ZxStatus SetMsiRoute(uint gsi, KvmMsiMessage message)
    {
        if (IrqchipMode != KvmIrqchipMode.Split)
            return ZxStatus.ErrBadState;
        if (gsi > MaxGsi)
            return ZxStatus.ErrOutOfRange;
        lock (_lock)
        {
            bool had = _routes.TryGetValue(gsi, out KvmMsiMessage old);
            _routes[gsi] = message;
            ZxStatus status = CommitRoutesLocked();
            if (status != ZxStatus.Ok)
            {
                if (had)
                    _routes[gsi] = old;
                else
                    _routes.Remove(gsi);
            }
            return status;
        }
    }

    /// <summary>Removes the route of <paramref name="gsi"/>; an irqfd still bound to it then does nothing.</summary>
    public ZxStatus RemoveMsiRoute(uint gsi)
    {
        lock (_lock)
        {
            if (!_routes.Remove(gsi, out KvmMsiMessage old))
                return ZxStatus.ErrNotFound;
            ZxStatus status = CommitRoutesLocked();
            if (status != ZxStatus.Ok)
                _routes[gsi] = old;
            return status;
        }
    }

    /// <summary>
    /// KVM_IRQFD: every signal of <paramref name="eventFd"/> raises <paramref name="gsi"/> inside the
    /// kernel, with no user-space work. One eventfd can feed only one GSI (KVM answers EBUSY,
    /// reported as <see cref="ZxStatus.ErrAlreadyBound"/>).
    /// </summary>
    public ZxStatus AssignIrqFd(EventFd eventFd, uint gsi) => IrqFd(eventFd, gsi, 0);

    /// <summary>Undoes <see cref="AssignIrqFd"/>.</summary>
    public ZxStatus DeassignIrqFd(EventFd eventFd, uint gsi) => IrqFd(eventFd, gsi, KvmConstants.KVM_IRQFD_FLAG_DEASSIGN);

    private ZxStatus IrqFd(EventFd eventFd, uint gsi, uint flags)
    {
        if (IrqchipMode != KvmIrqchipMode.Split)
            return ZxStatus.ErrBadState;
        FileDescriptor fd = eventFd.Descriptor;
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return ZxStatus.ErrBadHandle;
        }
        try
        {
            var irqfd = new kvm_irqfd { fd = (uint)fd.Fd, gsi = gsi, flags = flags };
            // SAFETY: irqfd is a local of the size the ioctl encodes; the eventfd is referenced for the call.
            ZxStatus status = KvmNative.IoctlRaw(_fd, KvmIoctls.KVM_IRQFD, (nuint)(&irqfd), out _, out int errno);
            return errno == 16 ? ZxStatus.ErrAlreadyBound : status; // EBUSY: fd already feeds a GSI
        }
        finally
        {
            fd.DangerousRelease();
        }
    }

    private ZxStatus CommitRoutesLocked()
    {
        int n = _routes.Count;
        int size = sizeof(kvm_irq_routing) + n * sizeof(kvm_irq_routing_entry);
        byte[] buffer = new byte[size];
        // SAFETY: p pins a buffer holding the header followed by exactly nr entries.
        fixed (byte* p = buffer)
        {
            ((kvm_irq_routing*)p)->nr = (uint)n;
            var entries = (kvm_irq_routing_entry*)(p + sizeof(kvm_irq_routing));
            int i = 0;
            foreach (var (gsi, message) in _routes)
            {
                entries[i].gsi = gsi;
                entries[i].type = KvmConstants.KVM_IRQ_ROUTING_MSI;
                entries[i].msi.address_lo = message.Address;
                entries[i].msi.data = message.Data;
                i++;
            }
            return KvmNative.Ioctl(_fd, KvmIoctls.KVM_SET_GSI_ROUTING, p, out _);
        }
    }
}
