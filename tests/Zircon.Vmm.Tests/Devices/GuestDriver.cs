using Zircon.Vmm.Devices.Virtio;

namespace Zircon.Vmm.Tests.Devices;

/// <summary>A buffer the test guest puts in a descriptor.</summary>
internal readonly record struct GuestBuffer(ulong Address, uint Length, bool IsWritable)
{
    public static GuestBuffer Readable(ulong address, uint length) => new(address, length, false);

    public static GuestBuffer Writable(ulong address, uint length) => new(address, length, true);
}

/// <summary>The driver side of a split virtqueue, as a guest would lay it out in its memory.</summary>
internal sealed class GuestQueue
{
    public const ushort FlagNext = 1;
    public const ushort FlagWrite = 2;
    public const ushort FlagIndirect = 4;

    private readonly FakeGuestMemory _memory;
    private ushort _nextDescriptor;
    private ushort _availableIndex;
    private ushort _lastUsed;

    public GuestQueue(FakeGuestMemory memory, int size, ulong baseAddress)
    {
        _memory = memory;
        Size = size;
        DescriptorTable = baseAddress;
        AvailableRing = baseAddress + 16 * (ulong)size;
        UsedRing = AvailableRing + 0x1000;
    }

    public int Size { get; }

    public ulong DescriptorTable { get; }

    public ulong AvailableRing { get; }

    public ulong UsedRing { get; }

    public ushort UsedIndex => _memory.ReadUInt16(UsedRing + 2);

    public Virtqueue CreateDeviceQueue() => new(_memory, Size, DescriptorTable, AvailableRing, UsedRing);

    /// <summary>Writes a chain of fresh descriptors for <paramref name="buffers"/> and makes it available.</summary>
    public ushort Add(params GuestBuffer[] buffers)
    {
        ushort head = (ushort)(_nextDescriptor % Size);
        for (int i = 0; i < buffers.Length; i++)
        {
            int index = _nextDescriptor++ % Size;
            bool last = i == buffers.Length - 1;
            ushort flags = (ushort)((buffers[i].IsWritable ? FlagWrite : 0) | (last ? 0 : FlagNext));
            WriteDescriptor(index, buffers[i].Address, buffers[i].Length, flags, (ushort)((index + 1) % Size));
        }
        Publish(head);
        return head;
    }

    public void WriteDescriptor(int index, ulong address, uint length, ushort flags, ushort next)
    {
        ulong entry = DescriptorTable + 16 * (ulong)index;
        _memory.WriteUInt64(entry, address);
        _memory.WriteUInt32(entry + 8, length);
        _memory.WriteUInt16(entry + 12, flags);
        _memory.WriteUInt16(entry + 14, next);
    }

    public void Publish(ushort head)
    {
        _memory.WriteUInt16(AvailableRing + 4 + 2 * (ulong)(_availableIndex % Size), head);
        _availableIndex++;
        _memory.WriteUInt16(AvailableRing + 2, _availableIndex);
    }

    public void SetAvailableIndex(ushort index)
    {
        _availableIndex = index;
        _memory.WriteUInt16(AvailableRing + 2, index);
    }

    public void SetNoInterrupt(bool suppress) => _memory.WriteUInt16(AvailableRing, (ushort)(suppress ? 1 : 0));

    public bool TryTakeUsed(out uint id, out uint length)
    {
        if (UsedIndex == _lastUsed)
        {
            id = 0;
            length = 0;
            return false;
        }
        ulong element = UsedRing + 4 + 8 * (ulong)(_lastUsed % Size);
        id = _memory.ReadUInt32(element);
        length = _memory.ReadUInt32(element + 4);
        _lastUsed++;
        return true;
    }

    public (uint Id, uint Length) TakeUsed()
    {
        Assert.True(TryTakeUsed(out uint id, out uint length), "expected a used element");
        return (id, length);
    }
}

/// <summary>Register-level driver steps on a virtio-mmio transport.</summary>
internal static class MmioDriver
{
    public const ulong MagicValue = 0x000;
    public const ulong Version = 0x004;
    public const ulong DeviceId = 0x008;
    public const ulong VendorId = 0x00C;
    public const ulong DeviceFeatures = 0x010;
    public const ulong DeviceFeaturesSel = 0x014;
    public const ulong DriverFeatures = 0x020;
    public const ulong DriverFeaturesSel = 0x024;
    public const ulong QueueSel = 0x030;
    public const ulong QueueNumMax = 0x034;
    public const ulong QueueNum = 0x038;
    public const ulong QueueReady = 0x044;
    public const ulong QueueNotify = 0x050;
    public const ulong InterruptStatus = 0x060;
    public const ulong InterruptAck = 0x064;
    public const ulong Status = 0x070;
    public const ulong QueueDescLow = 0x080;
    public const ulong QueueDescHigh = 0x084;
    public const ulong QueueDriverLow = 0x090;
    public const ulong QueueDriverHigh = 0x094;
    public const ulong QueueDeviceLow = 0x0A0;
    public const ulong QueueDeviceHigh = 0x0A4;
    public const ulong ConfigGeneration = 0x0FC;
    public const ulong Config = 0x100;

    public static uint Read32(this VirtioMmioTransport transport, ulong offset) => (uint)transport.Read(offset, 4);

    public static void Write32(this VirtioMmioTransport transport, ulong offset, uint value) => transport.Write(offset, 4, value);

    public static ulong ReadDeviceFeatures(this VirtioMmioTransport transport)
    {
        transport.Write32(DeviceFeaturesSel, 0);
        ulong low = transport.Read32(DeviceFeatures);
        transport.Write32(DeviceFeaturesSel, 1);
        ulong high = transport.Read32(DeviceFeatures);
        return low | (high << 32);
    }

    /// <summary>ACKNOWLEDGE, DRIVER, the features, FEATURES_OK; returns whether FEATURES_OK stuck.</summary>
    public static bool Negotiate(this VirtioMmioTransport transport, ulong features)
    {
        transport.Write32(Status, 0);
        transport.Write32(Status, VirtioStatus.Acknowledge);
        transport.Write32(Status, VirtioStatus.Acknowledge | VirtioStatus.Driver);
        transport.Write32(DriverFeaturesSel, 0);
        transport.Write32(DriverFeatures, (uint)features);
        transport.Write32(DriverFeaturesSel, 1);
        transport.Write32(DriverFeatures, (uint)(features >> 32));
        transport.Write32(Status, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk);
        return (transport.Read32(Status) & VirtioStatus.FeaturesOk) != 0;
    }

    public static void SetUpQueue(this VirtioMmioTransport transport, int index, GuestQueue queue)
    {
        transport.Write32(QueueSel, (uint)index);
        transport.Write32(QueueNum, (uint)queue.Size);
        transport.Write32(QueueDescLow, (uint)queue.DescriptorTable);
        transport.Write32(QueueDescHigh, (uint)(queue.DescriptorTable >> 32));
        transport.Write32(QueueDriverLow, (uint)queue.AvailableRing);
        transport.Write32(QueueDriverHigh, (uint)(queue.AvailableRing >> 32));
        transport.Write32(QueueDeviceLow, (uint)queue.UsedRing);
        transport.Write32(QueueDeviceHigh, (uint)(queue.UsedRing >> 32));
        transport.Write32(QueueReady, 1);
    }

    public static void SetDriverOk(this VirtioMmioTransport transport) =>
        transport.Write32(Status, VirtioStatus.Acknowledge | VirtioStatus.Driver | VirtioStatus.FeaturesOk | VirtioStatus.DriverOk);

    /// <summary>The whole initialization sequence, accepting every offered feature.</summary>
    public static void Start(this VirtioMmioTransport transport, params GuestQueue[] queues)
    {
        Assert.True(transport.Negotiate(transport.ReadDeviceFeatures()));
        for (int i = 0; i < queues.Length; i++)
        {
            transport.SetUpQueue(i, queues[i]);
        }
        transport.SetDriverOk();
    }
}
