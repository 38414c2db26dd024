namespace Zircon.Vmm.Devices.Virtio;

/// <summary>
/// virtio-console (device ID 3) with a single port: queue 0 (receiveq) carries host input to the
/// guest, queue 1 (transmitq) guest output to the host. No features (no size, no multiport, no
/// emergency write); the configuration space (cols, rows, max_nr_ports, emerg_wr) reads 0.
/// </summary>
/// <remarks>
/// Host input that finds no posted receive buffer waits in a pending buffer (at most
/// <see cref="MaxPendingInput"/> bytes) until the guest posts some; it survives device resets.
/// The output callback runs under the device lock, so input delivery waits while it blocks.
/// </remarks>
public sealed class VirtioConsole : VirtioDevice
{
    /// <summary>virtio device ID of a console.</summary>
    public const uint DeviceTypeId = 3;

    /// <summary>Index of receiveq (host → guest).</summary>
    public const int ReceiveQueue = 0;

    /// <summary>Index of transmitq (guest → host).</summary>
    public const int TransmitQueue = 1;

    /// <summary>Default bound on input waiting for receive buffers.</summary>
    public const int DefaultMaxPendingInput = 64 * 1024;

    private const int ConfigSize = 12;
    private const int TransmitChunk = 4096;

    private readonly Action<ReadOnlySpan<byte>> _output;
    private readonly byte[] _pending;
    private readonly byte[] _transmitBuffer = new byte[TransmitChunk];
    private int _pendingHead;
    private int _pendingCount;

    /// <summary>Creates a console.</summary>
    /// <param name="output">Receives the guest's transmitted bytes, in order, one buffer at a time.</param>
    /// <param name="maxPendingInput">Bound on host input waiting for receive buffers.</param>
    public VirtioConsole(Action<ReadOnlySpan<byte>> output, int maxPendingInput = DefaultMaxPendingInput)
        : base(DeviceTypeId, queueCount: 2, deviceFeatures: 0, ConfigSize)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingInput, 1);
        _output = output;
        _pending = new byte[maxPendingInput];
    }

    /// <summary>Bound on host input waiting for receive buffers.</summary>
    public int MaxPendingInput => _pending.Length;

    /// <summary>Host input not yet placed in a receive buffer.</summary>
    public int PendingInputCount
    {
        get
        {
            using VirtioDeviceLock scope = EnterLock();
            return _pendingCount;
        }
    }

    /// <summary>
    /// Host input (any thread; the device must be attached): fills posted receive buffers and keeps
    /// the rest pending. Returns how many bytes were taken; the rest did not fit the pending buffer.
    /// </summary>
    public int Receive(ReadOnlySpan<byte> data)
    {
        using VirtioDeviceLock scope = EnterLock();
        int accepted = Math.Min(data.Length, _pending.Length - _pendingCount);
        for (int i = 0; i < accepted; i++)
        {
            _pending[(_pendingHead + _pendingCount) % _pending.Length] = data[i];
            _pendingCount++;
        }
        Virtqueue? receive = GetQueueLocked(ReceiveQueue);
        if (receive is not null)
        {
            FillReceiveBuffersLocked(receive);
        }
        return accepted;
    }

    /// <inheritdoc />
    protected override void ProcessQueueLocked(int queueIndex, Virtqueue queue)
    {
        if (queueIndex == ReceiveQueue)
        {
            FillReceiveBuffersLocked(queue);
        }
        else if (queueIndex == TransmitQueue)
        {
            TransmitLocked(queue);
        }
    }

    private void FillReceiveBuffersLocked(Virtqueue queue)
    {
        while (_pendingCount > 0 && queue.TryPop(out DescriptorChain chain))
        {
            int count = (int)Math.Min(chain.WritableLength, _pendingCount);
            int first = Math.Min(count, _pending.Length - _pendingHead);
            if (!chain.TryWrite(0, _pending.AsSpan(_pendingHead, first))
                || !chain.TryWrite(first, _pending.AsSpan(0, count - first)))
            {
                return; // the queue is broken
            }
            _pendingHead = (_pendingHead + count) % _pending.Length;
            _pendingCount -= count;
            if (!queue.PushUsed(chain, (uint)count))
            {
                return;
            }
        }
    }

    private void TransmitLocked(Virtqueue queue)
    {
        while (queue.TryPop(out DescriptorChain chain))
        {
            for (long offset = 0; offset < chain.ReadableLength;)
            {
                int count = (int)Math.Min(_transmitBuffer.Length, chain.ReadableLength - offset);
                Span<byte> bytes = _transmitBuffer.AsSpan(0, count);
                if (!chain.TryRead(offset, bytes))
                {
                    return; // the queue is broken
                }
                _output(bytes);
                offset += count;
            }
            if (!queue.PushUsed(chain, 0))
            {
                return;
            }
        }
    }
}
