using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Plumbing;

/// <summary>
/// The device thread: waits on one port for GUEST_BELL packets from the doorbell pages' BELL traps
/// (key = device index) and rings the device — the guest's VCPU never stops for a notification.
/// </summary>
public sealed class DoorbellServer : IDisposable
{
    private const ulong StopKey = ulong.MaxValue;
    private readonly Port _port = Port.Create();
    private readonly List<(ulong Base, IDoorbellDevice Device)> _devices = new();
    private readonly Action<string> _onFault;
    private readonly Action<string>? _trace;
    private Thread? _thread;

    /// <param name="onFault">Told when a device fails while serving a doorbell (the machine stops).</param>
    /// <param name="trace">Receives one line per doorbell when tracing.</param>
    public DoorbellServer(Action<string> onFault, Action<string>? trace = null)
    {
        _onFault = onFault;
        _trace = trace;
    }

    /// <summary>The port the BELL traps queue to.</summary>
    public Port Port => _port;

    /// <summary>Registers a device whose doorbell page starts at <paramref name="doorbellBase"/>; returns its trap key.</summary>
    public ulong Add(ulong doorbellBase, IDoorbellDevice device)
    {
        _devices.Add((doorbellBase, device));
        return (ulong)(_devices.Count - 1);
    }

    public void Start()
    {
        _thread = new Thread(Serve) { Name = "zxvm-devices", IsBackground = true };
        _thread.Start();
    }

    private void Serve()
    {
        while (true)
        {
            if (_port.TryWait(ZxTime.Infinite, out ZxPortPacket packet) != ZxStatus.Ok)
                return;
            if (packet.Type == ZxPacketType.User && packet.Key == StopKey)
                return;
            if (packet.Type != ZxPacketType.GuestBell || packet.Key >= (ulong)_devices.Count)
                continue;
            (ulong doorbellBase, IDoorbellDevice device) = _devices[(int)packet.Key];
            _trace?.Invoke($"bell 0x{packet.GuestBell.Addr:x} (device {packet.Key}, offset 0x{packet.GuestBell.Addr - doorbellBase:x})");
            try
            {
                device.Ring(packet.GuestBell.Addr - doorbellBase);
            }
            catch (Exception e)
            {
                _onFault($"device failed on a doorbell: {e.GetType().Name}: {e.Message}");
                return;
            }
        }
    }

    public void Dispose()
    {
        if (_thread is not null)
        {
            _port.TryQueue(PortPackets.User(StopKey));
            _thread.Join();
        }
        _port.Dispose();
    }
}
