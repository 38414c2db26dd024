namespace Zircon.Kernel.Ports;

/// <summary>
/// Someone blocked on a port. The port hands a packet (or a final status) to the waiter under its
/// lock, unlinks it, and calls <see cref="Wake"/> after releasing the lock.
/// </summary>
internal abstract class PortWaiter
{
    internal PortWaiter? Next;
    internal PortWaiter? Previous;
    internal bool Linked;

    /// <summary>The packet handed over (valid when <see cref="Status"/> is OK).</summary>
    internal ZxPortPacket Packet;

    internal ZxStatus Status;

    /// <summary>Called once, without the port lock, after <see cref="Packet"/>/<see cref="Status"/> were set.</summary>
    internal abstract void Wake();
}
