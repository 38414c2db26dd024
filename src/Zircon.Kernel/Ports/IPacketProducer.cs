namespace Zircon.Kernel.Ports;

/// <summary>
/// A kernel-side source of port packets that are not user packets (a wait_async registration, a
/// guest trap). It is remembered with each packet it queues so the packet can be found again
/// (port_cancel, trap teardown), and it hears when a waiter took one (trap packet budgets).
/// </summary>
internal interface IPacketProducer
{
    /// <summary>A packet this producer queued was handed to a waiter. Called without the port lock.</summary>
    void OnPacketDelivered();
}
