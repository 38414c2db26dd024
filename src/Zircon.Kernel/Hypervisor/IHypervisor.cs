using Zircon.Linux.Libc;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// The hypervisor the kernel runs guests on: KVM in production (<see cref="Kvm.KvmHypervisor"/>), a
/// scripted fake in tests. The kernel's guest and VCPU objects hold Zircon's rules; the backend
/// only runs machines.
/// </summary>
public interface IHypervisor
{
    /// <summary>Creates an empty machine; NOT_SUPPORTED when the host cannot run guests.</summary>
    ZxStatus CreateGuest(out IGuestBackend? guest);
}

/// <summary>One virtual machine: guest-physical memory slots, VCPUs, interrupt routes.</summary>
public interface IGuestBackend : IDisposable
{
    /// <summary>Makes host memory at <paramref name="hostAddress"/> appear at guest-physical <paramref name="guestPhysical"/>.</summary>
    ZxStatus MapMemory(ulong guestPhysical, ulong length, ulong hostAddress, bool readOnly, out int slot);

    /// <summary>How many VCPUs this machine can have at once (KVM: KVM_CAP_MAX_VCPUS).</summary>
    int MaxVcpus { get; }

    /// <summary>Removes the guest-physical memory slot <paramref name="slot"/>.</summary>
    ZxStatus UnmapMemory(int slot);

    /// <summary>
    /// Creates VCPU <paramref name="id"/> on the calling thread in Zircon's initial state: the
    /// bootstrap processor in 64-bit mode at <paramref name="entry"/>, others in real mode.
    /// </summary>
    ZxStatus CreateVcpu(uint id, bool bootstrap, ulong entry, out IVcpuBackend? vcpu);

    /// <summary>
    /// Routes <paramref name="line"/> so that each signal delivers <paramref name="vector"/> to the
    /// VCPUs with these local APIC ids without host user-space work (KVM: an irqfd and an MSI route per VCPU).
    /// Disposing the route detaches the line again.
    /// </summary>
    ZxStatus RouteInterruptLine(EventFd line, ReadOnlySpan<uint> apicIds, byte vector, out IDisposable? route);

    /// <summary>
    /// Makes a guest write of any length starting exactly at guest-physical <paramref name="address"/>
    /// (where no memory is mapped) complete without a VCPU exit, adding one to <paramref name="signal"/>
    /// instead; reads still exit. KVM: an ioeventfd of length 0. NOT_SUPPORTED when the host cannot;
    /// NO_RESOURCES when it has no room for more. Disposing the doorbell detaches it; once that returns
    /// no write signals <paramref name="signal"/> any more, so a count read afterwards is final.
    /// </summary>
    ZxStatus AttachWriteDoorbell(ulong address, EventFd signal, out IDisposable? doorbell);
}
