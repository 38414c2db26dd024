using Zircon.Kernel;

namespace Zircon;

/// <summary>
/// A guest: a virtual machine whose physical memory is reached through <see cref="PhysicalMemory"/>
/// (the VMAR <c>zx_guest_create</c> returns), with traps and VCPUs. Dispose closes both handles.
/// </summary>
public sealed class Guest : ZxObject<Guest>
{
    private Guest(uint handle, Vmar? physicalMemory)
        : base(handle, ownsHandle: true) => PhysicalMemory = physicalMemory;

    /// <summary>
    /// The guest-physical address space, [0, 2^48). Mapping a VMO at offset X with
    /// <see cref="VmOptions.Specific"/> makes its bytes appear at guest-physical X. Null on
    /// instances made by <see cref="ZxObject{TSelf}.Duplicate"/>, <see cref="ZxObject{TSelf}.Replace"/> or
    /// <see cref="FromHandle"/>. Disposing the guest disposes it too.
    /// </summary>
    public Vmar? PhysicalMemory { get; }

    /// <summary>
    /// <c>zx_guest_create(resource, 0, &amp;guest, &amp;vmar)</c>. <paramref name="resource"/> must be the
    /// root (<see cref="Resource.Root"/>) or a hypervisor resource.
    /// </summary>
    /// <exception cref="ZxException">
    /// NOT_SUPPORTED when the host cannot run guests (no usable /dev/kvm); ACCESS_DENIED for a
    /// resource of another kind; WRONG_TYPE, BAD_HANDLE.
    /// </exception>
    public static Guest Create(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ZxException.ThrowIfError(Syscalls.GuestCreate(resource.Handle, 0, out uint guest, out uint vmar), "zx_guest_create");
        return new Guest(guest, Vmar.FromHandle(vmar));
    }

    /// <summary>As <see cref="Create"/>, returning the status instead of throwing (NOT_SUPPORTED without KVM).</summary>
    public static ZxStatus TryCreate(Resource resource, out Guest? guest)
    {
        ArgumentNullException.ThrowIfNull(resource);
        guest = null;
        ZxStatus status = Syscalls.GuestCreate(resource.Handle, 0, out uint handle, out uint vmar);
        if (status == ZxStatus.Ok)
            guest = new Guest(handle, Vmar.FromHandle(vmar));
        return status;
    }

    /// <summary>Takes ownership of a raw guest handle (without its VMAR).</summary>
    /// <exception cref="ZxException">BAD_HANDLE, or WRONG_TYPE if it is not a guest.</exception>
    public static Guest FromHandle(uint handle)
    {
        CheckAdoptable(handle, ZxObjectType.Guest);
        return new Guest(handle, null);
    }

    /// <summary>Project extension: the most processors <see cref="DeclareProcessors"/> accepts: Zircon's 64, or the host hypervisor's lower limit.</summary>
    public int MaxProcessors
    {
        get
        {
            ZxException.ThrowIfError(Syscalls.GuestMaxProcessors(Handle, out uint max), "zx_guest_max_processors");
            return (int)max;
        }
    }

    /// <summary>
    /// Project extension: the machine has <paramref name="count"/> processors, ids 0..count-1. The
    /// guest starts the others itself with INIT and STARTUP IPIs; each STARTUP makes a VCPU's
    /// <see cref="Vcpu.Resume()"/> return a <see cref="ZxPacketType.GuestVcpu"/> packet of type
    /// <see cref="ZxPacketGuestVcpu.TypeStartup"/> (the processor's id and entry), and the VMM then
    /// creates that VCPU with <see cref="Vcpu.Create"/> on a thread of its own. Needs MANAGE_PROCESS.
    /// </summary>
    /// <exception cref="ZxException">OUT_OF_RANGE outside 1..<see cref="MaxProcessors"/>; BAD_STATE if already declared; ACCESS_DENIED.</exception>
    public void DeclareProcessors(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ZxException.ThrowIfError(Syscalls.GuestDeclareProcessors(Handle, (uint)count), "zx_guest_declare_processors");
    }

    /// <summary>
    /// <c>zx_guest_set_trap(guest, ZX_GUEST_TRAP_BELL, address, size, port, key)</c>: guest writes to
    /// the page-aligned range queue a <see cref="ZxPacketType.GuestBell"/> packet on
    /// <paramref name="port"/> and the VCPU keeps running. Needs WRITE on the guest and the port.
    /// </summary>
    /// <exception cref="ZxException">INVALID_ARGS (alignment, size 0), ALREADY_EXISTS (overlap), OUT_OF_RANGE, ACCESS_DENIED.</exception>
    public void SetBellTrap(ulong address, ulong size, Port port, ulong key)
    {
        ArgumentNullException.ThrowIfNull(port);
        ZxException.ThrowIfError(Syscalls.GuestSetTrap(Handle, (uint)ZxGuestTrap.Bell, address, size, port.Handle, key), "zx_guest_set_trap(BELL)");
    }

    /// <summary>
    /// <c>zx_guest_set_trap(guest, ZX_GUEST_TRAP_MEM, address, size, ZX_HANDLE_INVALID, key)</c>: any
    /// access to the page-aligned range stops the VCPU, and <see cref="Vcpu.Resume()"/> returns a
    /// <see cref="ZxPacketType.GuestMem"/> packet. Needs WRITE on the guest.
    /// </summary>
    /// <exception cref="ZxException">INVALID_ARGS (alignment, size 0), ALREADY_EXISTS (overlap), OUT_OF_RANGE, ACCESS_DENIED.</exception>
    public void SetMemoryTrap(ulong address, ulong size, ulong key) =>
        ZxException.ThrowIfError(Syscalls.GuestSetTrap(Handle, (uint)ZxGuestTrap.Mem, address, size, ZxHandleValues.Invalid, key), "zx_guest_set_trap(MEM)");

    /// <summary>
    /// <c>zx_guest_set_trap(guest, ZX_GUEST_TRAP_IO, port, count, ZX_HANDLE_INVALID, key)</c>: IN/OUT
    /// on ports [<paramref name="port"/>, port + <paramref name="count"/>) stop the VCPU, and
    /// <see cref="Vcpu.Resume()"/> returns a <see cref="ZxPacketType.GuestIo"/> packet.
    /// </summary>
    /// <exception cref="ZxException">OUT_OF_RANGE past port 0xFFFE, INVALID_ARGS (count 0), ALREADY_EXISTS, ACCESS_DENIED.</exception>
    public void SetIoTrap(ushort port, ushort count, ulong key) =>
        ZxException.ThrowIfError(Syscalls.GuestSetTrap(Handle, (uint)ZxGuestTrap.Io, port, count, ZxHandleValues.Invalid, key), "zx_guest_set_trap(IO)");

    private protected override void DisposeOwnedObjects() => PhysicalMemory?.Dispose();

    private protected override Guest Wrap(uint handle) => new(handle, null);
}
