using Zircon.Linux.Kvm;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Hypervisor.Kvm;

/// <summary>
/// A KVM ioeventfd of length 0 (any write length, no data match) at one guest-physical address:
/// the guest's write completes inside KVM and adds one to the eventfd. Needs
/// KVM_CAP_IOEVENTFD_ANY_LENGTH; without it no doorbell is made (NOT_SUPPORTED) and every write
/// keeps exiting to user space.
/// </summary>
internal sealed class KvmWriteDoorbell : IDisposable
{
    private readonly KvmVm _vm;
    private readonly ulong _address;
    private readonly EventFd _signal;
    private int _disposed;

    private KvmWriteDoorbell(KvmVm vm, ulong address, EventFd signal)
    {
        _vm = vm;
        _address = address;
        _signal = signal;
    }

    public static ZxStatus Attach(KvmVm vm, ulong address, EventFd signal, out IDisposable? doorbell)
    {
        doorbell = null;
        if (!vm.SupportsAnyLengthMmioEventFd)
            return ZxStatus.ErrNotSupported;
        ZxStatus status = vm.AssignMmioWriteEventFd(address, signal);
        if (status != ZxStatus.Ok)
            return status;
        doorbell = new KvmWriteDoorbell(vm, address, signal);
        return ZxStatus.Ok;
    }

    public void Dispose()
    {
        // A VM already closed has dropped its ioeventfds with it: the failure then means nothing.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _vm.DeassignMmioWriteEventFd(_address, _signal);
    }
}
