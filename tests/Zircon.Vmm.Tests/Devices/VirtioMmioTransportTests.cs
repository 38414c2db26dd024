using Zircon.Vmm.Devices.Virtio;

namespace Zircon.Vmm.Tests.Devices;

public sealed class VirtioMmioTransportTests
{
    private const ulong QueueBase = 0x10000;
    private const ulong Buffer = 0x40000;

    private readonly FakeGuestMemory _memory = new(1 << 20);
    private readonly CountingInterrupt _interrupt = new();
    private readonly RecordingDevice _device = new();
    private readonly VirtioMmioTransport _transport;
    private readonly GuestQueue _queue0;
    private readonly GuestQueue _queue1;

    public VirtioMmioTransportTests()
    {
        _transport = new VirtioMmioTransport(_device, _memory, _interrupt);
        _queue0 = new GuestQueue(_memory, 16, QueueBase);
        _queue1 = new GuestQueue(_memory, 16, QueueBase + 0x4000);
    }

    /// <summary>Initializes the device with both queues, then forgets the processing DRIVER_OK caused.</summary>
    private void Start()
    {
        _transport.Start(_queue0, _queue1);
        _device.Processed.Clear();
    }

    [Fact]
    public void IdentityRegisters_ReadMagicVersionDeviceAndVendor()
    {
        Assert.Equal(0x74726976u, _transport.Read32(MmioDriver.MagicValue));
        Assert.Equal(2u, _transport.Read32(MmioDriver.Version));
        Assert.Equal(RecordingDevice.Id, _transport.Read32(MmioDriver.DeviceId));
        Assert.Equal(0x5A584D56u, _transport.Read32(MmioDriver.VendorId));
    }

    [Fact]
    public void NonWordRegisterAccess_ReadsZeroAndIsIgnored()
    {
        Assert.Equal(0u, _transport.Read(MmioDriver.MagicValue, 2));
        Assert.Equal(0u, _transport.Read(MmioDriver.MagicValue + 1, 4));
        _transport.Write(MmioDriver.Status, 1, VirtioStatus.Acknowledge);
        Assert.Equal(0u, _transport.Status);
    }

    [Fact]
    public void DeviceFeatures_OfferVersion1AndDeviceBits()
    {
        Assert.Equal(VirtioFeatures.Version1 | RecordingDevice.Features, _transport.ReadDeviceFeatures());
    }

    [Fact]
    public void FeaturesOk_WithAcceptedSubsetIncludingVersion1_Sticks()
    {
        Assert.True(_transport.Negotiate(VirtioFeatures.Version1));
        Assert.Equal(VirtioFeatures.Version1, _transport.DriverFeatures);
    }

    [Fact]
    public void FeaturesOk_WithoutVersion1_IsRefused()
    {
        Assert.False(_transport.Negotiate(RecordingDevice.Features));
    }

    [Fact]
    public void FeaturesOk_WithUnofferedFeature_IsRefused()
    {
        Assert.False(_transport.Negotiate(VirtioFeatures.Version1 | (1UL << 28)));
    }

    [Fact]
    public void DriverFeatures_AfterFeaturesOk_CannotChange()
    {
        Assert.True(_transport.Negotiate(VirtioFeatures.Version1));

        _transport.Write32(MmioDriver.DriverFeaturesSel, 0);
        _transport.Write32(MmioDriver.DriverFeatures, (uint)RecordingDevice.Features);

        Assert.Equal(VirtioFeatures.Version1, _transport.DriverFeatures);
    }

    [Fact]
    public void DriverOk_WithoutFeaturesOk_IsNotAccepted()
    {
        _transport.Write32(MmioDriver.Status, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.DriverOk);

        Assert.Equal(VirtioStatus.Acknowledge | VirtioStatus.Driver, _transport.Status);
    }

    [Fact]
    public void QueueNumMax_Is256ForExistingQueuesAndZeroOtherwise()
    {
        _transport.Write32(MmioDriver.QueueSel, 1);
        Assert.Equal(256u, _transport.Read32(MmioDriver.QueueNumMax));
        _transport.Write32(MmioDriver.QueueSel, 2);
        Assert.Equal(0u, _transport.Read32(MmioDriver.QueueNumMax));
    }

    [Fact]
    public void QueueSetup_RegistersReadBackAndReadyBecomesOne()
    {
        _transport.Negotiate(VirtioFeatures.Version1);
        _transport.SetUpQueue(1, _queue1);

        _transport.Write32(MmioDriver.QueueSel, 1);
        Assert.Equal(1u, _transport.Read32(MmioDriver.QueueReady));
        Assert.Equal(16u, _transport.Read32(MmioDriver.QueueNum));
        Assert.Equal((uint)_queue1.DescriptorTable, _transport.Read32(MmioDriver.QueueDescLow));
        Assert.Equal((uint)_queue1.AvailableRing, _transport.Read32(MmioDriver.QueueDriverLow));
        Assert.Equal((uint)_queue1.UsedRing, _transport.Read32(MmioDriver.QueueDeviceLow));
        _transport.Write32(MmioDriver.QueueSel, 0);
        Assert.Equal(0u, _transport.Read32(MmioDriver.QueueReady));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(12u)]
    [InlineData(512u)]
    public void QueueReady_WithInvalidSize_StaysZero(uint size)
    {
        _transport.Write32(MmioDriver.QueueSel, 0);
        _transport.Write32(MmioDriver.QueueNum, size);
        _transport.Write32(MmioDriver.QueueDescLow, (uint)QueueBase);
        _transport.Write32(MmioDriver.QueueReady, 1);

        Assert.Equal(0u, _transport.Read32(MmioDriver.QueueReady));
    }

    [Fact]
    public void QueueReady_WithMisalignedRing_StaysZero()
    {
        _transport.Write32(MmioDriver.QueueSel, 0);
        _transport.Write32(MmioDriver.QueueNum, 16);
        _transport.Write32(MmioDriver.QueueDescLow, (uint)QueueBase + 8);
        _transport.Write32(MmioDriver.QueueReady, 1);

        Assert.Equal(0u, _transport.Read32(MmioDriver.QueueReady));
    }

    [Fact]
    public void QueueNotify_ProcessesThatQueueAndRaisesUsedBufferInterrupt()
    {
        Start();
        ushort head = _queue1.Add(GuestBuffer.Readable(Buffer, 4));

        _transport.Write32(MmioDriver.QueueNotify, 1);

        Assert.Equal([1], _device.Processed);
        Assert.Equal((head, 0u), _queue1.TakeUsed());
        Assert.Equal(VirtioInterrupt.UsedBuffer, _transport.Read32(MmioDriver.InterruptStatus));
        Assert.Equal(1, _interrupt.Count);
    }

    [Fact]
    public void Doorbell_AtFourTimesQueueIndex_ProcessesThatQueue()
    {
        Start();
        _queue1.Add(GuestBuffer.Readable(Buffer, 4));

        _transport.Ring(4);

        Assert.Equal([1], _device.Processed);
        Assert.Equal(1, _interrupt.Count);
    }

    [Theory]
    [InlineData(2ul)]
    [InlineData(8ul)]
    [InlineData(0xFFCul)]
    public void Doorbell_AtUnalignedOrMissingQueue_IsIgnored(ulong offset)
    {
        Start();

        _transport.Ring(offset);

        Assert.Empty(_device.Processed);
    }

    [Fact]
    public void Notify_BeforeDriverOk_ProcessesNothing_UntilDriverOk()
    {
        Assert.True(_transport.Negotiate(VirtioFeatures.Version1));
        _transport.SetUpQueue(0, _queue0);
        _queue0.Add(GuestBuffer.Readable(Buffer, 4));

        _transport.Write32(MmioDriver.QueueNotify, 0);
        Assert.Empty(_device.Processed);

        _transport.SetDriverOk();
        Assert.Equal([0], _device.Processed);
        Assert.Equal(1, _queue0.UsedIndex);
    }

    [Fact]
    public void NoInterruptFlag_SuppressesUsedBufferInterrupt()
    {
        Start();
        _queue0.SetNoInterrupt(true);
        _queue0.Add(GuestBuffer.Readable(Buffer, 4));

        _transport.Ring(0);

        Assert.Equal(1, _queue0.UsedIndex);
        Assert.Equal(0u, _transport.InterruptStatus);
        Assert.Equal(0, _interrupt.Count);
    }

    [Fact]
    public void InterruptAck_ClearsAcknowledgedBits()
    {
        Start();
        _queue0.Add(GuestBuffer.Readable(Buffer, 4));
        _transport.Ring(0);

        _transport.Write32(MmioDriver.InterruptAck, VirtioInterrupt.UsedBuffer);

        Assert.Equal(0u, _transport.Read32(MmioDriver.InterruptStatus));
    }

    [Fact]
    public void StatusWriteOfZero_ResetsTransportAndDevice()
    {
        Start();
        _queue0.Add(GuestBuffer.Readable(Buffer, 4));
        _transport.Ring(0);
        int resetsBefore = _device.Resets;

        _transport.Write32(MmioDriver.Status, 0);

        Assert.Equal(0u, _transport.Read32(MmioDriver.Status));
        Assert.Equal(0u, _transport.Read32(MmioDriver.InterruptStatus));
        Assert.Equal(0ul, _transport.DriverFeatures);
        _transport.Write32(MmioDriver.QueueSel, 0);
        Assert.Equal(0u, _transport.Read32(MmioDriver.QueueReady));
        Assert.Equal(0u, _transport.Read32(MmioDriver.QueueNum));
        Assert.Equal(resetsBefore + 1, _device.Resets);
        _transport.Ring(0);
        Assert.Single(_device.Processed);
    }

    [Fact]
    public void MalformedChain_SetsNeedsResetAndConfigInterrupt_AndStopsProcessing()
    {
        Start();
        _queue0.Publish(99);

        _transport.Ring(0);

        Assert.NotEqual(0u, _transport.Status & VirtioStatus.DeviceNeedsReset);
        Assert.Equal(VirtioInterrupt.ConfigurationChange, _transport.InterruptStatus);
        Assert.Equal(1, _interrupt.Count);
        _queue1.Add(GuestBuffer.Readable(Buffer, 4));
        _transport.Ring(4);
        Assert.Single(_device.Processed);
        Assert.Equal(0, _queue1.UsedIndex);
    }

    [Fact]
    public void NeedsReset_SurvivesDriverStatusWrites_AndClearsOnReset()
    {
        Start();
        _queue0.Publish(99);
        _transport.Ring(0);

        _transport.Write32(MmioDriver.Status, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk | VirtioStatus.Failed);
        Assert.NotEqual(0u, _transport.Status & VirtioStatus.DeviceNeedsReset);

        _transport.Write32(MmioDriver.Status, 0);
        Assert.Equal(0u, _transport.Status);
        _transport.Start(new GuestQueue(_memory, 16, QueueBase + 0x8000), new GuestQueue(_memory, 16, QueueBase + 0xC000));
        Assert.Equal(VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk, _transport.Status);
    }

    [Fact]
    public void ConfigSpace_ReadsDeviceConfigurationAtAnyWidth()
    {
        Assert.Equal(0x0807060504030201ul, _transport.Read(MmioDriver.Config, 8));
        Assert.Equal(0x04030201u, _transport.Read(MmioDriver.Config, 4));
        Assert.Equal(0x0403u, _transport.Read(MmioDriver.Config + 2, 2));
        Assert.Equal(0x08u, _transport.Read(MmioDriver.Config + 7, 1));
        Assert.Equal(0x08u, _transport.Read(MmioDriver.Config + 7, 4)); // bytes past the config space read 0
    }

    [Fact]
    public void ConfigChange_AdvancesGenerationAndRaises()
    {
        Start();
        uint generation = _transport.Read32(MmioDriver.ConfigGeneration);

        _device.ChangeConfig();

        Assert.Equal(generation + 1, _transport.Read32(MmioDriver.ConfigGeneration));
        Assert.Equal(VirtioInterrupt.ConfigurationChange, _transport.InterruptStatus);
        Assert.Equal(1, _interrupt.Count);
    }

    [Fact]
    public void Device_CanAttachToOnlyOneTransport()
    {
        Assert.Throws<InvalidOperationException>(() => new VirtioMmioTransport(_device, _memory, _interrupt));
    }

    /// <summary>Two queues; processing returns every chain with nothing written.</summary>
    private sealed class RecordingDevice : VirtioDevice
    {
        public const uint Id = 0x42;
        public const ulong Features = 1UL << 3;

        public RecordingDevice()
            : base(Id, queueCount: 2, Features, configSize: 8)
        {
            for (int i = 0; i < 8; i++)
            {
                ConfigSpace[i] = (byte)(i + 1);
            }
        }

        public List<int> Processed { get; } = [];

        public int Resets { get; private set; }

        public void ChangeConfig()
        {
            using VirtioDeviceLock scope = EnterLock();
            NotifyConfigChangedLocked();
        }

        protected override void ProcessQueueLocked(int queueIndex, Virtqueue queue)
        {
            Processed.Add(queueIndex);
            while (queue.TryPop(out DescriptorChain chain))
            {
                queue.PushUsed(chain, 0);
            }
        }

        protected override void ResetLocked() => Resets++;
    }
}
