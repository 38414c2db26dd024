namespace Zircon.Kernel.Ports;

/// <summary>What <see cref="PortDispatcher.QueueInterrupt"/> did.</summary>
internal enum InterruptQueueResult
{
    /// <summary>Queued, or handed to a waiting thread.</summary>
    Queued,

    /// <summary>The interrupt's previous packet is still unread; nothing changed.</summary>
    AlreadyQueued,

    /// <summary>The port has no handles left; the packet was dropped.</summary>
    PortClosed,
}
