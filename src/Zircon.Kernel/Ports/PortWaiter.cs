namespace Zircon.Kernel.Ports;

/// <summary>
/// Someone blocked on a port. The port hands a packet (or a final status) to the waiter under its
/// lock, unlinks it, and calls <see cref="Wake"/> after releasing the lock.
/// </summary>
internal abstract class PortWaiter
{
    /// <summary>Its place in the port's FIFO of waiters (guarded by the port's lock).</summary>
    internal IntrusiveLinks<PortWaiter> Links;

    /// <summary>Still in the port's list of waiters (read under the port's lock).</summary>
    internal bool Linked => Links.Linked;

    /// <summary>The port's list of waiters goes through <see cref="Links"/>.</summary>
    internal struct LinksOf : IIntrusiveLinksOf<PortWaiter>
    {
        public readonly ref IntrusiveLinks<PortWaiter> Of(PortWaiter node) => ref node.Links;
    }

    /// <summary>The packet handed over (valid when <see cref="Status"/> is OK).</summary>
    internal ZxPortPacket Packet;

    internal ZxStatus Status;

    /// <summary>Called once, without the port lock, after <see cref="Packet"/>/<see cref="Status"/> were set.</summary>
    internal abstract void Wake();
}
