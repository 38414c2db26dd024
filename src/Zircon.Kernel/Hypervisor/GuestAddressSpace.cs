using Zircon.Kernel.Memory;
using Zircon.Kernel.Objects;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// A guest's physical address space, [0, 2^48): each mapping is the VMO's memfd mapped into this
/// process and handed to the machine as a memory slot, so host and guest share the same pages.
/// Slots cannot shrink, so unmapping part of one replaces it by slots for what remains.
/// </summary>
internal sealed class GuestAddressSpace : IAddressSpace
{
    /// <summary>Zircon's guest-physical address space size on x86 (2^48).</summary>
    public const ulong Size = 1UL << 48;

    private readonly IGuestBackend _machine;
    private readonly Lock _lock = new();
    private readonly List<Region> _regions = new();
    private bool _closed;

    private sealed record Region(ulong GuestPhysical, ulong Length, ulong HostAddress, bool ReadOnly, int Slot);

    public GuestAddressSpace(IGuestBackend machine) => _machine = machine;

    public ulong Base => 0;

    public ulong Length => Size;

    public ZxStatus MapFixed(ulong address, VmoDispatcher vmo, ulong vmoOffset, ulong length, MappingPermissions permissions)
    {
        bool writable = (permissions & MappingPermissions.Write) != 0;
        // The host side is always read/write: the VMM reads and writes guest memory through it.
        ZxStatus status = HostMappings.Map(vmo.Memory, vmoOffset, length, read: true, write: true, execute: false,
            fixedAddress: 0, overwrite: false, out ulong host);
        if (status != ZxStatus.Ok)
            return status;
        lock (_lock)
        {
            // A VMAR handle can outlive its guest; the machine is gone then.
            status = _closed ? ZxStatus.ErrBadState : AddRegionLocked(address, length, host, readOnly: !writable);
        }
        if (status != ZxStatus.Ok)
            HostMappings.Unmap(host, length);
        return status;
    }

    public ZxStatus MapAnywhere(VmoDispatcher vmo, ulong vmoOffset, ulong length, ulong alignment, MappingPermissions permissions, out ulong address)
    {
        address = 0;
        return ZxStatus.ErrNotSupported; // the VMAR picks a free guest-physical range itself
    }

    public ZxStatus Unmap(ulong address, ulong length)
    {
        ulong end = address + length;
        lock (_lock)
        {
            foreach (Region r in _regions.Where(r => r.GuestPhysical < end && address < r.GuestPhysical + r.Length).ToList())
            {
                ZxStatus status = _machine.UnmapMemory(r.Slot);
                if (status != ZxStatus.Ok)
                    return status;
                _regions.Remove(r);
                ulong cutStart = Math.Max(r.GuestPhysical, address);
                ulong cutEnd = Math.Min(r.GuestPhysical + r.Length, end);
                ulong rEnd = r.GuestPhysical + r.Length;
                if (cutStart > r.GuestPhysical)
                    AddRegionLocked(r.GuestPhysical, cutStart - r.GuestPhysical, r.HostAddress, r.ReadOnly);
                if (cutEnd < rEnd)
                    AddRegionLocked(cutEnd, rEnd - cutEnd, r.HostAddress + (cutEnd - r.GuestPhysical), r.ReadOnly);
                HostMappings.Unmap(r.HostAddress + (cutStart - r.GuestPhysical), cutEnd - cutStart);
            }
        }
        return ZxStatus.Ok;
    }

    /// <summary>Copies guest-physical memory into <paramref name="destination"/>; false if any byte is unmapped.</summary>
    public bool TryRead(ulong guestPhysical, Span<byte> destination)
    {
        lock (_lock)
        {
            while (!destination.IsEmpty)
            {
                Region? r = FindLocked(guestPhysical);
                if (r is null)
                    return false;
                ulong offset = guestPhysical - r.GuestPhysical;
                int n = (int)Math.Min((ulong)destination.Length, r.Length - offset);
                HostMappings.AsSpan(r.HostAddress + offset, n).CopyTo(destination);
                destination = destination[n..];
                guestPhysical += (ulong)n;
            }
            return true;
        }
    }

    /// <summary>The machine is gone (its slots with it): unmap the host side of every region.</summary>
    public void ReleaseHostMappings()
    {
        lock (_lock)
        {
            foreach (Region r in _regions)
                HostMappings.Unmap(r.HostAddress, r.Length);
            _regions.Clear();
            _closed = true;
        }
    }

    private ZxStatus AddRegionLocked(ulong guestPhysical, ulong length, ulong host, bool readOnly)
    {
        ZxStatus status = _machine.MapMemory(guestPhysical, length, host, readOnly, out int slot);
        if (status == ZxStatus.Ok)
            _regions.Add(new Region(guestPhysical, length, host, readOnly, slot));
        return status;
    }

    private Region? FindLocked(ulong guestPhysical)
    {
        foreach (Region r in _regions)
        {
            if (guestPhysical >= r.GuestPhysical && guestPhysical - r.GuestPhysical < r.Length)
                return r;
        }
        return null;
    }
}
