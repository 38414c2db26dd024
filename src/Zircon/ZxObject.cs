using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon;

/// <summary>
/// A handle to a Zircon kernel object, owned by this .NET object: <see cref="Dispose"/> closes it
/// (<c>zx_handle_close</c>) exactly once, however many threads call it.
/// </summary>
/// <remarks>
/// <para>
/// <b>Why a class with an integer and no finalizer (and not a <see cref="SafeHandle"/>).</b>
/// Zircon's rule is that closing a handle cancels what is in flight on it: a thread blocked in
/// <c>zx_interrupt_wait</c> or <c>zx_object_wait_one</c> wakes with <c>ZX_ERR_CANCELED</c>, and an
/// asynchronous port wait faults. <see cref="SafeHandle"/> reference-counts calls in progress and
/// postpones the close until they return, which turns "close to cancel a blocked wait" into a
/// deadlock. A finalizer has the opposite problem: it can close the handle while a syscall that
/// already read the raw value is still running (the object became unreachable mid-call), and it
/// would close values that were handed to C code or to another owner. Handle values are also
/// generation-counted by the kernel, so a stale value is rejected (<c>ZX_ERR_BAD_HANDLE</c>)
/// instead of reaching an unrelated object. So ownership is explicit and deterministic, as with
/// <c>zx::handle</c> in C++: dispose what you create. A leaked object keeps its handle open until
/// the process exits, just like a leaked <c>zx_handle_t</c>.
/// </para>
/// <para>
/// After <see cref="Dispose"/>, <see cref="ZxObject{TSelf}.Replace"/> or <see cref="Release"/> the object holds
/// <c>ZX_HANDLE_INVALID</c>, and every operation fails the way Zircon does for that value:
/// throwing forms throw <see cref="ZxException"/> with <see cref="ZxStatus.ErrBadHandle"/>,
/// <c>Try*</c> forms return it. There is no separate "disposed" check that could race with the
/// close.
/// </para>
/// <para>
/// A few handles belong to the process rather than to any object (the root VMAR, the root
/// resource). Their instances have <see cref="OwnsHandle"/> false: <see cref="Dispose"/> does
/// nothing, and <see cref="Release"/>/<c>Replace</c> refuse to give the handle away.
/// </para>
/// </remarks>
public abstract partial class ZxObject : IDisposable
{
    private uint _handle;
    private ulong _koid;

    private protected ZxObject(uint handle, bool ownsHandle)
    {
        _handle = handle;
        OwnsHandle = ownsHandle;
    }

    /// <summary>
    /// The raw handle value (<c>zx_handle_t</c>), for passing to the raw syscalls or to C code.
    /// <c>ZX_HANDLE_INVALID</c> (0) once this object no longer holds a handle. The value stays
    /// owned by this object; use <see cref="Release"/> to hand ownership over.
    /// </summary>
    public uint Handle => Volatile.Read(ref _handle);

    /// <summary>Whether this object still holds a handle (it has not been disposed, replaced or released).</summary>
    public bool IsValid => Handle != ZxHandleValues.Invalid;

    /// <summary>
    /// False for the process-owned handles (<see cref="Vmar.Root"/>, <see cref="Resource.Root"/>):
    /// disposing such an instance does not close the handle, and it cannot be released or replaced.
    /// </summary>
    public bool OwnsHandle { get; }

    /// <summary>
    /// The object's kernel object id (<c>zx_info_handle_basic_t.koid</c>). Needs no right. Read once
    /// through <c>zx_object_get_info(ZX_INFO_HANDLE_BASIC)</c>, then cached.
    /// </summary>
    /// <exception cref="ZxException">The handle is no longer valid (<c>ZX_ERR_BAD_HANDLE</c>).</exception>
    public ulong Koid
    {
        get
        {
            ulong koid = Volatile.Read(ref _koid);
            if (koid == ZxKoid.Invalid)
            {
                koid = GetBasicInfo().Koid;
                Volatile.Write(ref _koid, koid);
            }
            return koid;
        }
    }

    /// <summary>
    /// The rights this handle carries (<c>zx_info_handle_basic_t.rights</c>, via
    /// <c>zx_object_get_info(ZX_INFO_HANDLE_BASIC)</c>; needs no right).
    /// </summary>
    /// <exception cref="ZxException">The handle is no longer valid (<c>ZX_ERR_BAD_HANDLE</c>).</exception>
    public ZxRights Rights => GetBasicInfo().Rights;

    /// <summary>
    /// The object type (<c>zx_info_handle_basic_t.type</c>, via
    /// <c>zx_object_get_info(ZX_INFO_HANDLE_BASIC)</c>; needs no right).
    /// </summary>
    /// <exception cref="ZxException">The handle is no longer valid (<c>ZX_ERR_BAD_HANDLE</c>).</exception>
    public ZxObjectType ObjectType => GetBasicInfo().Type;

    /// <summary>
    /// <c>zx_object_get_info(handle, ZX_INFO_HANDLE_BASIC)</c>: koid, rights, type and whether the
    /// object is waitable. Needs no right.
    /// </summary>
    /// <exception cref="ZxException">The handle is no longer valid (<c>ZX_ERR_BAD_HANDLE</c>).</exception>
    public ZxInfoHandleBasic GetBasicInfo()
    {
        ZxException.ThrowIfError(TryGetBasicInfo(Handle, out ZxInfoHandleBasic info), "zx_object_get_info(ZX_INFO_HANDLE_BASIC)");
        return info;
    }

    /// <summary>
    /// <c>zx_handle_close</c>: closes the handle now. Unlike <see cref="Dispose"/> this reports a
    /// failure of the close itself, which only happens if the raw value was closed behind this
    /// object's back. Does nothing for a process-owned handle or an object that holds no handle.
    /// </summary>
    /// <exception cref="ZxException">The kernel did not know the handle (<c>ZX_ERR_BAD_HANDLE</c>).</exception>
    public void Close()
    {
        if (!OwnsHandle)
            return;
        uint handle = Interlocked.Exchange(ref _handle, ZxHandleValues.Invalid);
        if (handle == ZxHandleValues.Invalid)
            return;
        DisposeOwnedObjects();
        ZxException.ThrowIfError(Syscalls.HandleClose(handle), "zx_handle_close");
    }

    /// <summary>
    /// <c>zx_handle_close</c>: closes the handle exactly once; later and concurrent calls do nothing.
    /// Closing cancels waits in progress on this handle. Never throws. Does nothing for a
    /// process-owned handle (<see cref="OwnsHandle"/> false).
    /// </summary>
    public void Dispose()
    {
        if (!OwnsHandle)
            return;
        uint handle = Interlocked.Exchange(ref _handle, ZxHandleValues.Invalid);
        if (handle == ZxHandleValues.Invalid)
            return;
        DisposeOwnedObjects();
        Syscalls.HandleClose(handle);
    }

    /// <summary>
    /// Closes objects that came with this one and belong to it (a guest's physical-memory VMAR),
    /// once, when this object's handle is closed.
    /// </summary>
    private protected virtual void DisposeOwnedObjects()
    {
    }

    /// <summary>
    /// Gives up ownership of the handle and returns its raw value (like <c>zx::handle::release</c>);
    /// the caller must close it (or wrap it again with the type's <c>FromHandle</c>). This object is
    /// left holding <c>ZX_HANDLE_INVALID</c>. No syscall is made.
    /// </summary>
    /// <returns>The raw value, or <c>ZX_HANDLE_INVALID</c> if this object held no handle.</returns>
    /// <exception cref="InvalidOperationException">The handle belongs to the process (<see cref="OwnsHandle"/> false).</exception>
    public uint Release()
    {
        ThrowIfProcessOwned();
        return Interlocked.Exchange(ref _handle, ZxHandleValues.Invalid);
    }

    /// <summary>The type name and the raw handle value, for logs.</summary>
    public override string ToString() => $"{GetType().Name}(0x{Handle:x8})";

    /// <summary>Duplicates the handle and returns the new raw value (needs DUPLICATE).</summary>
    private protected uint DuplicateHandle(ZxRights rights)
    {
        ZxException.ThrowIfError(Syscalls.HandleDuplicate(Handle, rights, out uint duplicate), "zx_handle_duplicate");
        return duplicate;
    }

    /// <summary>Consumes the handle and returns a replacement with <paramref name="rights"/>.</summary>
    private protected uint ReplaceHandle(ZxRights rights)
    {
        ThrowIfProcessOwned();
        uint handle = Interlocked.Exchange(ref _handle, ZxHandleValues.Invalid);
        ZxException.ThrowIfError(Syscalls.HandleReplace(handle, rights, out uint replacement), "zx_handle_replace");
        return replacement;
    }

    /// <summary>
    /// Takes the handle out of this object for a syscall that consumes it (e.g.
    /// <c>zx_vmo_replace_as_executable</c>).
    /// </summary>
    private protected uint TakeHandleForConsumingCall()
    {
        ThrowIfProcessOwned();
        return Interlocked.Exchange(ref _handle, ZxHandleValues.Invalid);
    }

    /// <summary>
    /// Checks that <paramref name="handle"/> is valid and refers to an object of
    /// <paramref name="expected"/> type, before a <c>FromHandle</c> adopts it.
    /// </summary>
    private protected static void CheckAdoptable(uint handle, ZxObjectType expected)
    {
        ZxStatus status = TryGetBasicInfo(handle, out ZxInfoHandleBasic info);
        ZxException.ThrowIfError(status, "zx_object_get_info(ZX_INFO_HANDLE_BASIC)");
        if (info.Type != expected)
            throw new ZxException(ZxStatus.ErrWrongType, $"FromHandle: expected a {expected} handle, got {info.Type}");
    }

    private static ZxStatus TryGetBasicInfo(uint handle, out ZxInfoHandleBasic info)
    {
        info = default;
        Span<byte> buffer = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref info, 1));
        return Syscalls.ObjectGetInfo(handle, ZxInfoTopic.HandleBasic, buffer, out _, out _);
    }

    private void ThrowIfProcessOwned()
    {
        if (!OwnsHandle)
            throw new InvalidOperationException($"{GetType().Name}: this handle belongs to the process and cannot be given away; Duplicate it instead.");
    }
}

/// <summary>
/// An owned handle of a known type: adds the operations that return a new object of the same type.
/// </summary>
/// <typeparam name="TSelf">The concrete handle type (<see cref="Port"/>, <see cref="Event"/>, ...).</typeparam>
public abstract class ZxObject<TSelf> : ZxObject
    where TSelf : ZxObject<TSelf>
{
    private protected ZxObject(uint handle, bool ownsHandle)
        : base(handle, ownsHandle)
    {
    }

    /// <summary>
    /// <c>zx_handle_duplicate</c>: a second, independently owned handle to the same object. Needs
    /// ZX_RIGHT_DUPLICATE. <paramref name="rights"/> must be <see cref="ZxRights.SameRights"/> or a
    /// subset of this handle's rights (else <c>ZX_ERR_INVALID_ARGS</c>).
    /// </summary>
    /// <exception cref="ZxException">ACCESS_DENIED without DUPLICATE, INVALID_ARGS for extra rights, BAD_HANDLE.</exception>
    public TSelf Duplicate(ZxRights rights = ZxRights.SameRights) => Wrap(DuplicateHandle(rights));

    /// <summary>
    /// <c>zx_handle_replace</c>: consumes this object's handle and returns a new object whose handle
    /// has <paramref name="rights"/> (SAME_RIGHTS or a subset). Needs no right. This object is left
    /// empty even when the call fails, as in Zircon (a non-subset request returns INVALID_ARGS and the
    /// original handle is gone).
    /// </summary>
    /// <exception cref="ZxException">INVALID_ARGS for rights not held (the handle is consumed anyway), BAD_HANDLE.</exception>
    /// <exception cref="InvalidOperationException">The handle belongs to the process.</exception>
    public TSelf Replace(ZxRights rights) => Wrap(ReplaceHandle(rights));

    /// <summary>Wraps a freshly obtained raw handle of this type in a new owning object.</summary>
    private protected abstract TSelf Wrap(uint handle);
}
