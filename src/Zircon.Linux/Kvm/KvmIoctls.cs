using System.Runtime.CompilerServices;

#pragma warning disable IDE1006

namespace Zircon.Linux.Kvm;

/// <summary>
/// Every KVM ioctl request number this backend uses, and nowhere else. They are built the way
/// <c>&lt;asm-generic/ioctl.h&gt;</c> builds them (direction, argument size, type 0xAE, number), with
/// the size taken from the C# struct, so a wrong struct layout shows up as a wrong number;
/// KvmIoctlTests pins every value against the kernel headers.
/// </summary>
internal static class KvmIoctls
{
    private const uint KVMIO = 0xAE;
    private const uint IocNone = 0, IocWrite = 1, IocRead = 2;

    private static nuint Ioc(uint direction, uint nr, int size) =>
        (nuint)((direction << 30) | ((uint)size << 16) | (KVMIO << 8) | nr);

    private static nuint Io(uint nr) => Ioc(IocNone, nr, 0);
    private static nuint Ior<T>(uint nr) where T : unmanaged => Ioc(IocRead, nr, Unsafe.SizeOf<T>());
    private static nuint Iow<T>(uint nr) where T : unmanaged => Ioc(IocWrite, nr, Unsafe.SizeOf<T>());
    private static nuint Iowr<T>(uint nr) where T : unmanaged => Ioc(IocRead | IocWrite, nr, Unsafe.SizeOf<T>());

    // /dev/kvm (system) ioctls.
    internal static readonly nuint KVM_GET_API_VERSION = Io(0x00);
    internal static readonly nuint KVM_CREATE_VM = Io(0x01);
    internal static readonly nuint KVM_CHECK_EXTENSION = Io(0x03);
    internal static readonly nuint KVM_GET_VCPU_MMAP_SIZE = Io(0x04);
    internal static readonly nuint KVM_GET_SUPPORTED_CPUID = Iowr<kvm_cpuid2>(0x05);

    // VM ioctls.
    internal static readonly nuint KVM_CREATE_VCPU = Io(0x41);
    internal static readonly nuint KVM_SET_USER_MEMORY_REGION = Iow<kvm_userspace_memory_region>(0x46);
    internal static readonly nuint KVM_SET_TSS_ADDR = Io(0x47);
    internal static readonly nuint KVM_SET_IDENTITY_MAP_ADDR = Iow<ulong>(0x48);
    internal static readonly nuint KVM_SET_GSI_ROUTING = Iow<kvm_irq_routing>(0x6a);
    internal static readonly nuint KVM_IRQFD = Iow<kvm_irqfd>(0x76);
    internal static readonly nuint KVM_IOEVENTFD = Iow<kvm_ioeventfd>(0x79);
    internal static readonly nuint KVM_SIGNAL_MSI = Iow<kvm_msi>(0xa5);
    internal static readonly nuint KVM_ENABLE_CAP = Iow<kvm_enable_cap>(0xa3);

    // VCPU ioctls.
    internal static readonly nuint KVM_RUN = Io(0x80);
    internal static readonly nuint KVM_GET_REGS = Ior<kvm_regs>(0x81);
    internal static readonly nuint KVM_SET_REGS = Iow<kvm_regs>(0x82);
    internal static readonly nuint KVM_GET_SREGS = Ior<kvm_sregs>(0x83);
    internal static readonly nuint KVM_SET_SREGS = Iow<kvm_sregs>(0x84);
    internal static readonly nuint KVM_INTERRUPT = Iow<kvm_interrupt>(0x86);
    internal static readonly nuint KVM_GET_MSRS = Iowr<kvm_msrs>(0x88);
    internal static readonly nuint KVM_SET_MSRS = Iow<kvm_msrs>(0x89);
    // The declared argument is the 4-byte header (len); the sigset follows it.
    internal static readonly nuint KVM_SET_SIGNAL_MASK = Ioc(IocWrite, 0x8b, sizeof(uint));
    internal static readonly nuint KVM_GET_LAPIC = Ior<kvm_lapic_state>(0x8e);
    internal static readonly nuint KVM_SET_LAPIC = Iow<kvm_lapic_state>(0x8f);
    internal static readonly nuint KVM_SET_CPUID2 = Iow<kvm_cpuid2>(0x90);
    internal static readonly nuint KVM_GET_CPUID2 = Iowr<kvm_cpuid2>(0x91);
    internal static readonly nuint KVM_GET_MP_STATE = Ior<kvm_mp_state>(0x98);
    internal static readonly nuint KVM_SET_MP_STATE = Iow<kvm_mp_state>(0x99);
    internal static readonly nuint KVM_NMI = Io(0x9a);
    internal static readonly nuint KVM_GET_VCPU_EVENTS = Ior<kvm_vcpu_events>(0x9f);
    internal static readonly nuint KVM_SET_VCPU_EVENTS = Iow<kvm_vcpu_events>(0xa0);
}
