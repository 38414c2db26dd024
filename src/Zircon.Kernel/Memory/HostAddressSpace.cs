using Zircon.Kernel.Objects;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Memory;

/// <summary>
/// This process's address space, as seen through the root VMAR: real mmap mappings of the VMOs'
/// memfds. Fixed mappings never replace memory the VMAR did not map (MAP_FIXED_NOREPLACE), so a
/// program cannot clobber the runtime's own memory through <c>zx_vmar_map</c>.
/// </summary>
public sealed class HostAddressSpace : IAddressSpace
{
    // Zircon's x86-64 user address space: [16 MiB, 2^47 - 4 KiB).
    /// <summary>The lowest address of the range the root VMAR describes (16 MiB).</summary>
    public ulong Base => 0x100_0000;

    /// <summary>The size of the range mappings may use, up to the end of the 47-bit user half.</summary>
    public ulong Length => (1UL << 47) - 0x1000 - Base;

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="vmo"/> from <paramref name="vmoOffset"/> at exactly <paramref name="address"/>.</summary>
    public ZxStatus MapFixed(ulong address, VmoDispatcher vmo, ulong vmoOffset, ulong length, MappingPermissions permissions) =>
        HostMappings.Map(vmo.Memory, vmoOffset, length, Has(permissions, MappingPermissions.Read), Has(permissions, MappingPermissions.Write),
            Has(permissions, MappingPermissions.Execute), address, overwrite: false, out _);

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="vmo"/> where the host chooses, aligned to <paramref name="alignment"/>; the address is returned in <paramref name="address"/>.</summary>
    public ZxStatus MapAnywhere(VmoDispatcher vmo, ulong vmoOffset, ulong length, ulong alignment, MappingPermissions permissions, out ulong address)
    {
        if (alignment <= ZxPage.Size)
        {
            return HostMappings.Map(vmo.Memory, vmoOffset, length, Has(permissions, MappingPermissions.Read), Has(permissions, MappingPermissions.Write),
                Has(permissions, MappingPermissions.Execute), fixedAddress: 0, overwrite: false, out address);
        }
        // Reserve enough to find an aligned start, then put the mapping there.
        ZxStatus status = HostMappings.Reserve(length + alignment, out ulong reserved);
        if (status != ZxStatus.Ok)
        {
            address = 0;
            return status;
        }
        ulong aligned = (reserved + alignment - 1) & ~(alignment - 1);
        status = HostMappings.Map(vmo.Memory, vmoOffset, length, Has(permissions, MappingPermissions.Read), Has(permissions, MappingPermissions.Write),
            Has(permissions, MappingPermissions.Execute), aligned, overwrite: true, out address);
        if (aligned > reserved)
            HostMappings.Unmap(reserved, aligned - reserved);
        ulong end = aligned + length;
        if (reserved + length + alignment > end)
            HostMappings.Unmap(end, reserved + length + alignment - end);
        if (status != ZxStatus.Ok)
            HostMappings.Unmap(aligned, length);
        return status;
    }

    /// <summary>Removes the mappings in the range.</summary>
    public ZxStatus Unmap(ulong address, ulong length) => HostMappings.Unmap(address, length);

    private static bool Has(MappingPermissions p, MappingPermissions flag) => (p & flag) != 0;
}
