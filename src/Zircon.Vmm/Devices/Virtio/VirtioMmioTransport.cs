using System.Buffers.Binary;

namespace Zircon.Vmm.Devices.Virtio;

/// <summary>
/// The virtio-mmio version 2 register page (virtio 1.x §4.2.2) of one device, plus zxvm's doorbell
/// page: a write at doorbell offset 4 × q notifies queue q like a QueueNotify write of q.
/// </summary>
/// <remarks>
/// <para>Offers VIRTIO_F_VERSION_1 and the device's features; FEATURES_OK sticks only when the driver
/// accepted a subset of them that includes VERSION_1. Writing 0 to Status resets the device. Used
/// buffers set InterruptStatus bit 0 and raise the interrupt (unless the driver suppressed it with
/// VIRTQ_AVAIL_F_NO_INTERRUPT); a malformed ring sets DEVICE_NEEDS_RESET, sets bit 1 and raises,
/// and no queue is processed until the reset.</para>
/// <para>Threads: register access on the VCPU thread, <see cref="Ring"/> on the device thread,
/// device entry points (console input) on others; one lock (the device lock) serializes all of it,
/// queue processing included. The interrupt is raised after the lock is released.</para>
/// <para>Registers are 32-bit: other sizes or unaligned offsets below 0x100 read 0 and ignore writes.
/// The configuration space (from 0x100) takes 1-, 2-, 4- and 8-byte accesses.</para>
/// </remarks>
public sealed class VirtioMmioTransport : IBusDevice, IDoorbellDevice
{
    /// <summary>"virt" in little-endian.</summary>
    public const uint MagicValue = 0x74726976;

    /// <summary>virtio-mmio version (2: virtio 1.x, no legacy interface).</summary>
    public const uint Version = 2;

    /// <summary>zxvm's vendor ID ("VMXZ" in little-endian).</summary>
    public const uint VendorId = 0x5A584D56;

    /// <summary>QueueNumMax of every queue.</summary>
    public const int QueueSizeMax = 256;

    /// <summary>Offset of the device configuration space.</summary>
    public const ulong ConfigOffset = 0x100;

    /// <summary>Size of the register page (and of the doorbell page).</summary>
    public const ulong PageSize = 0x1000;

    // Register offsets (§4.2.2).
    private const ulong RegMagicValue = 0x000;
    private const ulong RegVersion = 0x004;
    private const ulong RegDeviceId = 0x008;
    private const ulong RegVendorId = 0x00C;
    private const ulong RegDeviceFeatures = 0x010;
    private const ulong RegDeviceFeaturesSel = 0x014;
    private const ulong RegDriverFeatures = 0x020;
    private const ulong RegDriverFeaturesSel = 0x024;
    private const ulong RegQueueSel = 0x030;
    private const ulong RegQueueNumMax = 0x034;
    private const ulong RegQueueNum = 0x038;
    private const ulong RegQueueReady = 0x044;
    private const ulong RegQueueNotify = 0x050;
    private const ulong RegInterruptStatus = 0x060;
    private const ulong RegInterruptAck = 0x064;
    private const ulong RegStatus = 0x070;
    private const ulong RegQueueDescLow = 0x080;
    private const ulong RegQueueDescHigh = 0x084;
    private const ulong RegQueueDriverLow = 0x090;
    private const ulong RegQueueDriverHigh = 0x094;
    private const ulong RegQueueDeviceLow = 0x0A0;
    private const ulong RegQueueDeviceHigh = 0x0A4;
    private const ulong RegShmLenLow = 0x0B0;
    private const ulong RegShmLenHigh = 0x0B4;
    private const ulong RegShmBaseLow = 0x0B8;
    private const ulong RegShmBaseHigh = 0x0BC;
    private const ulong RegConfigGeneration = 0x0FC;

    private readonly Lock _lock = new();
    private readonly VirtioDevice _device;
    private readonly IGuestMemory _memory;
    private readonly IInterruptSignal _interrupt;
    private readonly QueueState[] _queues;
    private uint _deviceFeaturesSel;
    private uint _driverFeaturesSel;
    private ulong _driverFeatures;
    private uint _queueSel;
    private uint _status;
    private uint _interruptStatus;
    private uint _configGeneration;
    private bool _raisePending;

    /// <summary>Attaches <paramref name="device"/> to a new transport.</summary>
    /// <param name="device">The device model (attached to one transport only).</param>
    /// <param name="memory">Guest memory holding the virtqueues.</param>
    /// <param name="interrupt">The device's interrupt line.</param>
    public VirtioMmioTransport(VirtioDevice device, IGuestMemory memory, IInterruptSignal interrupt)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(interrupt);
        _device = device;
        _memory = memory;
        _interrupt = interrupt;
        _queues = new QueueState[device.QueueCount];
        for (int i = 0; i < _queues.Length; i++)
        {
            _queues[i] = new QueueState();
        }
        device.Attach(this);
    }

    /// <summary>The device model.</summary>
    public VirtioDevice Device => _device;

    /// <summary>All features offered: VIRTIO_F_VERSION_1 and the device's.</summary>
    public ulong OfferedFeatures => VirtioFeatures.Version1 | _device.DeviceFeatures;

    /// <summary>The device status register.</summary>
    public uint Status
    {
        get { lock (_lock) { return _status; } }
    }

    /// <summary>The InterruptStatus register.</summary>
    public uint InterruptStatus
    {
        get { lock (_lock) { return _interruptStatus; } }
    }

    /// <summary>The features the driver wrote (meaningful once FEATURES_OK is set).</summary>
    public ulong DriverFeatures
    {
        get { lock (_lock) { return _driverFeatures; } }
    }

    /// <inheritdoc />
    public ulong Read(ulong offset, int size)
    {
        if (offset >= ConfigOffset)
        {
            return ReadConfig(offset - ConfigOffset, size);
        }
        if (size != 4 || offset % 4 != 0)
        {
            return 0;
        }
        lock (_lock)
        {
            return ReadRegisterLocked(offset);
        }
    }

    /// <inheritdoc />
    public void Write(ulong offset, int size, ulong value)
    {
        if (offset >= ConfigOffset)
        {
            WriteConfig(offset - ConfigOffset, size, value);
            return;
        }
        if (size != 4 || offset % 4 != 0)
        {
            return;
        }
        EnterLock();
        try
        {
            WriteRegisterLocked(offset, (uint)value);
        }
        finally
        {
            ExitLock();
        }
    }

    /// <summary>A doorbell write at <paramref name="offset"/>: notifies queue offset / 4 (other offsets are ignored).</summary>
    public void Ring(ulong offset)
    {
        if (offset % 4 != 0 || offset / 4 >= (ulong)_queues.Length)
        {
            return;
        }
        EnterLock();
        try
        {
            NotifyQueueLocked((int)(offset / 4));
        }
        finally
        {
            ExitLock();
        }
    }

    internal void EnterLock() => _lock.Enter();

    internal void ExitLock()
    {
        bool raise;
        try
        {
            raise = CollectInterruptsLocked();
        }
        finally
        {
            _lock.Exit();
        }
        if (raise)
        {
            _interrupt.Raise();
        }
    }

    internal Virtqueue? GetActiveQueueLocked(int index)
    {
        if ((uint)index >= (uint)_queues.Length || (_status & VirtioStatus.DriverOk) == 0 || (_status & VirtioStatus.DeviceNeedsReset) != 0)
        {
            return null;
        }
        Virtqueue? queue = _queues[index].Queue;
        return queue is { IsBroken: false } ? queue : null;
    }

    internal void NotifyConfigChangedLocked()
    {
        _configGeneration++;
        if ((_status & VirtioStatus.DriverOk) != 0)
        {
            _interruptStatus |= VirtioInterrupt.ConfigurationChange;
            _raisePending = true;
        }
    }

    private ulong ReadConfig(ulong offset, int size)
    {
        if (size is not (1 or 2 or 4 or 8))
        {
            return 0;
        }
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        lock (_lock)
        {
            _device.ReadConfigFromTransport(offset, bytes[..size]);
        }
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    private void WriteConfig(ulong offset, int size, ulong value)
    {
        if (size is not (1 or 2 or 4 or 8))
        {
            return;
        }
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        EnterLock();
        try
        {
            _device.WriteConfigFromTransport(offset, bytes[..size]);
        }
        finally
        {
            ExitLock();
        }
    }

    private uint ReadRegisterLocked(ulong offset)
    {
        QueueState? queue = SelectedQueueLocked();
        switch (offset)
        {
            case RegMagicValue:
                return MagicValue;
            case RegVersion:
                return Version;
            case RegDeviceId:
                return _device.DeviceId;
            case RegVendorId:
                return VendorId;
            case RegDeviceFeatures:
                return _deviceFeaturesSel switch
                {
                    0 => (uint)OfferedFeatures,
                    1 => (uint)(OfferedFeatures >> 32),
                    _ => 0,
                };
            case RegQueueNumMax:
                return queue is null ? 0u : QueueSizeMax;
            case RegQueueNum:
                return queue?.Size ?? 0;
            case RegQueueReady:
                return queue?.Queue is null ? 0u : 1u;
            case RegInterruptStatus:
                return _interruptStatus;
            case RegStatus:
                return _status;
            case RegQueueDescLow:
                return (uint)(queue?.DescriptorTable ?? 0);
            case RegQueueDescHigh:
                return (uint)((queue?.DescriptorTable ?? 0) >> 32);
            case RegQueueDriverLow:
                return (uint)(queue?.DriverRing ?? 0);
            case RegQueueDriverHigh:
                return (uint)((queue?.DriverRing ?? 0) >> 32);
            case RegQueueDeviceLow:
                return (uint)(queue?.DeviceRing ?? 0);
            case RegQueueDeviceHigh:
                return (uint)((queue?.DeviceRing ?? 0) >> 32);
            case RegShmLenLow or RegShmLenHigh or RegShmBaseLow or RegShmBaseHigh:
                return uint.MaxValue; // no shared memory regions: length reads as -1
            case RegConfigGeneration:
                return _configGeneration;
            default:
                return 0;
        }
    }

    private void WriteRegisterLocked(ulong offset, uint value)
    {
        switch (offset)
        {
            case RegDeviceFeaturesSel:
                _deviceFeaturesSel = value;
                break;
            case RegDriverFeatures:
                WriteDriverFeaturesLocked(value);
                break;
            case RegDriverFeaturesSel:
                _driverFeaturesSel = value;
                break;
            case RegQueueSel:
                _queueSel = value;
                break;
            case RegQueueNum or RegQueueDescLow or RegQueueDescHigh or RegQueueDriverLow or RegQueueDriverHigh
                or RegQueueDeviceLow or RegQueueDeviceHigh:
                WriteQueueConfigLocked(offset, value);
                break;
            case RegQueueReady:
                WriteQueueReadyLocked(value);
                break;
            case RegQueueNotify:
                if (value < (uint)_queues.Length)
                {
                    NotifyQueueLocked((int)value);
                }
                break;
            case RegInterruptAck:
                _interruptStatus &= ~value;
                break;
            case RegStatus:
                WriteStatusLocked(value);
                break;
        }
    }

    private void WriteDriverFeaturesLocked(uint value)
    {
        if ((_status & VirtioStatus.FeaturesOk) != 0)
        {
            return; // features are fixed once negotiated
        }
        _driverFeatures = _driverFeaturesSel switch
        {
            0 => SetLow(_driverFeatures, value),
            1 => SetHigh(_driverFeatures, value),
            _ => _driverFeatures,
        };
    }

    private void WriteQueueConfigLocked(ulong offset, uint value)
    {
        QueueState? queue = SelectedQueueLocked();
        if (queue is null || queue.Queue is not null)
        {
            return; // no such queue, or a ready queue (whose layout cannot change)
        }
        switch (offset)
        {
            case RegQueueNum:
                queue.Size = value;
                break;
            case RegQueueDescLow:
                queue.DescriptorTable = SetLow(queue.DescriptorTable, value);
                break;
            case RegQueueDescHigh:
                queue.DescriptorTable = SetHigh(queue.DescriptorTable, value);
                break;
            case RegQueueDriverLow:
                queue.DriverRing = SetLow(queue.DriverRing, value);
                break;
            case RegQueueDriverHigh:
                queue.DriverRing = SetHigh(queue.DriverRing, value);
                break;
            case RegQueueDeviceLow:
                queue.DeviceRing = SetLow(queue.DeviceRing, value);
                break;
            case RegQueueDeviceHigh:
                queue.DeviceRing = SetHigh(queue.DeviceRing, value);
                break;
        }
    }

    private void WriteQueueReadyLocked(uint value)
    {
        QueueState? state = SelectedQueueLocked();
        if (state is null)
        {
            return;
        }
        if (value == 0)
        {
            state.Queue = null;
            return;
        }
        if (state.Queue is null
            && state.Size <= QueueSizeMax
            && Virtqueue.IsValidSize((int)state.Size)
            && Virtqueue.AreValidAddresses(state.DescriptorTable, state.DriverRing, state.DeviceRing))
        {
            state.Queue = new Virtqueue(_memory, (int)state.Size, state.DescriptorTable, state.DriverRing, state.DeviceRing);
        }
        // An invalid layout leaves QueueReady reading 0.
    }

    private void WriteStatusLocked(uint value)
    {
        if (value == 0)
        {
            ResetLocked();
            return;
        }
        uint status = value & 0xFF & ~VirtioStatus.DeviceNeedsReset;
        bool wasFeaturesOk = (_status & VirtioStatus.FeaturesOk) != 0;
        if ((status & VirtioStatus.FeaturesOk) != 0 && !wasFeaturesOk && !AreDriverFeaturesAcceptableLocked())
        {
            status &= ~VirtioStatus.FeaturesOk; // refused: the driver reads FEATURES_OK back as clear
        }
        if ((status & VirtioStatus.FeaturesOk) == 0)
        {
            status &= ~VirtioStatus.DriverOk; // no DRIVER_OK without negotiated features
        }
        bool becameDriverOk = (status & VirtioStatus.DriverOk) != 0 && (_status & VirtioStatus.DriverOk) == 0;
        _status = status | (_status & VirtioStatus.DeviceNeedsReset);
        if (becameDriverOk)
        {
            // Buffers posted (and notifications sent) before DRIVER_OK are picked up now.
            for (int i = 0; i < _queues.Length; i++)
            {
                NotifyQueueLocked(i);
            }
        }
    }

    private bool AreDriverFeaturesAcceptableLocked() =>
        (_driverFeatures & ~OfferedFeatures) == 0 && (_driverFeatures & VirtioFeatures.Version1) != 0;

    private void ResetLocked()
    {
        _status = 0;
        _deviceFeaturesSel = 0;
        _driverFeaturesSel = 0;
        _driverFeatures = 0;
        _queueSel = 0;
        _interruptStatus = 0;
        _raisePending = false;
        foreach (QueueState queue in _queues)
        {
            queue.Clear();
        }
        _device.ResetFromTransport();
    }

    private void NotifyQueueLocked(int index)
    {
        Virtqueue? queue = GetActiveQueueLocked(index);
        if (queue is not null)
        {
            _device.ProcessQueueFromTransport(index, queue);
        }
    }

    private bool CollectInterruptsLocked()
    {
        bool raise = _raisePending;
        _raisePending = false;
        bool anyBroken = false;
        foreach (QueueState state in _queues)
        {
            Virtqueue? queue = state.Queue;
            if (queue is null)
            {
                continue;
            }
            if (queue.TakeInterruptNeeded())
            {
                _interruptStatus |= VirtioInterrupt.UsedBuffer;
                raise = true;
            }
            anyBroken |= queue.IsBroken;
        }
        if (anyBroken && (_status & VirtioStatus.DeviceNeedsReset) == 0)
        {
            _status |= VirtioStatus.DeviceNeedsReset;
            if ((_status & VirtioStatus.DriverOk) != 0)
            {
                _interruptStatus |= VirtioInterrupt.ConfigurationChange;
                raise = true;
            }
        }
        return raise;
    }

    private QueueState? SelectedQueueLocked() => _queueSel < (uint)_queues.Length ? _queues[_queueSel] : null;

    private static ulong SetLow(ulong current, uint low) => (current & 0xFFFF_FFFF_0000_0000UL) | low;

    private static ulong SetHigh(ulong current, uint high) => (current & 0xFFFF_FFFFUL) | ((ulong)high << 32);

    private sealed class QueueState
    {
        public uint Size;
        public ulong DescriptorTable;
        public ulong DriverRing;
        public ulong DeviceRing;
        public Virtqueue? Queue;

        public void Clear()
        {
            Size = 0;
            DescriptorTable = 0;
            DriverRing = 0;
            DeviceRing = 0;
            Queue = null;
        }
    }
}
