using Zircon.Linux.Kvm;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Hypervisor.Kvm;

/// <summary>One KVM VM.</summary>
internal sealed class KvmGuestBackend : IGuestBackend
{
    private readonly KvmVm _vm;
    private readonly KvmCpuid _supportedCpuid;

    // KVM never frees a VCPU id while its VM lives. The kernel recycles the KVM VCPU of a closed
    // Zircon VCPU (IVcpuBackend.Reset), so the KVM id is the Zircon id; only when creating one
    // failed half-way is that id burnt, and a spare id above Zircon's range is used instead.
    private readonly HashSet<uint> _usedKvmIds = new();
    private uint _nextSpareKvmId = GuestDispatcher.MaxVcpus;

    public KvmGuestBackend(KvmVm vm, KvmCpuid supportedCpuid)
    {
        _vm = vm;
        _supportedCpuid = supportedCpuid;
    }

    public ZxStatus MapMemory(ulong guestPhysical, ulong length, ulong hostAddress, bool readOnly, out int slot) =>
        _vm.MapMemory(guestPhysical, length, hostAddress, readOnly, out slot);

    public ZxStatus UnmapMemory(int slot) => _vm.UnmapMemory(slot);

    public int MaxVcpus
    {
        get
        {
            // KVM_CAP_MAX_VCPUS is the hard limit; old kernels only report the recommended NR_VCPUS.
            int max = _vm.CheckExtension(KvmCapability.MaxVcpus);
            return max > 0 ? max : Math.Max(_vm.CheckExtension(KvmCapability.NrVcpus), 1);
        }
    }

    public ZxStatus CreateVcpu(uint id, bool bootstrap, ulong entry, out IVcpuBackend? vcpu)
    {
        vcpu = null;
        uint kvmId;
        lock (_usedKvmIds)
        {
            kvmId = _usedKvmIds.Contains(id) ? _nextSpareKvmId++ : id;
            _usedKvmIds.Add(kvmId);
        }
        ZxStatus status = _vm.CreateVcpu(kvmId, out KvmVcpu? kvmVcpu);
        if (status != ZxStatus.Ok)
            return status;
        status = KvmVcpuBackend.Initialize(kvmVcpu!, _supportedCpuid);
        if (status != ZxStatus.Ok)
        {
            kvmVcpu!.Dispose();
            return status;
        }
        var backend = new KvmVcpuBackend(kvmVcpu!);
        backend.SetInitialState(bootstrap, entry);
        vcpu = backend;
        return ZxStatus.Ok;
    }

    public ZxStatus RouteInterruptLine(EventFd line, ReadOnlySpan<uint> vcpuIds, byte vector, out IDisposable? route)
    {
        route = null;
        if (_vm.IrqchipMode != KvmIrqchipMode.Split)
            return ZxStatus.ErrNotSupported;
        if (vcpuIds.Length == 1)
            return KvmLineRoute.Direct(_vm, line, vcpuIds[0], vector, out route);
        return KvmLineRoute.FanOut(_vm, line, vcpuIds, vector, out route);
    }

    public ZxStatus AttachWriteDoorbell(ulong address, EventFd signal, out IDisposable? doorbell) =>
        KvmWriteDoorbell.Attach(_vm, address, signal, out doorbell);

    public void Dispose() => _vm.Dispose();
}
