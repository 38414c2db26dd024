using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary>Port calls (<c>zircon/syscalls.h</c>, packets in <c>zircon/syscalls/port.h</c>).</summary>
public static class PortExports
{
    // SAFETY: `out` is NULL or a writable zx_handle_t; HandOut checks for NULL before writing.
    /// <summary><c>zx_status_t zx_port_create(uint32_t options, zx_handle_t* out)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_port_create")]
    public static unsafe int PortCreate(uint options, uint* @out)
    {
        try
        {
            ZxStatus status = Syscalls.PortCreate(options, out uint port);
            return ExportStatus.HandOut(status, port, @out);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_port_create");
        }
    }

    // SAFETY: `packet` is only read through UserMemory, which survives any pointer value.
    /// <summary>
    /// <c>zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t* packet)</c>.
    /// A NULL packet is ZX_ERR_INVALID_ARGS.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_port_queue")]
    public static unsafe int PortQueue(uint handle, ZxPortPacket* packet)
    {
        try
        {
            if (packet == null || !UserMemory.TryRead(packet, out ZxPortPacket copy))
                return ExportStatus.InvalidArgs;
            return (int)Syscalls.PortQueue(handle, in copy);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_port_queue");
        }
    }

    // SAFETY: `packet` is only written through UserMemory, which survives any pointer value.
    /// <summary>
    /// <c>zx_status_t zx_port_wait(zx_handle_t handle, zx_time_t deadline, zx_port_packet_t* packet)</c>.
    /// A NULL or unwritable packet is rejected before waiting (Zircon would dequeue a packet and
    /// then drop it).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_port_wait")]
    public static unsafe int PortWait(uint handle, long deadline, ZxPortPacket* packet)
    {
        try
        {
            if (packet == null || !UserMemory.CanWrite(packet, (nuint)sizeof(ZxPortPacket)))
                return ExportStatus.InvalidArgs;
            ZxStatus status = Syscalls.PortWait(handle, deadline, out ZxPortPacket received);
            if (status == ZxStatus.Ok && !UserMemory.TryWrite(packet, received))
                return ExportStatus.InvalidArgs; // unmapped by another thread during the wait
            return (int)status;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_port_wait");
        }
    }

    /// <summary><c>zx_status_t zx_port_cancel(zx_handle_t handle, zx_handle_t source, uint64_t key)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_port_cancel")]
    public static int PortCancel(uint handle, uint source, ulong key)
    {
        try
        {
            return (int)Syscalls.PortCancel(handle, source, key);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_port_cancel");
        }
    }
}
