using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary>Handle, object, signal and event calls (<c>zircon/syscalls.h</c>).</summary>
public static class HandleExports
{
    // Larger than any topic's records; a bigger caller buffer only ever receives this much.
    private const int InfoBufferSize = 256;

    /// <summary>Bytes per record of a zx_object_get_info topic (0: no records).</summary>
    private static unsafe int InfoRecordSize(uint topic) => topic switch
    {
        ZxInfoTopic.HandleBasic => sizeof(ZxInfoHandleBasic),
        ZxInfoTopic.Vmar => sizeof(ZxInfoVmar),
        _ => 0,
    };

    /// <summary><c>zx_status_t zx_handle_close(zx_handle_t handle)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_handle_close")]
    public static int HandleClose(uint handle)
    {
        try
        {
            return (int)Syscalls.HandleClose(handle);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_handle_close");
        }
    }

    // SAFETY: `handles` is only read through UserMemory, in chunks copied to the stack.
    /// <summary><c>zx_status_t zx_handle_close_many(const zx_handle_t* handles, size_t num_handles)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_handle_close_many")]
    public static unsafe int HandleCloseMany(uint* handles, nuint count)
    {
        try
        {
            if (count == 0)
                return ExportStatus.Ok;
            if (handles == null || count > nuint.MaxValue / sizeof(uint) || !UserMemory.InUserRange(handles, count * sizeof(uint)))
                return ExportStatus.InvalidArgs;
            // Close in chunks copied from the caller; BAD_HANDLE if any chunk had one. Zircon
            // copies the whole array in first, so an unreadable part is INVALID_ARGS: handles of
            // earlier chunks are closed by then (the call cannot be undone).
            const int Chunk = 256;
            Span<uint> local = stackalloc uint[Chunk];
            ZxStatus result = ZxStatus.Ok;
            while (count > 0)
            {
                int chunk = (int)Math.Min(count, (nuint)Chunk);
                Span<uint> part = local[..chunk];
                if (!UserMemory.TryReadBytes((byte*)handles, System.Runtime.InteropServices.MemoryMarshal.AsBytes(part)))
                    return ExportStatus.InvalidArgs;
                ZxStatus status = Syscalls.HandleCloseMany(part);
                if (status != ZxStatus.Ok)
                    result = status;
                handles += chunk;
                count -= (nuint)chunk;
            }
            return (int)result;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_handle_close_many");
        }
    }

    // SAFETY: `out` is NULL or a writable zx_handle_t; HandOut checks for NULL before writing.
    /// <summary><c>zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_handle_duplicate")]
    public static unsafe int HandleDuplicate(uint handle, uint rights, uint* @out)
    {
        try
        {
            ZxStatus status = Syscalls.HandleDuplicate(handle, (ZxRights)rights, out uint duplicate);
            return ExportStatus.HandOut(status, duplicate, @out);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_handle_duplicate");
        }
    }

    // SAFETY: `out` is NULL or a writable zx_handle_t; HandOut checks for NULL before writing.
    /// <summary>
    /// <c>zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out)</c>.
    /// The source handle is consumed even when <paramref name="out"/> is NULL (the replacement is then closed).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_handle_replace")]
    public static unsafe int HandleReplace(uint handle, uint rights, uint* @out)
    {
        try
        {
            ZxStatus status = Syscalls.HandleReplace(handle, (ZxRights)rights, out uint replacement);
            return ExportStatus.HandOut(status, replacement, @out);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_handle_replace");
        }
    }

    // SAFETY: `buffer`, `actual` and `avail` are only written through UserMemory.
    /// <summary>
    /// <c>zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer, size_t buffer_size,
    /// size_t* actual, size_t* avail)</c>. Buffers beyond 2 GiB are treated as 2 GiB (records are a few bytes).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_object_get_info")]
    public static unsafe int ObjectGetInfo(uint handle, uint topic, byte* buffer, nuint bufferSize, nuint* actual, nuint* avail)
    {
        try
        {
            if (buffer == null && bufferSize != 0)
                return ExportStatus.InvalidArgs;
            // The kernel writes whole records into a local buffer (every topic's records are
            // small); what it wrote is then copied out, so a bad buffer is INVALID_ARGS.
            Span<byte> local = stackalloc byte[InfoBufferSize];
            Span<byte> span = local[..(int)Math.Min(bufferSize, (nuint)InfoBufferSize)];
            ZxStatus status = Syscalls.ObjectGetInfo(handle, topic, span, out nuint actualCount, out nuint availableCount);
            // Zircon reports the counts on success and when the buffer was too small.
            if (status is ZxStatus.Ok or ZxStatus.ErrBufferTooSmall)
            {
                int written = status == ZxStatus.Ok ? (int)actualCount * InfoRecordSize(topic) : 0;
                if (!UserMemory.TryWriteBytes(buffer, local[..written]))
                    return ExportStatus.InvalidArgs;
                if (!ExportStatus.TryWriteOptional(actual, actualCount) || !ExportStatus.TryWriteOptional(avail, availableCount))
                    return ExportStatus.InvalidArgs;
            }
            return (int)status;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_object_get_info");
        }
    }

    // SAFETY: `observed` is NULL (allowed by Zircon) or written through UserMemory.
    /// <summary>
    /// <c>zx_status_t zx_object_wait_one(zx_handle_t handle, zx_signals_t signals, zx_time_t deadline,
    /// zx_signals_t* observed)</c>. <paramref name="observed"/> may be NULL; it is written when the wait
    /// ended (OK, TIMED_OUT, CANCELED).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_object_wait_one")]
    public static unsafe int ObjectWaitOne(uint handle, uint signals, long deadline, uint* observed)
    {
        try
        {
            ZxStatus status = Syscalls.ObjectWaitOne(handle, (ZxSignals)signals, deadline, out ZxSignals state);
            if ((status is ZxStatus.Ok or ZxStatus.ErrTimedOut or ZxStatus.ErrCanceled) && !ExportStatus.TryWriteOptional(observed, (uint)state))
                return ExportStatus.InvalidArgs;
            return (int)status;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_object_wait_one");
        }
    }

    /// <summary>
    /// <c>zx_status_t zx_object_wait_async(zx_handle_t handle, zx_handle_t port, uint64_t key,
    /// zx_signals_t signals, uint32_t options)</c>
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_object_wait_async")]
    public static int ObjectWaitAsync(uint handle, uint port, ulong key, uint signals, uint options)
    {
        try
        {
            return (int)Syscalls.ObjectWaitAsync(handle, port, key, (ZxSignals)signals, options);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_object_wait_async");
        }
    }

    /// <summary><c>zx_status_t zx_object_signal(zx_handle_t handle, uint32_t clear_mask, uint32_t set_mask)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_object_signal")]
    public static int ObjectSignal(uint handle, uint clearMask, uint setMask)
    {
        try
        {
            return (int)Syscalls.ObjectSignal(handle, (ZxSignals)clearMask, (ZxSignals)setMask);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_object_signal");
        }
    }

    // SAFETY: `out` is NULL or a writable zx_handle_t; HandOut checks for NULL before writing.
    /// <summary><c>zx_status_t zx_event_create(uint32_t options, zx_handle_t* out)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_event_create")]
    public static unsafe int EventCreate(uint options, uint* @out)
    {
        try
        {
            ZxStatus status = Syscalls.EventCreate(options, out uint handle);
            return ExportStatus.HandOut(status, handle, @out);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_event_create");
        }
    }
}
