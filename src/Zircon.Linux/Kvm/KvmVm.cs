using Zircon.Linux.Libc;

namespace Zircon.Linux.Kvm;

/// <summary>
/// A KVM virtual machine: guest-physical memory slots, interrupt routing (with the split irqchip),
/// and the only way to create a <see cref="KvmVcpu"/>. Methods are safe to call from any thread.
/// </summary>
public sealed unsafe partial class KvmVm : IDisposable
{
    /// <summary>
    /// GSIs reserved for a user-space IOAPIC's pins with the split irqchip (KVM_CAP_SPLIT_IRQCHIP's
    /// argument). MSI routes made by <see cref="AddMsiRoute"/> use GSIs from here up.
    /// </summary>
    public const int IoApicPins = 24;

    private const int MaxGsi = 4095; // KVM_MAX_IRQ_ROUTES - 1

    private readonly FileDescriptor _fd;
    private readonly Lock _lock = new();

    internal KvmVm(KvmSystem system, FileDescriptor fd, KvmIrqchipMode irqchip)
    {
        System = system;
        _fd = fd;
        IrqchipMode = irqchip;
    }

    /// <summary>The system this VM was created from.</summary>
    public KvmSystem System { get; }

    /// <summary>Whether the VM has in-kernel LAPICs.</summary>
    public KvmIrqchipMode IrqchipMode { get; }

    internal FileDescriptor Descriptor => _fd;

    /// <summary>KVM_CHECK_EXTENSION on the VM (some answers, e.g. NR_MEMSLOTS, can differ per VM).</summary>
    public int CheckExtension(KvmCapability capability) =>
        KvmNative.Ioctl(_fd, KvmIoctls.KVM_CHECK_EXTENSION, (nuint)capability, out int value) == ZxStatus.Ok ? value : 0;

    /// <summary>
    /// Creates VCPU <paramref name="id"/> (KVM_CREATE_VCPU; the id is also its APIC id), maps its
    /// kvm_run page and loads its registers into the shared sync area. The VCPU starts with
    /// KVM's reset state (real mode at 0xFFFF0) and an empty CPUID: set both before running.
    /// </summary>
    public ZxStatus CreateVcpu(uint id, out KvmVcpu? vcpu) => KvmVcpu.Create(this, id, out vcpu);

    /// <summary>
    /// KVM_SET_TSS_ADDR: three pages of guest-physical space KVM may use for real-mode emulation on
    /// Intel hosts without unrestricted guest. Call before creating VCPUs if guests start in real mode.
    /// </summary>
    public ZxStatus SetTssAddress(ulong guestPhysicalAddress) =>
        KvmNative.Ioctl(_fd, KvmIoctls.KVM_SET_TSS_ADDR, (nuint)guestPhysicalAddress, out _);

    /// <summary>KVM_SET_IDENTITY_MAP_ADDR: one page for the real-mode identity map on such hosts.</summary>
    public ZxStatus SetIdentityMapAddress(ulong guestPhysicalAddress)
    {
        ulong address = guestPhysicalAddress;
        // SAFETY: address is a local u64, the ioctl's argument.
        return KvmNative.Ioctl(_fd, KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR, &address, out _);
    }

    internal ZxStatus EnableSplitIrqchip()
    {
        var cap = new kvm_enable_cap { cap = (uint)KvmCapability.SplitIrqchip };
        cap.args[0] = IoApicPins;
        // SAFETY: cap is a local of the size the ioctl encodes.
        return KvmNative.Ioctl(_fd, KvmIoctls.KVM_ENABLE_CAP, &cap, out _);
    }

    /// <summary>Closes the VM descriptor; VCPUs still open keep the kernel VM alive until they close.</summary>
    public void Dispose() => _fd.Dispose();
}
