using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary><c>zx_object_get_property</c> and <c>zx_object_set_property</c> (<c>ZX_PROP_NAME</c>).</summary>
public static class PropertyExports
{
    // SAFETY: `value` is only written through UserMemory (a bad pointer is INVALID_ARGS).
    /// <summary>
    /// <c>zx_status_t zx_object_get_property(zx_handle_t handle, uint32_t property, void* value,
    /// size_t value_size)</c>. The name is read into a local buffer and copied out on success only.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_object_get_property")]
    public static unsafe int ObjectGetProperty(uint handle, uint property, byte* value, nuint size)
    {
        try
        {
            if (value == null && size != 0)
                return ExportStatus.InvalidArgs;
            // The only property is a name of ZX_MAX_NAME_LEN bytes: more buffer than that is unused.
            Span<byte> local = stackalloc byte[ZxProperty.MaxNameLength];
            int length = (int)Math.Min(size, (nuint)ZxProperty.MaxNameLength);
            ZxStatus status = Syscalls.ObjectGetProperty(handle, property, local[..length]);
            if (status == ZxStatus.Ok && !UserMemory.TryWriteBytes(value, local))
                return ExportStatus.InvalidArgs;
            return (int)status;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_object_get_property");
        }
    }

    // SAFETY: `value` is only read through UserMemory (a bad pointer is INVALID_ARGS).
    /// <summary>
    /// <c>zx_status_t zx_object_set_property(zx_handle_t handle, uint32_t property, const void* value,
    /// size_t value_size)</c>. A name longer than ZX_MAX_NAME_LEN - 1 bytes is truncated.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_object_set_property")]
    public static unsafe int ObjectSetProperty(uint handle, uint property, byte* value, nuint size)
    {
        try
        {
            if (value == null && size != 0)
                return ExportStatus.InvalidArgs;
            // Only the first ZX_MAX_NAME_LEN bytes can matter; never read further.
            int length = (int)Math.Min(size, (nuint)ZxProperty.MaxNameLength);
            Span<byte> local = stackalloc byte[length];
            if (!UserMemory.TryReadBytes(value, local))
                return ExportStatus.InvalidArgs;
            return (int)Syscalls.ObjectSetProperty(handle, property, local);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_object_set_property");
        }
    }
}
