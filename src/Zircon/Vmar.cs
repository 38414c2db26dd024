using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon;

/// <summary>Options of <see cref="Vmar.Map"/> (<c>zx_vm_option_t</c>).</summary>
[Flags]
public enum VmOptions : uint
{
    /// <summary>No options (maps nothing readable; combine with the PERM flags).</summary>
    None = 0,

    /// <summary><c>ZX_VM_PERM_READ</c>.</summary>
    PermRead = ZxVmOptions.PermRead,

    /// <summary><c>ZX_VM_PERM_WRITE</c> (requires <see cref="PermRead"/>).</summary>
    PermWrite = ZxVmOptions.PermWrite,

    /// <summary><c>ZX_VM_PERM_EXECUTE</c> (requires <see cref="PermRead"/> and an executable VMO).</summary>
    PermExecute = ZxVmOptions.PermExecute,

    /// <summary><c>ZX_VM_COMPACT</c>.</summary>
    Compact = ZxVmOptions.Compact,

    /// <summary><c>ZX_VM_SPECIFIC</c>: map exactly at the given VMAR offset.</summary>
    Specific = ZxVmOptions.Specific,

    /// <summary><c>ZX_VM_SPECIFIC_OVERWRITE</c>: map at the given offset, replacing what is there.</summary>
    SpecificOverwrite = ZxVmOptions.SpecificOverwrite,

    /// <summary><c>ZX_VM_CAN_MAP_SPECIFIC</c>.</summary>
    CanMapSpecific = ZxVmOptions.CanMapSpecific,

    /// <summary><c>ZX_VM_CAN_MAP_READ</c>.</summary>
    CanMapRead = ZxVmOptions.CanMapRead,

    /// <summary><c>ZX_VM_CAN_MAP_WRITE</c>.</summary>
    CanMapWrite = ZxVmOptions.CanMapWrite,

    /// <summary><c>ZX_VM_CAN_MAP_EXECUTE</c>.</summary>
    CanMapExecute = ZxVmOptions.CanMapExecute,

    /// <summary><c>ZX_VM_MAP_RANGE</c>.</summary>
    MapRange = ZxVmOptions.MapRange,

    /// <summary><c>ZX_VM_REQUIRE_NON_RESIZABLE</c>.</summary>
    RequireNonResizable = ZxVmOptions.RequireNonResizable,

    /// <summary><c>ZX_VM_ALLOW_FAULTS</c>.</summary>
    AllowFaults = ZxVmOptions.AllowFaults,

    /// <summary><c>ZX_VM_ALIGN_1KB</c>.</summary>
    Align1Kb = ZxVmOptions.Align1Kb,

    /// <summary><c>ZX_VM_ALIGN_4KB</c>.</summary>
    Align4Kb = ZxVmOptions.Align4Kb,

    /// <summary><c>ZX_VM_ALIGN_2MB</c>.</summary>
    Align2Mb = ZxVmOptions.Align2Mb,

    /// <summary><c>ZX_VM_ALIGN_1GB</c>.</summary>
    Align1Gb = ZxVmOptions.Align1Gb,

    /// <summary><c>ZX_VM_ALIGN_4GB</c>.</summary>
    Align4Gb = ZxVmOptions.Align4Gb,

    /// <summary><see cref="PermRead"/> | <see cref="PermWrite"/>: the usual data mapping.</summary>
    ReadWrite = PermRead | PermWrite,
}

/// <summary>
/// A virtual memory address region (<c>ZX_OBJ_TYPE_VMAR</c>): a range of an address space that
/// <see cref="Vmo"/>s are mapped into. <see cref="Root"/> is this process's address space; a guest's
/// physical address space is a VMAR too (returned with the guest). Not waitable.
/// </summary>
/// <remarks>Default rights: DUPLICATE, TRANSFER, INSPECT (a guest's VMAR also READ, WRITE, EXECUTE).</remarks>
public sealed class Vmar : ZxObject<Vmar>
{
    private static Vmar? s_root;

    private Vmar(uint handle, bool ownsHandle)
        : base(handle, ownsHandle)
    {
    }

    /// <summary>
    /// This process's root VMAR (<c>zx_vmar_root_self()</c>): addresses mapped in it are ordinary
    /// pointers of this process. As in Zircon the handle belongs to the process, not to this instance:
    /// disposing it does nothing, and it cannot be released or replaced.
    /// <see cref="ZxObject{TSelf}.Duplicate"/> gives an owned copy.
    /// </summary>
    public static Vmar Root
    {
        get
        {
            Vmar? root = Volatile.Read(ref s_root);
            if (root is not null)
                return root;
            // A race creates two wrappers of the same process-owned handle; both are harmless.
            var created = new Vmar(Syscalls.VmarRootSelf(), ownsHandle: false);
            return Interlocked.CompareExchange(ref s_root, created, null) ?? created;
        }
    }

    /// <summary>
    /// Takes ownership of a raw VMAR handle (for example the guest-physical VMAR that
    /// <c>zx_guest_create</c> returns). On failure the handle is left with the caller.
    /// </summary>
    /// <exception cref="ZxException">BAD_HANDLE, or WRONG_TYPE if it is not a VMAR.</exception>
    public static Vmar FromHandle(uint handle)
    {
        CheckAdoptable(handle, ZxObjectType.Vmar);
        return new Vmar(handle, ownsHandle: true);
    }

    /// <summary>
    /// Whether this VMAR is this process's address space (the same object as <see cref="Root"/>), so
    /// its mapped addresses can be read and written here.
    /// </summary>
    public bool IsProcessAddressSpace => Koid == Root.Koid;

    /// <summary><c>zx_object_get_info(ZX_INFO_VMAR)</c>: the base address and length. Needs ZX_RIGHT_INSPECT.</summary>
    /// <exception cref="ZxException">ACCESS_DENIED, BAD_HANDLE.</exception>
    public ZxInfoVmar GetInfo()
    {
        ZxInfoVmar info = default;
        Span<byte> buffer = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref info, 1));
        ZxException.ThrowIfError(Syscalls.ObjectGetInfo(Handle, ZxInfoTopic.Vmar, buffer, out _, out _), "zx_object_get_info(ZX_INFO_VMAR)");
        return info;
    }

    /// <summary>
    /// <c>zx_vmar_map</c>: maps <paramref name="length"/> bytes of <paramref name="vmo"/> from
    /// <paramref name="vmoOffset"/> and returns the address. <paramref name="vmarOffset"/> must be 0
    /// unless <see cref="VmOptions.Specific"/> or <see cref="VmOptions.SpecificOverwrite"/> is given;
    /// offsets and length are page-aligned. Needs ZX_RIGHT_MAP on the VMO, and for each permission the
    /// matching right on both handles (READ / WRITE / EXECUTE).
    /// </summary>
    /// <exception cref="ZxException">
    /// INVALID_ARGS (alignment, bounds, write without read), ACCESS_DENIED (permissions), NO_MEMORY
    /// (overlap without overwrite), BAD_HANDLE, WRONG_TYPE.
    /// </exception>
    public ulong Map(VmOptions options, ulong vmarOffset, Vmo vmo, ulong vmoOffset, ulong length)
    {
        ArgumentNullException.ThrowIfNull(vmo);
        ZxStatus status = Syscalls.VmarMap(Handle, (uint)options, vmarOffset, vmo.Handle, vmoOffset, length, out ulong address);
        ZxException.ThrowIfError(status, "zx_vmar_map");
        return address;
    }

    /// <summary>
    /// <c>zx_vmar_unmap</c>: removes the mappings in [<paramref name="address"/>,
    /// <paramref name="address"/> + <paramref name="length"/>). Both page-aligned, length non-zero.
    /// Needs no right beyond a valid VMAR handle.
    /// </summary>
    /// <exception cref="ZxException">INVALID_ARGS, NOT_FOUND if nothing is mapped there, BAD_STATE, BAD_HANDLE.</exception>
    public void Unmap(ulong address, ulong length) =>
        ZxException.ThrowIfError(Syscalls.VmarUnmap(Handle, address, length), "zx_vmar_unmap");

    /// <summary>
    /// <c>zx_vmar_map</c> with <paramref name="options"/> at any free address, returned as a
    /// <see cref="VmoMapping"/> that unmaps on dispose (and, in this process's address space, gives a
    /// span over the bytes). Rights as for <see cref="Map"/>.
    /// </summary>
    /// <exception cref="ZxException">As for <see cref="Map"/>.</exception>
    public VmoMapping CreateMapping(Vmo vmo, ulong vmoOffset, ulong length, VmOptions options = VmOptions.ReadWrite)
    {
        ulong address = Map(options, 0, vmo, vmoOffset, length);
        return new VmoMapping(this, address, length, options, IsProcessAddressSpace);
    }

    private protected override Vmar Wrap(uint handle) => new(handle, ownsHandle: true);
}
