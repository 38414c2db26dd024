using Zircon.Kernel.Memory;

namespace Zircon.Kernel.Objects;

/// <summary>
/// A virtual memory address region: a range of an address space (this process's, or a guest's
/// physical one) into which VMOs are mapped. It keeps the book of its mappings, so unmapping only
/// ever touches what was mapped through it.
/// </summary>
public sealed class VmarDispatcher : Dispatcher
{
    private const uint SupportedOptions = ZxVmOptions.PermRead | ZxVmOptions.PermWrite | ZxVmOptions.PermExecute
        | ZxVmOptions.Specific | ZxVmOptions.SpecificOverwrite | ZxVmOptions.MapRange | ZxVmOptions.RequireNonResizable
        | ZxVmOptions.AllowFaults | ZxVmOptions.AlignMask;

    private readonly Lock _lock = new();
    private readonly SortedList<ulong, Mapping> _mappings = new();
    private readonly IAddressSpace _space;

    private sealed record Mapping(ulong Address, ulong Length, VmoDispatcher Vmo, ulong VmoOffset, MappingPermissions Permissions);

    /// <summary>A VMAR over <paramref name="space"/> whose handles get <paramref name="rights"/>.</summary>
    public VmarDispatcher(IAddressSpace space, ZxRights rights)
    {
        _space = space;
        DefaultRights = rights;
    }

    /// <inheritdoc/>
    public override ZxObjectType Type => ZxObjectType.Vmar;

    /// <inheritdoc/>
    public override ZxRights DefaultRights { get; }

    /// <summary>The VMAR's base address.</summary>
    public ulong Base => _space.Base;

    /// <summary>The VMAR's length in bytes.</summary>
    public ulong Length => _space.Length;

    /// <summary>
    /// <c>zx_vmar_map</c> once handles are checked. <paramref name="vmarRights"/> and
    /// <paramref name="vmoRights"/> are the rights of the handles used.
    /// </summary>
    public ZxStatus Map(uint options, ulong vmarOffset, VmoDispatcher vmo, ZxRights vmoRights, ZxRights vmarRights, ulong vmoOffset, ulong length,
        out ulong mappedAddress)
    {
        mappedAddress = 0;
        if ((options & ~SupportedOptions) != 0)
            return ZxStatus.ErrInvalidArgs;
        ZxStatus status = ParsePermissions(options, vmoRights, vmarRights, out MappingPermissions permissions);
        if (status != ZxStatus.Ok)
            return status;
        status = ParseAlignment(options, out ulong alignment);
        if (status != ZxStatus.Ok)
            return status;
        bool specific = (options & (ZxVmOptions.Specific | ZxVmOptions.SpecificOverwrite)) != 0;
        if (!specific && vmarOffset != 0)
            return ZxStatus.ErrInvalidArgs;
        if (length == 0 || !IsPageAligned(length) || !IsPageAligned(vmoOffset) || !IsPageAligned(vmarOffset))
            return ZxStatus.ErrInvalidArgs;
        if ((options & ZxVmOptions.RequireNonResizable) != 0 && vmo.IsResizable)
            return ZxStatus.ErrNotSupported;
        // Mapping past the end of a memfd would SIGBUS the host on access; refuse it up front.
        if (!vmo.InRange(vmoOffset, length))
            return ZxStatus.ErrOutOfRange;

        lock (_lock)
        {
            if (specific)
            {
                if (vmarOffset > Length || length > Length - vmarOffset)
                    return ZxStatus.ErrInvalidArgs;
                ulong address = Base + vmarOffset;
                if (Overlaps(address, length))
                {
                    if ((options & ZxVmOptions.SpecificOverwrite) == 0)
                        return ZxStatus.ErrNoMemory;
                    status = UnmapLocked(address, length);
                    if (status != ZxStatus.Ok)
                        return status;
                }
                status = _space.MapFixed(address, vmo, vmoOffset, length, permissions);
                if (status != ZxStatus.Ok)
                    return status;
                mappedAddress = address;
            }
            else
            {
                status = _space.MapAnywhere(vmo, vmoOffset, length, alignment, permissions, out mappedAddress);
                if (status == ZxStatus.ErrNotSupported)
                {
                    if (!TryFindFreeLocked(length, alignment, out mappedAddress))
                        return ZxStatus.ErrNoMemory;
                    status = _space.MapFixed(mappedAddress, vmo, vmoOffset, length, permissions);
                }
                if (status != ZxStatus.Ok)
                    return status;
            }
            _mappings.Add(mappedAddress, new Mapping(mappedAddress, length, vmo, vmoOffset, permissions));
            return ZxStatus.Ok;
        }
    }

    /// <summary><c>zx_vmar_unmap</c>: removes every mapping part inside the range; NOT_FOUND if there is none.</summary>
    public ZxStatus Unmap(ulong address, ulong length)
    {
        if (length == 0 || !IsPageAligned(address) || !IsPageAligned(length))
            return ZxStatus.ErrInvalidArgs;
        if (address < Base || address - Base > Length || length > Length - (address - Base))
            return ZxStatus.ErrInvalidArgs;
        lock (_lock)
        {
            if (!Overlaps(address, length))
                return ZxStatus.ErrNotFound;
            return UnmapLocked(address, length);
        }
    }

    private ZxStatus UnmapLocked(ulong address, ulong length)
    {
        ulong end = address + length;
        var affected = new List<Mapping>();
        foreach (Mapping m in _mappings.Values)
        {
            if (m.Address < end && address < m.Address + m.Length)
                affected.Add(m);
        }
        foreach (Mapping m in affected)
        {
            ulong cutStart = Math.Max(m.Address, address);
            ulong cutEnd = Math.Min(m.Address + m.Length, end);
            ZxStatus status = _space.Unmap(cutStart, cutEnd - cutStart);
            if (status != ZxStatus.Ok)
                return status;
            _mappings.Remove(m.Address);
            // Keep what is left on either side of the cut as its own mapping.
            if (cutStart > m.Address)
                _mappings.Add(m.Address, m with { Length = cutStart - m.Address });
            ulong mEnd = m.Address + m.Length;
            if (cutEnd < mEnd)
                _mappings.Add(cutEnd, m with { Address = cutEnd, Length = mEnd - cutEnd, VmoOffset = m.VmoOffset + (cutEnd - m.Address) });
        }
        return ZxStatus.Ok;
    }

    private bool Overlaps(ulong address, ulong length)
    {
        ulong end = address + length;
        foreach (Mapping m in _mappings.Values)
        {
            if (m.Address < end && address < m.Address + m.Length)
                return true;
        }
        return false;
    }

    private bool TryFindFreeLocked(ulong length, ulong alignment, out ulong address)
    {
        ulong candidate = AlignUp(Base, alignment);
        foreach (Mapping m in _mappings.Values)
        {
            if (candidate + length <= m.Address)
                break;
            candidate = Math.Max(candidate, AlignUp(m.Address + m.Length, alignment));
        }
        address = candidate;
        return candidate - Base <= Length && length <= Length - (candidate - Base);
    }

    private static ZxStatus ParsePermissions(uint options, ZxRights vmoRights, ZxRights vmarRights, out MappingPermissions permissions)
    {
        permissions = MappingPermissions.None;
        bool read = (options & ZxVmOptions.PermRead) != 0;
        bool write = (options & ZxVmOptions.PermWrite) != 0;
        bool execute = (options & ZxVmOptions.PermExecute) != 0;
        if ((write || execute) && !read)
            return ZxStatus.ErrInvalidArgs;
        if ((vmoRights & ZxRights.Map) == 0)
            return ZxStatus.ErrAccessDenied;
        if (read && ((vmoRights & ZxRights.Read) == 0 || (vmarRights & ZxRights.Read) == 0))
            return ZxStatus.ErrAccessDenied;
        if (write && ((vmoRights & ZxRights.Write) == 0 || (vmarRights & ZxRights.Write) == 0))
            return ZxStatus.ErrAccessDenied;
        if (execute && ((vmoRights & ZxRights.Execute) == 0 || (vmarRights & ZxRights.Execute) == 0))
            return ZxStatus.ErrAccessDenied;
        permissions = (read ? MappingPermissions.Read : 0) | (write ? MappingPermissions.Write : 0) | (execute ? MappingPermissions.Execute : 0);
        return ZxStatus.Ok;
    }

    private static ZxStatus ParseAlignment(uint options, out ulong alignment)
    {
        uint log2 = (options & ZxVmOptions.AlignMask) >> ZxVmOptions.AlignBase;
        alignment = ZxPage.Size;
        if (log2 == 0)
            return ZxStatus.Ok;
        if (log2 < 10 || log2 > 32)
            return ZxStatus.ErrInvalidArgs;
        alignment = Math.Max(ZxPage.Size, 1UL << (int)log2);
        return ZxStatus.Ok;
    }

    private static bool IsPageAligned(ulong value) => (value & (ZxPage.Size - 1)) == 0;

    private static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
