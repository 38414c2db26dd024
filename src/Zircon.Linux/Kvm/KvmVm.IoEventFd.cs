using Zircon.Linux.Libc;

namespace Zircon.Linux.Kvm;

public sealed unsafe partial class KvmVm
{
    /// <summary>
    /// Whether <see cref="AssignMmioWriteEventFd"/> can be used: KVM_CAP_IOEVENTFD and
    /// KVM_CAP_IOEVENTFD_ANY_LENGTH (a length-0 MMIO ioeventfd that matches a write of any length).
    /// </summary>
    public bool SupportsAnyLengthMmioEventFd =>
        CheckExtension(KvmCapability.Ioeventfd) > 0 && CheckExtension(KvmCapability.IoeventfdAnyLength) > 0;

    /// <summary>
    /// KVM_IOEVENTFD: a guest write of any length and value starting exactly at guest-physical
    /// <paramref name="address"/> adds one to <paramref name="eventFd"/> and completes inside the
    /// kernel, with no exit to user space (the data is discarded). Reads still exit. KVM answers
    /// EEXIST for an address already assigned (ErrAlreadyExists) and ENOSPC once its MMIO bus is
    /// full (about 1,000 devices: ErrNoResources).
    /// </summary>
    public ZxStatus AssignMmioWriteEventFd(ulong address, EventFd eventFd) => IoEventFd(address, eventFd, 0);

    /// <summary>
    /// Undoes <see cref="AssignMmioWriteEventFd"/>. When it returns no VCPU is still signalling the
    /// eventfd for this address (KVM waits for readers of its I/O bus), so a count read afterwards is final.
    /// </summary>
    public ZxStatus DeassignMmioWriteEventFd(ulong address, EventFd eventFd) =>
        IoEventFd(address, eventFd, KvmConstants.KVM_IOEVENTFD_FLAG_DEASSIGN);

    private ZxStatus IoEventFd(ulong address, EventFd eventFd, uint flags)
    {
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
            var request = new kvm_ioeventfd { addr = address, len = 0, fd = fd.Fd, flags = flags };
            // SAFETY: request is a local of the size the ioctl encodes; the eventfd is referenced for the call.
            return KvmNative.IoctlRaw(_fd, KvmIoctls.KVM_IOEVENTFD, (nuint)(&request), out _, out _);
        }
        finally
        {
            fd.DangerousRelease();
        }
    }
}
