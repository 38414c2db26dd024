using Zircon.Kernel.Handles;
using Zircon.Kernel.Objects;

namespace Zircon.Kernel;

/// <summary>
/// The one Zircon process this .NET process is: its handle table and the root resource handed to
/// it at start (Zircon gives a process its resources through its startup handles; here the
/// library does, see <see cref="RootResource"/>).
/// </summary>
public static class KernelContext
{
    private static readonly Lazy<uint> s_rootResource = new(CreateRootResourceHandle);
    private static readonly Lazy<uint> s_rootVmar = new(CreateRootVmarHandle);

    /// <summary>What guests run on: KVM unless a test installs a fake before creating guests.</summary>
    public static Hypervisor.IHypervisor Hypervisor { get; set; } = new Hypervisor.Kvm.KvmHypervisor();

    /// <summary>The process's handle table.</summary>
    public static HandleTable Handles { get; } = new();

    /// <summary>The handle to the root resource (created on first use; the same value every time).</summary>
    public static uint RootResource => s_rootResource.Value;

    /// <summary>The handle to the root VMAR: this process's address space.</summary>
    public static uint RootVmar => s_rootVmar.Value;

    private static uint CreateRootVmarHandle()
    {
        var vmar = new VmarDispatcher(new Memory.HostAddressSpace(), ZxDefaultRights.Vmar | ZxRights.Read | ZxRights.Write | ZxRights.Execute);
        ZxStatus status = Handles.Add(vmar, vmar.DefaultRights, out uint value);
        if (status != ZxStatus.Ok)
            throw new InvalidOperationException($"cannot create the root VMAR handle: {status.ToZirconName()}");
        return value;
    }

    private static uint CreateRootResourceHandle()
    {
        var resource = new ResourceDispatcher(ZxResourceKind.Root, 0, 0);
        ZxStatus status = Handles.Add(resource, resource.DefaultRights, out uint value);
        if (status != ZxStatus.Ok)
            throw new InvalidOperationException($"cannot create the root resource handle: {status.ToZirconName()}");
        return value;
    }
}
