using Zircon.Kernel.Ports;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// One <c>zx_guest_set_trap</c> range. A BELL trap owns a budget of 256 packets on its port, apart
/// from the port's user-packet limit; a VCPU that would exceed it waits until one is read.
/// </summary>
internal sealed class GuestTrap : IPacketProducer
{
    /// <summary>Zircon's kMaxPacketsPerRange.</summary>
    public const int MaxPacketsInFlight = 256;

    // How often a VCPU waiting for budget checks whether the port or the VCPU went away.
    private const int BudgetPollMs = 20;

    private readonly SemaphoreSlim _budget = new(MaxPacketsInFlight, MaxPacketsInFlight);

    public GuestTrap(ZxGuestTrap kind, ulong address, ulong size, PortDispatcher? port, ulong key)
    {
        Kind = kind;
        Address = address;
        Size = size;
        Port = port;
        Key = key;
    }

    public ZxGuestTrap Kind { get; }

    public ulong Address { get; }

    public ulong Size { get; }

    public PortDispatcher? Port { get; }

    public ulong Key { get; }

    public bool Contains(ulong address) => address >= Address && address - Address < Size;

    public bool Overlaps(ulong address, ulong size) => address < Address + Size && Address < address + size;

    /// <summary>
    /// Queues a GUEST_BELL packet for a write at <paramref name="address"/>, waiting for budget if
    /// 256 are unread. BAD_STATE if the port has no handles left (also while waiting: packets that
    /// went with a closed port never give their budget back). CANCELED once <paramref name="abandon"/>
    /// says the VCPU should stop waiting.
    /// </summary>
    public ZxStatus RingBell(ulong address, Func<bool> abandon)
    {
        while (!_budget.Wait(BudgetPollMs))
        {
            if (Port!.HandleCount == 0)
                return ZxStatus.ErrBadState;
            if (abandon())
                return ZxStatus.ErrCanceled;
        }
        var packet = new ZxPortPacket { Key = Key, Type = ZxPacketType.GuestBell, Status = ZxStatus.Ok };
        packet.GuestBell.Addr = address;
        if (Port!.QueueFromProducer(packet, this))
            return ZxStatus.Ok;
        _budget.Release();
        return ZxStatus.ErrBadState;
    }

    public void OnPacketDelivered() => _budget.Release();

    /// <summary>The trap goes away: its unread packets leave the port (user packets with the same key stay).</summary>
    public void Remove()
    {
        if (Port is not null)
        {
            int removed = Port.RemovePackets(this, Key);
            if (removed > 0)
                _budget.Release(removed);
        }
    }
}
