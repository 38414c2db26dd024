using Zircon.Kernel;

namespace Zircon.Native;

/// <summary>
/// What every export shares: the status numbers it returns, the one place an unexpected managed
/// exception becomes ZX_ERR_INTERNAL, and the copy-out of a new handle.
/// </summary>
/// <remarks>
/// Pointer rules, the same in every export:
/// <list type="bullet">
/// <item>Input pointers (a packet to queue, bytes to write, handles to close) are checked before the
/// call: NULL where Zircon needs memory is ZX_ERR_INVALID_ARGS.</item>
/// <item>Output pointers are checked after the call, when Zircon copies out: a NULL output turns
/// success into ZX_ERR_INVALID_ARGS and what the call made is undone (a new handle is closed, a new
/// mapping unmapped), so handle errors are still reported first, as in Zircon. Calls whose output
/// is consumed data (zx_port_wait's packet) check first instead, so nothing is lost.</item>
/// <item>Outputs Zircon allows to be NULL (zx_object_wait_one's observed, zx_interrupt_wait's
/// timestamp, zx_object_get_info's actual and avail) are simply not written.</item>
/// <item>Every access to caller memory goes through <see cref="UserMemory"/>: a pointer that
/// cannot be read (or written, for an output) — unmapped, PROT_NONE, read-only, a kernel address —
/// is ZX_ERR_INVALID_ARGS, as in Zircon, never a crash. Outputs of calls that consume something
/// (a port packet, a VCPU exit, an interrupt) are probed for writing before the call.</item>
/// </list>
/// </remarks>
internal static class ExportStatus
{
    public const int Ok = (int)ZxStatus.Ok;
    public const int InvalidArgs = (int)ZxStatus.ErrInvalidArgs;
    public const int Internal = (int)ZxStatus.ErrInternal;

    private static readonly bool s_trace =
        Environment.GetEnvironmentVariable("ZIRCON_NATIVE_TRACE") is { Length: > 0 } value && value != "0";

    /// <summary>
    /// An exception reached an export: the kernel broke its no-throw contract. It must not cross
    /// into C (that would abort the process), so it becomes ZX_ERR_INTERNAL. Set
    /// ZIRCON_NATIVE_TRACE=1 to have it printed on stderr.
    /// </summary>
    public static int FromException(Exception exception, string export)
    {
        if (s_trace)
        {
            try
            {
                Console.Error.WriteLine($"libzircon: {export}: {exception}");
            }
            catch (IOException)
            {
                // stderr is gone; the status code still tells the caller.
            }
        }
        return Internal;
    }

    // SAFETY: `out` is only written through UserMemory, which survives any pointer value.
    /// <summary>
    /// Hands a handle the call created to the caller. If <paramref name="out"/> cannot take it
    /// (NULL or a bad pointer) the copy-out fails: the handle is closed and the result is
    /// ZX_ERR_INVALID_ARGS.
    /// </summary>
    public static unsafe int HandOut(ZxStatus status, uint handle, uint* @out)
    {
        if (status != ZxStatus.Ok)
            return (int)status;
        if (@out == null || !UserMemory.TryWrite(@out, handle))
        {
            Syscalls.HandleClose(handle);
            return InvalidArgs;
        }
        return Ok;
    }

    // SAFETY: `out` is only written through UserMemory; NULL means "not wanted".
    /// <summary>Writes an optional output (NULL allowed); false if a non-NULL pointer cannot take it.</summary>
    public static unsafe bool TryWriteOptional<T>(T* @out, T value) where T : unmanaged =>
        @out == null || UserMemory.TryWrite(@out, value);
}
