namespace Zircon.Kernel.Objects;

/// <summary>A resource: the capability to create objects on host facilities (IRQs, hypervisor).</summary>
public sealed class ResourceDispatcher : Dispatcher
{
    /// <summary>A resource of <paramref name="kind"/> covering <paramref name="size"/> units from <paramref name="baseValue"/>.</summary>
    public ResourceDispatcher(ZxResourceKind kind, ulong baseValue, ulong size)
    {
        Kind = kind;
        Base = baseValue;
        Size = size;
    }

    /// <summary>The kind of resource.</summary>
    public ZxResourceKind Kind { get; }

    /// <summary>First number of the range this resource grants (IRQ resources: first line).</summary>
    public ulong Base { get; }

    /// <summary>The number of units (lines, bytes, ports) it covers from its base.</summary>
    public ulong Size { get; }

    /// <inheritdoc/>
    public override ZxObjectType Type => ZxObjectType.Resource;

    /// <inheritdoc/>
    public override ZxRights DefaultRights => ZxDefaultRights.Resource;

    /// <summary>Whether this resource grants <paramref name="kind"/> over [value, value+1). Root grants everything.</summary>
    public bool Grants(ZxResourceKind kind, ulong value) =>
        Kind == ZxResourceKind.Root || (Kind == kind && value >= Base && value - Base < Size);

    /// <summary>Whether this resource is of <paramref name="kind"/> or the root resource.</summary>
    public bool IsKindOrRoot(ZxResourceKind kind) => Kind == ZxResourceKind.Root || Kind == kind;
}
