using Zircon.Kernel.Handles;
using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Objects;
using Zircon.Kernel.Ports;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary>
    /// <c>zx_guest_create</c>: options must be 0; <paramref name="resource"/> must be the root or a
    /// hypervisor resource (another kind is ACCESS_DENIED). NOT_SUPPORTED without /dev/kvm.
    /// </summary>
    public static ZxStatus GuestCreate(uint resource, uint options, out uint guest, out uint vmar)
    {
        guest = vmar = ZxHandleValues.Invalid;
        if (options != 0)
            return ZxStatus.ErrInvalidArgs;
        ZxStatus status = Handles.Get(resource, ZxRights.None, out ResourceDispatcher resourceDispatcher);
        if (status != ZxStatus.Ok)
            return status;
        if (!resourceDispatcher.IsKindOrRoot(ZxResourceKind.Hypervisor))
            return ZxStatus.ErrAccessDenied;
        status = GuestDispatcher.Create(KernelContext.Hypervisor, out GuestDispatcher? created);
        if (status != ZxStatus.Ok)
            return status;
        status = Handles.Add(created!, created!.DefaultRights, out guest);
        if (status != ZxStatus.Ok)
            return status;
        status = Handles.Add(created.Vmar, created.Vmar.DefaultRights, out vmar);
        if (status != ZxStatus.Ok)
        {
            Handles.Close(guest);
            guest = ZxHandleValues.Invalid;
        }
        return status;
    }

    /// <summary><c>zx_guest_set_trap</c>: guest needs WRITE; a port, when given, needs WRITE.</summary>
    public static ZxStatus GuestSetTrap(uint guest, uint kind, ulong address, ulong size, uint port, ulong key)
    {
        ZxStatus status = Handles.Get(guest, ZxRights.Write, out GuestDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        PortDispatcher? portDispatcher = null;
        if (port != ZxHandleValues.Invalid)
        {
            status = Handles.Get(port, ZxRights.Write, out PortDispatcher found);
            if (status != ZxStatus.Ok)
                return status;
            portDispatcher = found;
        }
        return dispatcher.SetTrap((ZxGuestTrap)kind, address, size, portDispatcher, key);
    }

    /// <summary>
    /// Project extension: the guest's machine has <paramref name="count"/> processors (ids
    /// 0..count-1); ids above 0 are parked so the guest's INIT/STARTUP IPIs to them make a VCPU's
    /// <c>zx_vcpu_resume</c> return a STARTUP packet. Needs MANAGE_PROCESS (as <c>zx_vcpu_create</c>);
    /// OUT_OF_RANGE outside 1..64; BAD_STATE if already declared.
    /// </summary>
    public static ZxStatus GuestDeclareProcessors(uint guest, uint count)
    {
        ZxStatus status = Handles.Get(guest, ZxRights.ManageProcess, out GuestDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        return count > GuestDispatcher.MaxVcpus ? ZxStatus.ErrOutOfRange : dispatcher.DeclareProcessors((int)count);
    }

    /// <summary>Project extension: the most processors <see cref="GuestDeclareProcessors"/> accepts (64, or the hypervisor's lower limit). Needs INSPECT.</summary>
    public static ZxStatus GuestMaxProcessors(uint guest, out uint max)
    {
        max = 0;
        ZxStatus status = Handles.Get(guest, ZxRights.Inspect, out GuestDispatcher dispatcher);
        if (status == ZxStatus.Ok)
            max = (uint)dispatcher.MaxProcessors;
        return status;
    }

    /// <summary><c>zx_vcpu_create</c>: options must be 0; the guest needs MANAGE_PROCESS (Project decisions).</summary>
    public static ZxStatus VcpuCreate(uint guest, uint options, ulong entry, out uint vcpu)
    {
        vcpu = ZxHandleValues.Invalid;
        if (options != 0)
            return ZxStatus.ErrInvalidArgs;
        ZxStatus status = Handles.Get(guest, ZxRights.ManageProcess, out GuestDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        status = VcpuDispatcher.Create(dispatcher, entry, out VcpuDispatcher? created);
        if (status != ZxStatus.Ok)
            return status;
        return Handles.Add(created!, created!.DefaultRights, out vcpu);
    }

    /// <summary><c>zx_vcpu_resume</c>: needs EXECUTE; only on the VCPU's thread.</summary>
    public static ZxStatus VcpuResume(uint vcpu, out ZxPortPacket packet)
    {
        packet = default;
        ZxStatus status = Handles.Get(vcpu, ZxRights.Execute, out VcpuDispatcher dispatcher);
        return status != ZxStatus.Ok ? status : dispatcher.Resume(out packet);
    }

    /// <summary><c>zx_vcpu_interrupt</c>: needs SIGNAL; any thread; vectors above 255 are OUT_OF_RANGE.</summary>
    public static ZxStatus VcpuInterrupt(uint vcpu, uint vector)
    {
        ZxStatus status = Handles.Get(vcpu, ZxRights.Signal, out VcpuDispatcher dispatcher);
        return status != ZxStatus.Ok ? status : dispatcher.Interrupt(vector);
    }

    /// <summary>
    /// <c>zx_vcpu_kick</c> (from Zircon's newer API): the VCPU's resume in progress, or its next one,
    /// returns ZX_ERR_CANCELED. Any thread; needs EXECUTE.
    /// </summary>
    public static ZxStatus VcpuKick(uint vcpu)
    {
        ZxStatus status = Handles.Get(vcpu, ZxRights.Execute, out VcpuDispatcher dispatcher);
        return status != ZxStatus.Ok ? status : dispatcher.Kick();
    }

    /// <summary><c>zx_vcpu_read_state</c>: needs READ.</summary>
    public static ZxStatus VcpuReadState(uint vcpu, uint kind, Span<byte> buffer)
    {
        ZxStatus status = Handles.Get(vcpu, ZxRights.Read, out VcpuDispatcher dispatcher);
        return status != ZxStatus.Ok ? status : dispatcher.ReadState((ZxVcpuStateKind)kind, buffer);
    }

    /// <summary><c>zx_vcpu_write_state</c>: needs WRITE.</summary>
    public static ZxStatus VcpuWriteState(uint vcpu, uint kind, ReadOnlySpan<byte> buffer)
    {
        ZxStatus status = Handles.Get(vcpu, ZxRights.Write, out VcpuDispatcher dispatcher);
        return status != ZxStatus.Ok ? status : dispatcher.WriteState((ZxVcpuStateKind)kind, buffer);
    }

    /// <summary>
    /// <c>zx_interrupt_bind_vcpu</c>: interrupt needs READ, VCPU WRITE, options must be 0. The
    /// line's signals then reach every bound VCPU as vector = line number (32..255) with no host
    /// user-space work.
    /// </summary>
    public static ZxStatus InterruptBindVcpu(uint interrupt, uint vcpu, uint options)
    {
        ZxStatus status = Handles.Get(interrupt, ZxRights.Read, out InterruptDispatcher interruptDispatcher);
        if (status != ZxStatus.Ok)
            return status;
        status = Handles.Get(vcpu, ZxRights.Write, out VcpuDispatcher vcpuDispatcher);
        if (status != ZxStatus.Ok)
            return status;
        if (options != 0)
            return ZxStatus.ErrInvalidArgs;
        return VcpuInterruptBinding.Bind(interruptDispatcher, vcpuDispatcher);
    }
}
