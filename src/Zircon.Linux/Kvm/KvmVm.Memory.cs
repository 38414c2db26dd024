namespace Zircon.Linux.Kvm;

public sealed unsafe partial class KvmVm
{
    private const ulong PageMask = 0xFFF;

    // Slot numbers in use; KVM_SET_USER_MEMORY_REGION addresses regions by slot.
    private readonly List<bool> _slotUsed = new();

    /// <summary>
    /// Maps <paramref name="size"/> bytes of this process's memory at <paramref name="hostAddress"/>
    /// into the guest at <paramref name="guestPhysicalAddress"/> (KVM_SET_USER_MEMORY_REGION in a free
    /// slot). With <paramref name="readOnly"/> guest writes exit as <see cref="KvmExitKind.Mmio"/>.
    /// The caller keeps the host memory mapped until <see cref="UnmapMemory"/>.
    /// </summary>
    /// <returns>
    /// <see cref="ZxStatus.ErrInvalidArgs"/> for unaligned or empty ranges;
    /// <see cref="ZxStatus.ErrAlreadyExists"/> when the range overlaps a mapped slot;
    /// <see cref="ZxStatus.ErrNotSupported"/> for <paramref name="readOnly"/> without KVM_CAP_READONLY_MEM.
    /// </returns>
    public ZxStatus MapMemory(ulong guestPhysicalAddress, ulong size, ulong hostAddress, bool readOnly, out int slot)
    {
        slot = -1;
        if (size == 0 || ((guestPhysicalAddress | size | hostAddress) & PageMask) != 0
            || guestPhysicalAddress + size < guestPhysicalAddress)
            return ZxStatus.ErrInvalidArgs;
        if (readOnly && CheckExtension(KvmCapability.ReadonlyMem) <= 0)
            return ZxStatus.ErrNotSupported;
        lock (_lock)
        {
            int free = _slotUsed.IndexOf(false);
            if (free < 0)
                free = _slotUsed.Count;
            var region = new kvm_userspace_memory_region
            {
                slot = (uint)free,
                flags = readOnly ? KvmConstants.KVM_MEM_READONLY : 0,
                guest_phys_addr = guestPhysicalAddress,
                memory_size = size,
                userspace_addr = hostAddress,
            };
            // SAFETY: region is a local; KVM only records hostAddress, whose lifetime the caller owns.
            ZxStatus status = KvmNative.IoctlRaw(_fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, (nuint)(&region), out _, out int errno);
            if (status != ZxStatus.Ok)
                return errno == 17 ? ZxStatus.ErrAlreadyExists : status; // EEXIST: overlaps another slot
            if (free == _slotUsed.Count)
                _slotUsed.Add(true);
            else
                _slotUsed[free] = true;
            slot = free;
            return ZxStatus.Ok;
        }
    }

    /// <summary>Removes the slot <see cref="MapMemory"/> returned; the guest range then exits as MMIO.</summary>
    public ZxStatus UnmapMemory(int slot)
    {
        lock (_lock)
        {
            if (slot < 0 || slot >= _slotUsed.Count || !_slotUsed[slot])
                return ZxStatus.ErrNotFound;
            // A zero size deletes the slot.
            var region = new kvm_userspace_memory_region { slot = (uint)slot };
            // SAFETY: region is a local of the size the ioctl encodes.
            ZxStatus status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_SET_USER_MEMORY_REGION, &region, out _);
            if (status == ZxStatus.Ok)
                _slotUsed[slot] = false;
            return status;
        }
    }
}
