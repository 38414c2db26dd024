using Zircon.Kernel.Handles;
using Zircon.Kernel.Signals;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Ports;

/// <summary>
/// A <c>zx_object_wait_async</c> registration: one-shot; when the object's signals match, one
/// ZX_PKT_TYPE_SIGNAL_ONE packet goes to the port and the registration is gone.
/// </summary>
internal sealed class PortObserver : SignalObserver, IPacketProducer
{
    private readonly uint _options;

    public PortObserver(Dispatcher obj, Handle handle, PortDispatcher port, ulong key, ZxSignals trigger, uint options)
        : base(handle, trigger)
    {
        Object = obj;
        Port = port;
        Key = key;
        _options = options;
    }

    /// <summary>The object being watched.</summary>
    public Dispatcher Object { get; }

    public PortDispatcher Port { get; }

    public ulong Key { get; }

    public override bool OnMatch(ZxSignals current)
    {
        var packet = new ZxPortPacket { Key = Key, Type = ZxPacketType.SignalOne, Status = ZxStatus.Ok };
        packet.Signal.Trigger = Trigger;
        packet.Signal.Observed = current;
        packet.Signal.Count = 1;
        packet.Signal.Timestamp = (_options & ZxWaitAsyncOptions.Timestamp) != 0 ? MonotonicClock.Now() : 0;
        Port.ForgetObserver(this);
        Port.QueueFromProducer(packet, this);
        return true;
    }

    public override void OnHandleClosed(ZxSignals current) => Port.ForgetObserver(this);

    public void OnPacketDelivered()
    {
    }
}
