using Zircon.Kernel.Objects;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary>
    /// <c>zx_object_get_property</c>: needs GET_PROPERTY. Only <see cref="ZxProperty.Name"/> exists
    /// (every object type has a name, empty until set); another property is INVALID_ARGS, a
    /// buffer smaller than ZX_MAX_NAME_LEN is BUFFER_TOO_SMALL. The name is written NUL-padded
    /// over the first ZX_MAX_NAME_LEN bytes.
    /// </summary>
    public static ZxStatus ObjectGetProperty(uint handle, uint property, Span<byte> value)
    {
        ZxStatus status = Handles.Get(handle, ZxRights.GetProperty, out Dispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        if (property != ZxProperty.Name)
            return ZxStatus.ErrInvalidArgs;
        if (value.Length < ZxProperty.MaxNameLength)
            return ZxStatus.ErrBufferTooSmall;
        ObjectNames.Get(dispatcher, value);
        return ZxStatus.Ok;
    }

    /// <summary>
    /// <c>zx_object_set_property</c>: needs SET_PROPERTY. For <see cref="ZxProperty.Name"/> the
    /// name is <paramref name="value"/> up to its first NUL, truncated to ZX_MAX_NAME_LEN - 1
    /// bytes. Another property is INVALID_ARGS.
    /// </summary>
    public static ZxStatus ObjectSetProperty(uint handle, uint property, ReadOnlySpan<byte> value)
    {
        ZxStatus status = Handles.Get(handle, ZxRights.SetProperty, out Dispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        if (property != ZxProperty.Name)
            return ZxStatus.ErrInvalidArgs;
        ObjectNames.Set(dispatcher, value);
        return ZxStatus.Ok;
    }
}
