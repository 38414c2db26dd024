using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary>Interrupt calls (<c>zircon/syscalls.h</c>).</summary>
public static class InterruptExports
{
    // SAFETY: `out` is NULL or a writable zx_handle_t; HandOut checks for NULL before writing.
    /// <summary>
    /// <c>zx_status_t zx_interrupt_create(zx_handle_t src_obj, uint32_t src_num, uint32_t options,
    /// zx_handle_t* out_handle)</c>. Without ZX_INTERRUPT_VIRTUAL, <paramref name="sourceNumber"/>
    /// is a host interrupt line (<c>zircon/platform/interrupt_lines.h</c>).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_interrupt_create")]
    public static unsafe int InterruptCreate(uint sourceResource, uint sourceNumber, uint options, uint* @out)
    {
        try
        {
            ZxStatus status = Syscalls.InterruptCreate(sourceResource, sourceNumber, options, out uint interrupt);
            return ExportStatus.HandOut(status, interrupt, @out);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_interrupt_create");
        }
    }

    /// <summary><c>zx_status_t zx_interrupt_bind(zx_handle_t handle, zx_handle_t port_handle, uint64_t key, uint32_t options)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_interrupt_bind")]
    public static int InterruptBind(uint handle, uint port, ulong key, uint options)
    {
        try
        {
            return (int)Syscalls.InterruptBind(handle, port, key, options);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_interrupt_bind");
        }
    }

    /// <summary><c>zx_status_t zx_interrupt_bind_vcpu(zx_handle_t handle, zx_handle_t vcpu, uint32_t options)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_interrupt_bind_vcpu")]
    public static int InterruptBindVcpu(uint handle, uint vcpu, uint options)
    {
        try
        {
            return (int)Syscalls.InterruptBindVcpu(handle, vcpu, options);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_interrupt_bind_vcpu");
        }
    }

    // SAFETY: `timestamp` is NULL (allowed by Zircon) or written through UserMemory; it is probed
    // before waiting so that a bad pointer does not consume the interrupt.
    /// <summary>
    /// <c>zx_status_t zx_interrupt_wait(zx_handle_t handle, zx_time_t* out_timestamp)</c>.
    /// <paramref name="timestamp"/> may be NULL.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_interrupt_wait")]
    public static unsafe int InterruptWait(uint handle, long* timestamp)
    {
        try
        {
            if (timestamp != null && !UserMemory.CanWrite(timestamp, sizeof(long)))
                return ExportStatus.InvalidArgs;
            ZxStatus status = Syscalls.InterruptWait(handle, out long when);
            if (status == ZxStatus.Ok && !ExportStatus.TryWriteOptional(timestamp, when))
                return ExportStatus.InvalidArgs;
            return (int)status;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_interrupt_wait");
        }
    }

    /// <summary><c>zx_status_t zx_interrupt_ack(zx_handle_t handle)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_interrupt_ack")]
    public static int InterruptAck(uint handle)
    {
        try
        {
            return (int)Syscalls.InterruptAck(handle);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_interrupt_ack");
        }
    }

    /// <summary><c>zx_status_t zx_interrupt_trigger(zx_handle_t handle, uint32_t options, zx_time_t timestamp)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_interrupt_trigger")]
    public static int InterruptTrigger(uint handle, uint options, long timestamp)
    {
        try
        {
            return (int)Syscalls.InterruptTrigger(handle, options, timestamp);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_interrupt_trigger");
        }
    }

    /// <summary><c>zx_status_t zx_interrupt_destroy(zx_handle_t handle)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_interrupt_destroy")]
    public static int InterruptDestroy(uint handle)
    {
        try
        {
            return (int)Syscalls.InterruptDestroy(handle);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_interrupt_destroy");
        }
    }
}
