namespace Zircon.Vmm.Devices.Virtio;

/// <summary>
/// A virtio device model behind a <see cref="VirtioMmioTransport"/>. The transport owns the device
/// lock; every <c>...Locked</c> member runs with it held. A device's own entry points for other
/// threads (host input) take it with <see cref="EnterLock"/>.
/// </summary>
public abstract class VirtioDevice
{
    private readonly byte[] _config;
    private VirtioMmioTransport? _transport;

    /// <summary>Creates a device model.</summary>
    /// <param name="deviceId">virtio device ID (2 block, 3 console, ...).</param>
    /// <param name="queueCount">Number of virtqueues.</param>
    /// <param name="deviceFeatures">Device-specific feature bits offered (the transport adds VIRTIO_F_VERSION_1).</param>
    /// <param name="configSize">Size of the device configuration space, which starts zeroed.</param>
    protected VirtioDevice(uint deviceId, int queueCount, ulong deviceFeatures, int configSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(configSize);
        DeviceId = deviceId;
        QueueCount = queueCount;
        DeviceFeatures = deviceFeatures;
        _config = new byte[configSize];
    }

    /// <summary>The virtio device ID.</summary>
    public uint DeviceId { get; }

    /// <summary>Number of virtqueues.</summary>
    public int QueueCount { get; }

    /// <summary>Device-specific feature bits offered to the driver.</summary>
    public ulong DeviceFeatures { get; }

    /// <summary>The device configuration space (little-endian); devices fill it in their constructor.</summary>
    protected Span<byte> ConfigSpace => _config;

    /// <summary>The transport the device is attached to; throws before attachment.</summary>
    protected VirtioMmioTransport Transport =>
        _transport ?? throw new InvalidOperationException("The virtio device is not attached to a transport.");

    internal void Attach(VirtioMmioTransport transport)
    {
        if (_transport is not null)
        {
            throw new InvalidOperationException("The virtio device is already attached to a transport.");
        }
        _transport = transport;
    }

    // The transport's way in to the protected hooks.
    internal void ProcessQueueFromTransport(int queueIndex, Virtqueue queue) => ProcessQueueLocked(queueIndex, queue);

    internal void ResetFromTransport() => ResetLocked();

    internal void ReadConfigFromTransport(ulong offset, Span<byte> destination) => ReadConfigLocked(offset, destination);

    internal void WriteConfigFromTransport(ulong offset, ReadOnlySpan<byte> source) => WriteConfigLocked(offset, source);

    /// <summary>
    /// Takes the device lock. Disposing the scope sends the interrupts the work under it earned
    /// (used buffers, NEEDS_RESET) after releasing the lock.
    /// </summary>
    protected VirtioDeviceLock EnterLock() => new(Transport);

    /// <summary>
    /// The queue at <paramref name="index"/> when the device may use it (queue ready, DRIVER_OK set,
    /// no NEEDS_RESET); otherwise null.
    /// </summary>
    protected Virtqueue? GetQueueLocked(int index) => Transport.GetActiveQueueLocked(index);

    /// <summary>Signals a device configuration change (ConfigGeneration advances, interrupt bit 1).</summary>
    protected void NotifyConfigChangedLocked() => Transport.NotifyConfigChangedLocked();

    /// <summary>
    /// Processes queue <paramref name="queueIndex"/>: called on a notification (QueueNotify or the
    /// doorbell) and when the driver sets DRIVER_OK, only while the queue is active.
    /// </summary>
    protected abstract void ProcessQueueLocked(int queueIndex, Virtqueue queue);

    /// <summary>The driver reset the device (status 0): forget per-driver state.</summary>
    protected virtual void ResetLocked()
    {
    }

    /// <summary>Reads device configuration bytes; bytes past the configuration space read 0.</summary>
    protected virtual void ReadConfigLocked(ulong offset, Span<byte> destination)
    {
        destination.Clear();
        if (offset < (ulong)_config.Length)
        {
            int start = (int)offset;
            int count = Math.Min(destination.Length, _config.Length - start);
            _config.AsSpan(start, count).CopyTo(destination);
        }
    }

    /// <summary>Writes device configuration bytes; ignored unless a device has writable fields.</summary>
    protected virtual void WriteConfigLocked(ulong offset, ReadOnlySpan<byte> source)
    {
    }
}
