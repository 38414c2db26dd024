using System.Runtime.InteropServices;
using Zircon.Kernel.Handles;

namespace Zircon.Kernel;

/// <summary>
/// The raw syscall surface: Zircon's calls with Zircon's semantics, status codes and layouts.
/// Bodies share one shape: reject bad options, look handles up with the right the call needs,
/// call one dispatcher method, return its status. Nothing here throws.
/// </summary>
public static partial class Syscalls
{
    private static HandleTable Handles => KernelContext.Handles;

    /// <summary><c>zx_handle_close</c>: ZX_HANDLE_INVALID is a no-op.</summary>
    public static ZxStatus HandleClose(uint handle) => Handles.Close(handle);

    /// <summary><c>zx_handle_close_many</c>: closes every handle; BAD_HANDLE if any was bad (the rest still close).</summary>
    public static ZxStatus HandleCloseMany(ReadOnlySpan<uint> handles)
    {
        ZxStatus result = ZxStatus.Ok;
        foreach (uint h in handles)
        {
            if (Handles.Close(h) != ZxStatus.Ok)
                result = ZxStatus.ErrBadHandle;
        }
        return result;
    }

    /// <summary><c>zx_handle_duplicate</c>: needs DUPLICATE; rights must be SAME_RIGHTS or a subset.</summary>
    public static ZxStatus HandleDuplicate(uint handle, ZxRights rights, out uint duplicate)
    {
        duplicate = ZxHandleValues.Invalid;
        if (!Handles.TryGet(handle, out Handle source))
            return ZxStatus.ErrBadHandle;
        if (!source.HasRights(ZxRights.Duplicate))
            return ZxStatus.ErrAccessDenied;
        if (!TryNarrow(source.Rights, rights, out ZxRights narrowed))
            return ZxStatus.ErrInvalidArgs;
        return Handles.Add(source.Dispatcher, narrowed, out duplicate);
    }

    /// <summary>
    /// <c>zx_handle_replace</c>: no right needed. Once the handle is found it is consumed, even when
    /// the requested rights are not a subset (then INVALID_ARGS).
    /// </summary>
    public static ZxStatus HandleReplace(uint handle, ZxRights rights, out uint replacement)
    {
        replacement = ZxHandleValues.Invalid;
        if (!Handles.TryGet(handle, out Handle source))
            return ZxStatus.ErrBadHandle;
        if (!TryNarrow(source.Rights, rights, out ZxRights narrowed))
        {
            Handles.Close(handle);
            return ZxStatus.ErrInvalidArgs;
        }
        return Handles.Replace(source, narrowed, out replacement);
    }

    /// <summary><c>zx_object_get_info</c> for ZX_INFO_HANDLE_VALID, ZX_INFO_HANDLE_BASIC, ZX_INFO_VMAR and the project's ZX_INFO_VCPU_FAULT.</summary>
    public static ZxStatus ObjectGetInfo(uint handle, uint topic, Span<byte> buffer, out nuint actual, out nuint available)
    {
        actual = 0;
        available = 0;
        if (!Handles.TryGet(handle, out Handle h))
            return ZxStatus.ErrBadHandle;
        switch (topic)
        {
            case ZxInfoTopic.HandleValid:
                return ZxStatus.Ok;
            case ZxInfoTopic.HandleBasic:
            {
                var info = new ZxInfoHandleBasic
                {
                    Koid = h.Dispatcher.Koid,
                    Rights = h.Rights,
                    Type = h.Dispatcher.Type,
                    RelatedKoid = 0,
                    Props = h.Dispatcher.IsWaitable ? ZxObjectProps.Waitable : ZxObjectProps.None,
                };
                return WriteRecord(info, buffer, out actual, out available);
            }
            case ZxInfoTopic.Vmar:
            {
                if (h.Dispatcher is not Objects.VmarDispatcher vmar)
                    return ZxStatus.ErrWrongType;
                if (!h.HasRights(ZxRights.Inspect))
                    return ZxStatus.ErrAccessDenied;
                var info = new ZxInfoVmar { Base = vmar.Base, Len = vmar.Length };
                return WriteRecord(info, buffer, out actual, out available);
            }
            case ZxInfoTopic.VcpuFault:
            {
                if (h.Dispatcher is not Hypervisor.VcpuDispatcher vcpu)
                    return ZxStatus.ErrWrongType;
                if (!h.HasRights(ZxRights.Inspect))
                    return ZxStatus.ErrAccessDenied;
                return WriteRecord(vcpu.LastFault, buffer, out actual, out available);
            }
            default:
                return ZxStatus.ErrNotSupported;
        }
    }

    private static ZxStatus WriteRecord<T>(in T record, Span<byte> buffer, out nuint actual, out nuint available)
        where T : unmanaged
    {
        available = 1;
        actual = 0;
        if (buffer.Length < Marshal.SizeOf<T>())
            return ZxStatus.ErrBufferTooSmall;
        MemoryMarshal.Write(buffer, in record);
        actual = 1;
        return ZxStatus.Ok;
    }

    private static bool TryNarrow(ZxRights current, ZxRights requested, out ZxRights result)
    {
        if (requested == ZxRights.SameRights)
        {
            result = current;
            return true;
        }
        result = requested;
        return (requested & ~current) == 0;
    }
}
