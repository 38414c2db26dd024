using Zircon.Kernel;

namespace Zircon;

/// <summary>Options of <see cref="Vmo.Create"/> (<c>zx_vmo_create</c>).</summary>
[Flags]
public enum VmoOptions : uint
{
    /// <summary>A VMO of fixed size.</summary>
    None = 0,

    /// <summary><c>ZX_VMO_RESIZABLE</c>.</summary>
    Resizable = ZxVmoOptions.Resizable,
}

/// <summary>
/// A virtual memory object (<c>ZX_OBJ_TYPE_VMO</c>): zero-filled, page-rounded memory that can be
/// read and written through the handle and mapped with <see cref="Vmar.Map"/> (into this process
/// or into a guest's physical address space).
/// </summary>
/// <remarks>
/// Waitable (user signals; <see cref="ZxSignals.VmoZeroChildren"/> is asserted). Default rights:
/// BASIC, READ, WRITE, GET/SET_PROPERTY, MAP, SIGNAL; EXECUTE after <see cref="ReplaceAsExecutable"/>.
/// </remarks>
public sealed class Vmo : WaitableObject<Vmo>
{
    private Vmo(uint handle)
        : base(handle, ownsHandle: true)
    {
    }

    /// <summary><c>zx_vmo_create</c>: <paramref name="size"/> bytes rounded up to whole pages, zero-filled.</summary>
    /// <exception cref="ZxException">OUT_OF_RANGE if too large, INVALID_ARGS for unknown options, NO_MEMORY.</exception>
    public static Vmo Create(ulong size, VmoOptions options = VmoOptions.None)
    {
        ZxException.ThrowIfError(Syscalls.VmoCreate(size, (uint)options, out uint handle), "zx_vmo_create");
        return new Vmo(handle);
    }

    /// <summary>
    /// Takes ownership of a raw VMO handle. On failure the handle is left with the caller.
    /// </summary>
    /// <exception cref="ZxException">BAD_HANDLE, or WRONG_TYPE if it is not a VMO.</exception>
    public static Vmo FromHandle(uint handle)
    {
        CheckAdoptable(handle, ZxObjectType.Vmo);
        return new Vmo(handle);
    }

    /// <summary><c>zx_vmo_get_size</c>: the size in bytes (a whole number of pages). Needs no right.</summary>
    /// <exception cref="ZxException">BAD_HANDLE, WRONG_TYPE.</exception>
    public ulong Size
    {
        get
        {
            ZxException.ThrowIfError(Syscalls.VmoGetSize(Handle, out ulong size), "zx_vmo_get_size");
            return size;
        }
    }

    /// <summary>
    /// <c>zx_vmo_read</c>: fills <paramref name="buffer"/> with the bytes at <paramref name="offset"/>.
    /// Needs ZX_RIGHT_READ.
    /// </summary>
    /// <exception cref="ZxException">OUT_OF_RANGE past the end, ACCESS_DENIED, BAD_HANDLE.</exception>
    public void Read(Span<byte> buffer, ulong offset) =>
        ZxException.ThrowIfError(Syscalls.VmoRead(Handle, buffer, offset), "zx_vmo_read");

    /// <summary>
    /// <c>zx_vmo_write</c>: copies <paramref name="data"/> to <paramref name="offset"/>. Needs
    /// ZX_RIGHT_WRITE.
    /// </summary>
    /// <exception cref="ZxException">OUT_OF_RANGE past the end, ACCESS_DENIED, BAD_HANDLE.</exception>
    public void Write(ReadOnlySpan<byte> data, ulong offset) =>
        ZxException.ThrowIfError(Syscalls.VmoWrite(Handle, data, offset), "zx_vmo_write");

    /// <summary>
    /// <c>zx_vmo_replace_as_executable</c>: consumes this handle (always, even on failure) and returns
    /// a handle to the same VMO with the same rights plus ZX_RIGHT_EXECUTE, so it can be mapped
    /// executable (e.g. guest code). <paramref name="vmex"/> must be a VMEX or the root resource.
    /// </summary>
    /// <exception cref="ZxException">BAD_HANDLE, WRONG_TYPE or ACCESS_DENIED for either handle.</exception>
    public Vmo ReplaceAsExecutable(Resource vmex)
    {
        ArgumentNullException.ThrowIfNull(vmex);
        uint handle = TakeHandleForConsumingCall();
        ZxException.ThrowIfError(Syscalls.VmoReplaceAsExecutable(handle, vmex.Handle, out uint executable), "zx_vmo_replace_as_executable");
        return new Vmo(executable);
    }

    private protected override Vmo Wrap(uint handle) => new(handle);
}
