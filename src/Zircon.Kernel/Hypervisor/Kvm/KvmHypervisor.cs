using Zircon.Linux.Kvm;

namespace Zircon.Kernel.Hypervisor.Kvm;

/// <summary>
/// Guests on Linux KVM. /dev/kvm is opened once, on the first guest; a host without a usable
/// /dev/kvm answers NOT_SUPPORTED, as Zircon does on hardware without VMX.
/// </summary>
public sealed class KvmHypervisor : IHypervisor
{
    private readonly Lazy<(ZxStatus Status, KvmSystem? System, KvmCpuid? Cpuid)> _system;

    /// <param name="devicePath">The KVM device; a missing or unusable one makes every guest NOT_SUPPORTED.</param>
    public KvmHypervisor(string devicePath = KvmSystem.DefaultPath) => _system = new(() => Open(devicePath));

    /// <summary>Creates a KVM virtual machine for a new guest; the status says why when /dev/kvm cannot give one.</summary>
    public ZxStatus CreateGuest(out IGuestBackend? guest)
    {
        guest = null;
        (ZxStatus status, KvmSystem? system, KvmCpuid? cpuid) = _system.Value;
        if (status != ZxStatus.Ok)
            return status;
        // The split irqchip gives each VCPU an in-kernel local APIC: HLT sleeps in the kernel and
        // interrupt lines can be routed straight in (irqfd + MSI). Without it, bind_vcpu is unsupported.
        KvmIrqchipMode mode = system!.CheckExtension(KvmCapability.SplitIrqchip) > 0 ? KvmIrqchipMode.Split : KvmIrqchipMode.None;
        status = system.CreateVm(mode, out KvmVm? vm);
        if (status != ZxStatus.Ok)
            return status;
        guest = new KvmGuestBackend(vm!, cpuid!);
        return ZxStatus.Ok;
    }

    private static (ZxStatus, KvmSystem?, KvmCpuid?) Open(string devicePath)
    {
        ZxStatus status = KvmSystem.Open(devicePath, out KvmSystem? system);
        if (status != ZxStatus.Ok)
            return (ZxStatus.ErrNotSupported, null, null);
        status = system!.GetSupportedCpuid(out KvmCpuid? cpuid);
        if (status != ZxStatus.Ok)
        {
            system.Dispose();
            return (ZxStatus.ErrNotSupported, null, null);
        }
        return (ZxStatus.Ok, system, cpuid);
    }
}
