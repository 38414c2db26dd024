namespace Zircon.Vmm.Devices.Virtio;

/// <summary>
/// The held device lock of a virtio device (from <c>VirtioDevice.EnterLock</c>); use it in a
/// <c>using</c> statement. Disposing releases the lock and then raises any interrupt the work earned.
/// </summary>
public ref struct VirtioDeviceLock
{
    private VirtioMmioTransport? _transport;

    internal VirtioDeviceLock(VirtioMmioTransport transport)
    {
        transport.EnterLock();
        _transport = transport;
    }

    /// <summary>Releases the lock and raises pending interrupts.</summary>
    public void Dispose()
    {
        VirtioMmioTransport? transport = _transport;
        _transport = null;
        transport?.ExitLock();
    }
}
