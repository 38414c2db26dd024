namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// A guest's traps: BELL and MEM share the guest-physical space, IO traps have their own. Ranges
/// within one space never overlap.
/// </summary>
internal sealed class GuestTrapTable
{
    private readonly Lock _lock = new();
    private readonly List<GuestTrap> _memory = new();
    private readonly List<GuestTrap> _io = new();

    /// <summary>Adds a trap; ALREADY_EXISTS if it intersects one in the same space.</summary>
    public ZxStatus Insert(GuestTrap trap)
    {
        List<GuestTrap> space = trap.Kind == ZxGuestTrap.Io ? _io : _memory;
        lock (_lock)
        {
            foreach (GuestTrap existing in space)
            {
                if (existing.Overlaps(trap.Address, trap.Size))
                    return ZxStatus.ErrAlreadyExists;
            }
            space.Add(trap);
            return ZxStatus.Ok;
        }
    }

    /// <summary>The BELL or MEM trap covering a guest-physical address, if any.</summary>
    public GuestTrap? FindMemory(ulong address) => Find(_memory, address);

    /// <summary>The IO trap covering a port, if any.</summary>
    public GuestTrap? FindIo(ushort port) => Find(_io, port);

    /// <summary>Removes every trap, taking their unread packets off their ports.</summary>
    public void Clear()
    {
        List<GuestTrap> all;
        lock (_lock)
        {
            all = [.. _memory, .. _io];
            _memory.Clear();
            _io.Clear();
        }
        foreach (GuestTrap trap in all)
            trap.Remove();
    }

    private GuestTrap? Find(List<GuestTrap> space, ulong address)
    {
        lock (_lock)
        {
            foreach (GuestTrap trap in space)
            {
                if (trap.Contains(address))
                    return trap;
            }
            return null;
        }
    }
}
