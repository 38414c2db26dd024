using Zircon.Linux.Libc;

namespace Zircon.Linux.Kvm;

/// <summary>
/// An open <c>/dev/kvm</c>: capability queries, the host's supported CPUID, and the only way to
/// create a <see cref="KvmVm"/>.
/// </summary>
public sealed unsafe class KvmSystem : IDisposable
{
    /// <summary>The device node every Linux KVM host provides.</summary>
    public const string DefaultPath = "/dev/kvm";

    private readonly FileDescriptor _fd;
    private readonly Lock _cpuidLock = new();
    private KvmCpuid? _supportedCpuid;

    private KvmSystem(FileDescriptor fd, int vcpuMmapSize)
    {
        _fd = fd;
        VcpuMmapSize = vcpuMmapSize;
    }

    /// <summary>Bytes to map from each VCPU descriptor (the kvm_run page and the PIO data page after it).</summary>
    public int VcpuMmapSize { get; }

    internal FileDescriptor Descriptor => _fd;

    /// <summary>Opens <c>/dev/kvm</c>.</summary>
    /// <returns>
    /// <see cref="ZxStatus.Ok"/>; <see cref="ZxStatus.ErrNotSupported"/> when the device is absent or
    /// cannot be opened, its API version is not 12, or it lacks a capability this backend needs
    /// (user memory, sync regs, immediate exit); other statuses for unexpected errors.
    /// </returns>
    public static ZxStatus Open(out KvmSystem? system) => Open(DefaultPath, out system);

    /// <summary>Opens a KVM device node at <paramref name="path"/> (tests use a bad path to see NOT_SUPPORTED).</summary>
    public static ZxStatus Open(string path, out KvmSystem? system)
    {
        system = null;
        int raw = KvmNative.open(path, KvmNative.O_RDWR | KvmNative.O_CLOEXEC);
        if (raw < 0)
        {
            // Absent, not a device, or not ours to use: all mean "this host has no usable KVM".
            return Errno.Last is 1 or 2 or 6 or 13 or 19 or 20 ? ZxStatus.ErrNotSupported : Errno.LastStatus();
        }
        var fd = new FileDescriptor(raw);
        ZxStatus status = KvmNative.Ioctl(fd, KvmIoctls.KVM_GET_API_VERSION, 0, out int version);
        if (status != ZxStatus.Ok || version != KvmConstants.KVM_API_VERSION)
        {
            fd.Dispose();
            return ZxStatus.ErrNotSupported;
        }
        status = KvmNative.Ioctl(fd, KvmIoctls.KVM_GET_VCPU_MMAP_SIZE, 0, out int mmapSize);
        if (status != ZxStatus.Ok || mmapSize < sizeof(kvm_run))
        {
            fd.Dispose();
            return ZxStatus.ErrNotSupported;
        }
        var candidate = new KvmSystem(fd, mmapSize);
        const int syncAll = (int)(KvmConstants.KVM_SYNC_X86_REGS | KvmConstants.KVM_SYNC_X86_SREGS | KvmConstants.KVM_SYNC_X86_EVENTS);
        if (candidate.CheckExtension(KvmCapability.UserMemory) <= 0
            || (candidate.CheckExtension(KvmCapability.SyncRegs) & syncAll) != syncAll
            || candidate.CheckExtension(KvmCapability.ImmediateExit) <= 0)
        {
            candidate.Dispose();
            return ZxStatus.ErrNotSupported;
        }
        system = candidate;
        return ZxStatus.Ok;
    }

    /// <summary>
    /// KVM_CHECK_EXTENSION on <c>/dev/kvm</c>: 0 when <paramref name="capability"/> is absent,
    /// otherwise a positive value (1, or a count or bit mask for some capabilities).
    /// </summary>
    public int CheckExtension(KvmCapability capability) =>
        KvmNative.Ioctl(_fd, KvmIoctls.KVM_CHECK_EXTENSION, (nuint)capability, out int value) == ZxStatus.Ok ? value : 0;

    /// <summary>
    /// The CPUID leaves KVM can give a guest on this host (KVM_GET_SUPPORTED_CPUID), as a fresh copy
    /// the caller may adjust and then pass to <see cref="KvmVcpu.SetCpuid"/>.
    /// </summary>
    public ZxStatus GetSupportedCpuid(out KvmCpuid? cpuid)
    {
        cpuid = null;
        lock (_cpuidLock)
        {
            if (_supportedCpuid is null)
            {
                ZxStatus status = KvmCpuid.Query(_fd, KvmIoctls.KVM_GET_SUPPORTED_CPUID, out _supportedCpuid);
                if (status != ZxStatus.Ok)
                    return status;
            }
            cpuid = _supportedCpuid!.Clone();
            return ZxStatus.Ok;
        }
    }

    /// <summary>
    /// Creates a VM (KVM_CREATE_VM). With <see cref="KvmIrqchipMode.Split"/> the VM gets an in-kernel
    /// LAPIC per VCPU (KVM_CAP_SPLIT_IRQCHIP with <see cref="KvmVm.IoApicPins"/> routes reserved),
    /// which irqfd, MSI routes and <see cref="KvmVm.SignalMsi"/> need.
    /// </summary>
    public ZxStatus CreateVm(KvmIrqchipMode irqchip, out KvmVm? vm)
    {
        vm = null;
        ZxStatus status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_CREATE_VM, 0, out int raw);
        if (status != ZxStatus.Ok)
            return status;
        var candidate = new KvmVm(this, new FileDescriptor(raw), irqchip);
        if (irqchip == KvmIrqchipMode.Split)
        {
            status = candidate.EnableSplitIrqchip();
            if (status != ZxStatus.Ok)
            {
                candidate.Dispose();
                return status;
            }
        }
        vm = candidate;
        return ZxStatus.Ok;
    }

    /// <summary>Closes <c>/dev/kvm</c>; VMs already created keep working.</summary>
    public void Dispose() => _fd.Dispose();
}

/// <summary>Where a VM's interrupt controllers live.</summary>
public enum KvmIrqchipMode
{
    /// <summary>No in-kernel irqchip: HLT exits to user space, interrupts go in only with KVM_INTERRUPT / KVM_NMI / events.</summary>
    None,
    /// <summary>In-kernel LAPICs, PIC and IOAPIC left to user space (KVM_CAP_SPLIT_IRQCHIP): MSIs, irqfd, in-kernel HLT.</summary>
    Split,
}
