using Zircon.Kernel;

namespace Zircon;

/// <summary>
/// A resource (<c>ZX_OBJ_TYPE_RESOURCE</c>): the capability to create objects on host facilities
/// (physical interrupts, guests, executable VMOs). Not waitable.
/// </summary>
/// <remarks>Default rights: TRANSFER, DUPLICATE, WRITE, INSPECT.</remarks>
public sealed class Resource : ZxObject<Resource>
{
    private static Resource? s_root;

    private Resource(uint handle, bool ownsHandle)
        : base(handle, ownsHandle)
    {
    }

    /// <summary>
    /// The root resource this process was given (<c>get_root_resource()</c>); it satisfies every
    /// resource-kind check. The handle belongs to the process, not to this instance: disposing it
    /// does nothing, and it cannot be released or replaced. <see cref="ZxObject{TSelf}.Duplicate"/>
    /// gives an owned copy (for example with fewer rights) to hand out.
    /// </summary>
    public static Resource Root
    {
        get
        {
            Resource? root = Volatile.Read(ref s_root);
            if (root is not null)
                return root;
            // A race creates two wrappers of the same process-owned handle; both are harmless.
            var created = new Resource(Syscalls.GetRootResource(), ownsHandle: false);
            return Interlocked.CompareExchange(ref s_root, created, null) ?? created;
        }
    }

    /// <summary>
    /// Takes ownership of a raw resource handle. On failure the handle is left with the caller.
    /// </summary>
    /// <exception cref="ZxException">BAD_HANDLE, or WRONG_TYPE if it is not a resource.</exception>
    public static Resource FromHandle(uint handle)
    {
        CheckAdoptable(handle, ZxObjectType.Resource);
        return new Resource(handle, ownsHandle: true);
    }

    private protected override Resource Wrap(uint handle) => new(handle, ownsHandle: true);
}
