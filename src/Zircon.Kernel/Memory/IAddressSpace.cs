using Zircon.Kernel.Objects;

namespace Zircon.Kernel.Memory;

/// <summary>
/// What a VMAR maps into: this process's address space (mmap) or a guest's physical address
/// space (KVM memory slots). The VMAR keeps the book of mappings and checks the rules; the space
/// only makes and removes mappings.
/// </summary>
public interface IAddressSpace
{
    /// <summary>Lowest address of the space.</summary>
    ulong Base { get; }

    /// <summary>Size of the space in bytes.</summary>
    ulong Length { get; }

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="vmo"/> at exactly <paramref name="address"/>, which the VMAR knows is free of its own mappings.</summary>
    ZxStatus MapFixed(ulong address, VmoDispatcher vmo, ulong vmoOffset, ulong length, MappingPermissions permissions);

    /// <summary>
    /// Maps somewhere of the space's choosing (aligned to <paramref name="alignment"/>), or returns
    /// NOT_SUPPORTED so the VMAR picks a free range itself and calls <see cref="MapFixed"/>.
    /// </summary>
    ZxStatus MapAnywhere(VmoDispatcher vmo, ulong vmoOffset, ulong length, ulong alignment, MappingPermissions permissions, out ulong address);

    /// <summary>Removes [address, address+length), which lies inside mappings this space made.</summary>
    ZxStatus Unmap(ulong address, ulong length);
}
