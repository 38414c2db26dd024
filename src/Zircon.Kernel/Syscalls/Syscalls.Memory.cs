using Zircon.Kernel.Handles;
using Zircon.Kernel.Objects;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary><c>zx_vmo_create</c>: options 0 or ZX_VMO_RESIZABLE.</summary>
    public static ZxStatus VmoCreate(ulong size, uint options, out uint vmo)
    {
        vmo = ZxHandleValues.Invalid;
        if ((options & ~ZxVmoOptions.Resizable) != 0)
            return ZxStatus.ErrInvalidArgs;
        ZxStatus status = VmoDispatcher.Create(size, options, out VmoDispatcher? created);
        if (status != ZxStatus.Ok)
            return status;
        return Handles.Add(created!, created!.DefaultRights, out vmo);
    }

    /// <summary><c>zx_vmo_read</c>: needs READ.</summary>
    public static ZxStatus VmoRead(uint vmo, Span<byte> buffer, ulong offset)
    {
        ZxStatus status = Handles.Get(vmo, ZxRights.Read, out VmoDispatcher dispatcher);
        return status != ZxStatus.Ok ? status : dispatcher.Read(buffer, offset);
    }

    /// <summary><c>zx_vmo_write</c>: needs WRITE.</summary>
    public static ZxStatus VmoWrite(uint vmo, ReadOnlySpan<byte> buffer, ulong offset)
    {
        ZxStatus status = Handles.Get(vmo, ZxRights.Write, out VmoDispatcher dispatcher);
        return status != ZxStatus.Ok ? status : dispatcher.Write(buffer, offset);
    }

    /// <summary><c>zx_vmo_get_size</c>: no right needed.</summary>
    public static ZxStatus VmoGetSize(uint vmo, out ulong size)
    {
        size = 0;
        ZxStatus status = Handles.Get(vmo, ZxRights.None, out VmoDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        size = dispatcher.Size;
        return ZxStatus.Ok;
    }

    /// <summary>
    /// <c>zx_vmo_replace_as_executable</c>: <paramref name="vmex"/> must be a VMEX or root resource
    /// (ZX_HANDLE_INVALID is accepted, as job policy allowed in the target era). The VMO handle is
    /// consumed whenever it was valid.
    /// </summary>
    public static ZxStatus VmoReplaceAsExecutable(uint vmo, uint vmex, out uint result)
    {
        result = ZxHandleValues.Invalid;
        ZxStatus vmexStatus = ZxStatus.Ok;
        if (vmex != ZxHandleValues.Invalid)
        {
            vmexStatus = Handles.Get(vmex, ZxRights.None, out ResourceDispatcher resource);
            if (vmexStatus == ZxStatus.Ok && !resource.IsKindOrRoot(ZxResourceKind.Vmex))
                vmexStatus = ZxStatus.ErrAccessDenied;
        }
        ZxStatus status = Handles.Get(vmo, ZxRights.None, out VmoDispatcher _, out Handle entry);
        if (status != ZxStatus.Ok)
            return status;
        if (vmexStatus != ZxStatus.Ok)
        {
            Handles.Close(vmo);
            return vmexStatus;
        }
        return Handles.Replace(entry, entry.Rights | ZxRights.Execute, out result);
    }

    /// <summary><c>zx_vmar_root_self</c>: the process's root VMAR handle (the same value every call).</summary>
    public static uint VmarRootSelf() => KernelContext.RootVmar;

    /// <summary><c>zx_vmar_map</c>: VMO needs MAP plus READ/WRITE/EXECUTE for the permissions asked; the VMAR likewise.</summary>
    public static ZxStatus VmarMap(uint vmar, uint options, ulong vmarOffset, uint vmo, ulong vmoOffset, ulong length, out ulong mappedAddress)
    {
        mappedAddress = 0;
        ZxStatus status = Handles.Get(vmar, ZxRights.None, out VmarDispatcher vmarDispatcher, out Handle vmarHandle);
        if (status != ZxStatus.Ok)
            return status;
        status = Handles.Get(vmo, ZxRights.None, out VmoDispatcher vmoDispatcher, out Handle vmoHandle);
        if (status != ZxStatus.Ok)
            return status;
        return vmarDispatcher.Map(options, vmarOffset, vmoDispatcher, vmoHandle.Rights, vmarHandle.Rights, vmoOffset, length, out mappedAddress);
    }

    /// <summary><c>zx_vmar_unmap</c>: no right needed beyond a valid VMAR handle.</summary>
    public static ZxStatus VmarUnmap(uint vmar, ulong address, ulong length)
    {
        ZxStatus status = Handles.Get(vmar, ZxRights.None, out VmarDispatcher dispatcher);
        return status != ZxStatus.Ok ? status : dispatcher.Unmap(address, length);
    }
}
