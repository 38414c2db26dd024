using Zircon.Linux.Kvm;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Hypervisor.Kvm;

/// <summary>One KVM VM.</summary>
internal sealed class KvmGuestBackend : IGuestBackend
{
    private readonly KvmVm _vm;
    private readonly KvmCpuid _supportedCpuid;

    // KVM never frees a VCPU id while its VM lives, while Zircon reuses ids of destroyed VCPUs;
    // so KVM ids are handed out once each.
    private int _nextKvmId = -1;

    public KvmGuestBackend(KvmVm vm, KvmCpuid supportedCpuid)
    {
        _vm = vm;
        _supportedCpuid = supportedCpuid;
    }

    public ZxStatus MapMemory(ulong guestPhysical, ulong length, ulong hostAddress, bool readOnly, out int slot) =>
        _vm.MapMemory(guestPhysical, length, hostAddress, readOnly, out slot);

    public ZxStatus UnmapMemory(int slot) => _vm.UnmapMemory(slot);

    public ZxStatus CreateVcpu(uint id, bool bootstrap, ulong entry, out IVcpuBackend? vcpu)
    {
        vcpu = null;
        uint kvmId = (uint)Interlocked.Increment(ref _nextKvmId);
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

    public void Dispose() => _vm.Dispose();
}
