using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary>Guest and VCPU calls (<c>zircon/syscalls.h</c>, types in <c>zircon/syscalls/hypervisor.h</c>).</summary>
public static class HypervisorExports
{
    // SAFETY: `guest` and `vmar` are only written through UserMemory.
    /// <summary>
    /// <c>zx_status_t zx_guest_create(zx_handle_t resource, uint32_t options, zx_handle_t* guest_handle,
    /// zx_handle_t* vmar_handle)</c>. If either output is NULL, both new handles are closed and the
    /// result is ZX_ERR_INVALID_ARGS.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_guest_create")]
    public static unsafe int GuestCreate(uint resource, uint options, uint* guest, uint* vmar)
    {
        try
        {
            ZxStatus status = Syscalls.GuestCreate(resource, options, out uint guestHandle, out uint vmarHandle);
            if (status != ZxStatus.Ok)
                return (int)status;
            // Both outputs are probed before either is written: with one bad pointer the caller's
            // other variable keeps what it held (a test's live guest handle was overwritten with
            // the handle closed here, found running bad_pointers.c in the KVM rig).
            if (guest == null || vmar == null || !UserMemory.CanWrite(guest, sizeof(uint)) || !UserMemory.CanWrite(vmar, sizeof(uint)) ||
                !UserMemory.TryWrite(guest, guestHandle) || !UserMemory.TryWrite(vmar, vmarHandle))
            {
                Syscalls.HandleClose(vmarHandle);
                Syscalls.HandleClose(guestHandle);
                return ExportStatus.InvalidArgs;
            }
            return ExportStatus.Ok;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_guest_create");
        }
    }

    /// <summary>
    /// <c>zx_status_t zx_guest_set_trap(zx_handle_t handle, uint32_t kind, zx_vaddr_t addr, size_t size,
    /// zx_handle_t port_handle, uint64_t key)</c>
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_guest_set_trap")]
    public static int GuestSetTrap(uint guest, uint kind, ulong address, nuint size, uint port, ulong key)
    {
        try
        {
            return (int)Syscalls.GuestSetTrap(guest, kind, address, size, port, key);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_guest_set_trap");
        }
    }

    // SAFETY: `out` is NULL or a writable zx_handle_t; HandOut checks for NULL before writing.
    /// <summary><c>zx_status_t zx_vcpu_create(zx_handle_t guest, uint32_t options, zx_vaddr_t entry, zx_handle_t* out)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vcpu_create")]
    public static unsafe int VcpuCreate(uint guest, uint options, ulong entry, uint* @out)
    {
        try
        {
            ZxStatus status = Syscalls.VcpuCreate(guest, options, entry, out uint vcpu);
            return ExportStatus.HandOut(status, vcpu, @out);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vcpu_create");
        }
    }

    // SAFETY: `packet` is NULL or a writable zx_port_packet_t; Resume checks before writing.
    /// <summary>
    /// <c>zx_status_t zx_vcpu_resume(zx_handle_t handle, zx_port_packet_t* packet)</c>. A NULL packet
    /// is rejected before the guest runs, so no exit is lost.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vcpu_resume")]
    public static unsafe int VcpuResume(uint vcpu, ZxPortPacket* packet) => Resume(vcpu, packet, "zx_vcpu_resume");

    // SAFETY: `packet` is NULL or a writable zx_port_packet_t; Resume checks before writing.
    /// <summary>
    /// <c>zx_status_t zx_vcpu_enter(zx_handle_t handle, zx_port_packet_t* packet)</c>: Zircon's later
    /// name for <c>zx_vcpu_resume</c>, the same call.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vcpu_enter")]
    public static unsafe int VcpuEnter(uint vcpu, ZxPortPacket* packet) => Resume(vcpu, packet, "zx_vcpu_enter");

    // SAFETY: `packet` is only written through UserMemory; it is probed before the guest runs so
    // that no exit is lost to a bad pointer.
    private static unsafe int Resume(uint vcpu, ZxPortPacket* packet, string export)
    {
        try
        {
            if (packet == null || !UserMemory.CanWrite(packet, (nuint)sizeof(ZxPortPacket)))
                return ExportStatus.InvalidArgs;
            ZxStatus status = Syscalls.VcpuResume(vcpu, out ZxPortPacket exit);
            if (status == ZxStatus.Ok && !UserMemory.TryWrite(packet, exit))
                return ExportStatus.InvalidArgs;
            return (int)status;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, export);
        }
    }

    /// <summary>
    /// <c>zx_status_t zx_vcpu_kick(zx_handle_t handle)</c> (Zircon's later API): the VCPU's resume in
    /// progress, or its next one, returns ZX_ERR_CANCELED. Any thread.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vcpu_kick")]
    public static int VcpuKick(uint vcpu)
    {
        try
        {
            return (int)Syscalls.VcpuKick(vcpu);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vcpu_kick");
        }
    }

    /// <summary><c>zx_status_t zx_vcpu_interrupt(zx_handle_t handle, uint32_t vector)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vcpu_interrupt")]
    public static int VcpuInterrupt(uint vcpu, uint vector)
    {
        try
        {
            return (int)Syscalls.VcpuInterrupt(vcpu, vector);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vcpu_interrupt");
        }
    }

    // Every VCPU state kind is smaller; a larger size is INVALID_ARGS in the kernel anyway.
    private const int StateBufferSize = 256;

    // SAFETY: `buffer` is only written through UserMemory, from a local copy the kernel filled.
    /// <summary>
    /// <c>zx_status_t zx_vcpu_read_state(zx_handle_t handle, uint32_t kind, void* buffer, size_t buffer_size)</c>.
    /// Every valid size is tiny (sizeof(zx_vcpu_state_t)); the kernel fills a local buffer (a larger
    /// size is described as 256 bytes, which it rejects after its handle checks), then the state is
    /// copied out: a buffer that cannot take it is INVALID_ARGS.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vcpu_read_state")]
    public static unsafe int VcpuReadState(uint vcpu, uint kind, byte* buffer, nuint size)
    {
        try
        {
            if (buffer == null && size != 0)
                return ExportStatus.InvalidArgs;
            Span<byte> local = stackalloc byte[StateBufferSize];
            Span<byte> span = local[..(int)Math.Min(size, (nuint)StateBufferSize)];
            ZxStatus status = Syscalls.VcpuReadState(vcpu, kind, span);
            if (status == ZxStatus.Ok && !UserMemory.TryWriteBytes(buffer, span))
                return ExportStatus.InvalidArgs;
            return (int)status;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vcpu_read_state");
        }
    }

    // SAFETY: `buffer` is only read through UserMemory, into a local copy the kernel reads.
    /// <summary>
    /// <c>zx_status_t zx_vcpu_write_state(zx_handle_t handle, uint32_t kind, const void* buffer, size_t buffer_size)</c>.
    /// The state is copied in first (an unreadable buffer is INVALID_ARGS); sizes no state kind
    /// has are passed on without reading, for the kernel to refuse after its handle checks.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vcpu_write_state")]
    public static unsafe int VcpuWriteState(uint vcpu, uint kind, byte* buffer, nuint size)
    {
        try
        {
            if (buffer == null && size != 0)
                return ExportStatus.InvalidArgs;
            Span<byte> local = stackalloc byte[StateBufferSize];
            if (size >= StateBufferSize)
                return (int)Syscalls.VcpuWriteState(vcpu, kind, local);
            Span<byte> span = local[..(int)size];
            if (!UserMemory.TryReadBytes(buffer, span))
                return ExportStatus.InvalidArgs;
            return (int)Syscalls.VcpuWriteState(vcpu, kind, span);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vcpu_write_state");
        }
    }
}
