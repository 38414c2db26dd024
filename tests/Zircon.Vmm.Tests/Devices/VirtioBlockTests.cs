using System.Buffers.Binary;
using Zircon.Vmm.Devices.Virtio;

namespace Zircon.Vmm.Tests.Devices;

public sealed class VirtioBlockTests : IDisposable
{
    private const ulong QueueBase = 0x10000;
    private const ulong Header = 0x40000;
    private const ulong Data = 0x41000;
    private const ulong Status = 0x50000;
    private const int Sectors = 8;

    private readonly FakeGuestMemory _memory = new(1 << 20);
    private readonly CountingInterrupt _interrupt = new();
    private readonly List<string> _tempFiles = [];

    public void Dispose()
    {
        foreach (string path in _tempFiles)
        {
            File.Delete(path);
        }
    }

    private static byte[] Disk(int sectors)
    {
        var bytes = new byte[sectors * VirtioBlock.SectorSize];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i / VirtioBlock.SectorSize * 16 + i % 7);
        }
        return bytes;
    }

    private (VirtioMmioTransport Transport, GuestQueue Queue) Start(Stream stream)
    {
        var transport = new VirtioMmioTransport(new VirtioBlock(stream), _memory, _interrupt);
        var queue = new GuestQueue(_memory, 16, QueueBase);
        transport.Start(queue);
        return (transport, queue);
    }

    /// <summary>Submits header / data buffers / status byte and returns (used length, status).</summary>
    private (uint Length, byte Status) Submit(VirtioMmioTransport transport, GuestQueue queue, uint type, ulong sector, params GuestBuffer[] data)
    {
        Span<byte> header = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(header, type);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], sector);
        _memory.WriteBytes(Header, header);
        _memory.WriteBytes(Status, [0xEE]);
        GuestBuffer[] chain = [GuestBuffer.Readable(Header, 16), .. data, GuestBuffer.Writable(Status, 1)];
        ushort head = queue.Add(chain);

        transport.Ring(0);

        (uint id, uint length) = queue.TakeUsed();
        Assert.Equal(head, id);
        return (length, _memory.ReadBytes(Status, 1)[0]);
    }

    [Fact]
    public void Config_ReportsCapacityInSectors_RoundedDown()
    {
        using var stream = new MemoryStream(new byte[Sectors * 512 + 100]);
        var transport = new VirtioMmioTransport(new VirtioBlock(stream), _memory, _interrupt);

        Assert.Equal(2u, transport.Read32(MmioDriver.DeviceId));
        Assert.Equal((ulong)Sectors, transport.Read(MmioDriver.Config, 8));
        Assert.Equal((uint)Sectors, transport.Read32(MmioDriver.Config));
        Assert.Equal(0u, transport.Read32(MmioDriver.Config + 4));
    }

    [Fact]
    public void Features_OfferFlush_AndReadOnlyOnlyForUnwritableStreams()
    {
        using var writable = new MemoryStream(Disk(1));
        using var readOnly = new MemoryStream(Disk(1), writable: false);

        ulong writableFeatures = new VirtioMmioTransport(new VirtioBlock(writable), _memory, _interrupt).ReadDeviceFeatures();
        ulong readOnlyFeatures = new VirtioMmioTransport(new VirtioBlock(readOnly), _memory, _interrupt).ReadDeviceFeatures();

        Assert.Equal(VirtioFeatures.Version1 | VirtioBlock.FeatureFlush, writableFeatures);
        Assert.Equal(VirtioFeatures.Version1 | VirtioBlock.FeatureFlush | VirtioBlock.FeatureReadOnly, readOnlyFeatures);
    }

    [Fact]
    public void ReadRequest_CopiesSectorsIntoGuestBuffer()
    {
        byte[] disk = Disk(Sectors);
        var (transport, queue) = Start(new MemoryStream(disk));

        var (length, status) = Submit(transport, queue, VirtioBlock.RequestIn, 2, GuestBuffer.Writable(Data, 1024));

        Assert.Equal(VirtioBlock.StatusOk, status);
        Assert.Equal(1025u, length);
        Assert.Equal(disk.AsSpan(1024, 1024).ToArray(), _memory.ReadBytes(Data, 1024));
        Assert.Equal(1, _interrupt.Count);
    }

    [Fact]
    public void ReadRequest_IntoSeveralDescriptors_FillsThemInOrder()
    {
        byte[] disk = Disk(Sectors);
        var (transport, queue) = Start(new MemoryStream(disk));

        var (_, status) = Submit(transport, queue, VirtioBlock.RequestIn, 0,
            GuestBuffer.Writable(Data, 100), GuestBuffer.Writable(Data + 0x1000, 412));

        Assert.Equal(VirtioBlock.StatusOk, status);
        Assert.Equal(disk.AsSpan(0, 100).ToArray(), _memory.ReadBytes(Data, 100));
        Assert.Equal(disk.AsSpan(100, 412).ToArray(), _memory.ReadBytes(Data + 0x1000, 412));
    }

    [Fact]
    public void WriteRequest_StoresGuestDataInStream()
    {
        byte[] disk = Disk(Sectors);
        var (transport, queue) = Start(new MemoryStream(disk));
        byte[] sector = Enumerable.Repeat((byte)0xA5, 512).ToArray();
        _memory.WriteBytes(Data, sector);

        var (length, status) = Submit(transport, queue, VirtioBlock.RequestOut, 7, GuestBuffer.Readable(Data, 512));

        Assert.Equal(VirtioBlock.StatusOk, status);
        Assert.Equal(1u, length);
        Assert.Equal(sector, disk.AsSpan(7 * 512, 512).ToArray());
    }

    [Fact]
    public void WriteRequest_OnReadOnlyDisk_FailsWithIoErrorAndChangesNothing()
    {
        byte[] disk = Disk(Sectors);
        byte[] original = (byte[])disk.Clone();
        var (transport, queue) = Start(new MemoryStream(disk, writable: false));
        _memory.WriteBytes(Data, new byte[512]);

        var (_, status) = Submit(transport, queue, VirtioBlock.RequestOut, 0, GuestBuffer.Readable(Data, 512));

        Assert.Equal(VirtioBlock.StatusIoError, status);
        Assert.Equal(original, disk);
    }

    [Theory]
    [InlineData(8ul, 512u)]                  // starts at the capacity
    [InlineData(7ul, 1024u)]                 // runs past the end
    [InlineData(ulong.MaxValue / 256, 512u)] // sector × 512 would overflow
    [InlineData(0ul, 100u)]                  // not a whole sector
    public void ReadRequest_OutOfRangeOrPartialSector_FailsWithIoError(ulong sector, uint length)
    {
        var (transport, queue) = Start(new MemoryStream(Disk(Sectors)));

        var (used, status) = Submit(transport, queue, VirtioBlock.RequestIn, sector, GuestBuffer.Writable(Data, length));

        Assert.Equal(VirtioBlock.StatusIoError, status);
        Assert.Equal(1u, used);
    }

    [Fact]
    public void ReadRequest_AfterTheFileShrank_FailsWithIoError_AndTheDeviceGoesOn()
    {
        string path = Path.GetTempFileName();
        _tempFiles.Add(path);
        File.WriteAllBytes(path, Disk(Sectors));
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var (transport, queue) = Start(file);
        using (var other = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            other.SetLength(2 * 512); // another process truncates the disk

        var (_, status) = Submit(transport, queue, VirtioBlock.RequestIn, 4, GuestBuffer.Writable(Data, 512));
        Assert.Equal(VirtioBlock.StatusIoError, status);
        (_, status) = Submit(transport, queue, VirtioBlock.RequestIn, 0, GuestBuffer.Writable(Data, 512));
        Assert.Equal(VirtioBlock.StatusOk, status);
    }

    [Fact]
    public void WriteRequest_PastTheEnd_FailsWithIoError()
    {
        var (transport, queue) = Start(new MemoryStream(Disk(Sectors)));

        var (_, status) = Submit(transport, queue, VirtioBlock.RequestOut, Sectors, GuestBuffer.Readable(Data, 512));

        Assert.Equal(VirtioBlock.StatusIoError, status);
    }

    [Fact]
    public void FlushRequest_FlushesStream()
    {
        var stream = new FlushCountingStream(Disk(Sectors));
        var (transport, queue) = Start(stream);

        var (_, status) = Submit(transport, queue, VirtioBlock.RequestFlush, 0);

        Assert.Equal(VirtioBlock.StatusOk, status);
        Assert.Equal(1, stream.Flushes);
    }

    [Fact]
    public void GetIdRequest_Returns20ByteIdPaddedWithZeros()
    {
        var (transport, queue) = Start(new MemoryStream(Disk(1)));

        var (length, status) = Submit(transport, queue, VirtioBlock.RequestGetId, 0, GuestBuffer.Writable(Data, 20));

        Assert.Equal(VirtioBlock.StatusOk, status);
        Assert.Equal(21u, length);
        byte[] expected = new byte[20];
        "zxvm-disk"u8.CopyTo(expected);
        Assert.Equal(expected, _memory.ReadBytes(Data, 20));
    }

    [Fact]
    public void GetIdRequest_WithLongId_KeepsFirst20BytesWithoutTerminator()
    {
        var transport = new VirtioMmioTransport(new VirtioBlock(new MemoryStream(Disk(1)), "0123456789abcdefghijKLMN"), _memory, _interrupt);
        var queue = new GuestQueue(_memory, 16, QueueBase);
        transport.Start(queue);

        Submit(transport, queue, VirtioBlock.RequestGetId, 0, GuestBuffer.Writable(Data, 24));

        Assert.Equal("0123456789abcdefghij"u8.ToArray(), _memory.ReadBytes(Data, 20));
    }

    [Fact]
    public void UnknownRequestType_FailsWithUnsupported()
    {
        var (transport, queue) = Start(new MemoryStream(Disk(1)));

        var (_, status) = Submit(transport, queue, 11, 0);

        Assert.Equal(VirtioBlock.StatusUnsupported, status);
    }

    [Fact]
    public void ShortHeader_FailsWithIoError()
    {
        var (transport, queue) = Start(new MemoryStream(Disk(1)));
        _memory.WriteBytes(Status, [0xEE]);
        queue.Add(GuestBuffer.Readable(Header, 8), GuestBuffer.Writable(Status, 1));

        transport.Ring(0);

        Assert.Equal(1u, queue.TakeUsed().Length);
        Assert.Equal(VirtioBlock.StatusIoError, _memory.ReadBytes(Status, 1)[0]);
    }

    [Fact]
    public void RequestWithoutStatusByte_SetsNeedsReset()
    {
        var (transport, queue) = Start(new MemoryStream(Disk(1)));
        queue.Add(GuestBuffer.Readable(Header, 16));

        transport.Ring(0);

        Assert.Equal(0, queue.UsedIndex);
        Assert.NotEqual(0u, transport.Status & VirtioStatus.DeviceNeedsReset);
    }

    [Fact]
    public void DataBufferOutsideRam_SetsNeedsReset()
    {
        var (transport, queue) = Start(new MemoryStream(Disk(Sectors)));
        Span<byte> header = stackalloc byte[16];
        _memory.WriteBytes(Header, header);
        queue.Add(GuestBuffer.Readable(Header, 16), GuestBuffer.Writable(0x7000_0000, 512), GuestBuffer.Writable(Status, 1));

        transport.Ring(0);

        Assert.Equal(0, queue.UsedIndex);
        Assert.NotEqual(0u, transport.Status & VirtioStatus.DeviceNeedsReset);
    }

    [Fact]
    public void StreamFailure_FailsWithIoError()
    {
        var (transport, queue) = Start(new FailingStream(Sectors * 512));

        var (_, status) = Submit(transport, queue, VirtioBlock.RequestIn, 0, GuestBuffer.Writable(Data, 512));

        Assert.Equal(VirtioBlock.StatusIoError, status);
    }

    [Fact]
    public void NonSeekableStream_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new VirtioBlock(new NonSeekableStream()));
    }

    [Fact]
    public void FileBackedDisk_WriteThenFlush_ReachesTheFile_AndReadsBack()
    {
        string path = Path.GetTempFileName();
        _tempFiles.Add(path);
        File.WriteAllBytes(path, Disk(Sectors));
        byte[] sector = Enumerable.Range(0, 512).Select(i => (byte)(255 - i % 256)).ToArray();
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            var (transport, queue) = Start(file);
            _memory.WriteBytes(Data, sector);
            Assert.Equal(VirtioBlock.StatusOk, Submit(transport, queue, VirtioBlock.RequestOut, 3, GuestBuffer.Readable(Data, 512)).Status);
            Assert.Equal(VirtioBlock.StatusOk, Submit(transport, queue, VirtioBlock.RequestFlush, 0).Status);
            _memory.WriteBytes(Data + 0x2000, new byte[512]);
            Assert.Equal(VirtioBlock.StatusOk, Submit(transport, queue, VirtioBlock.RequestIn, 3, GuestBuffer.Writable(Data + 0x2000, 512)).Status);
            Assert.Equal(sector, _memory.ReadBytes(Data + 0x2000, 512));
        }

        byte[] onDisk = File.ReadAllBytes(path);
        Assert.Equal(sector, onDisk.AsSpan(3 * 512, 512).ToArray());
    }

    [Fact]
    public void ReadOnlyFile_OffersReadOnlyAndRefusesWrites()
    {
        string path = Path.GetTempFileName();
        _tempFiles.Add(path);
        File.WriteAllBytes(path, Disk(Sectors));
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        var block = new VirtioBlock(file);
        var transport = new VirtioMmioTransport(block, _memory, _interrupt);
        var queue = new GuestQueue(_memory, 16, QueueBase);
        transport.Start(queue);

        var (_, status) = Submit(transport, queue, VirtioBlock.RequestOut, 0, GuestBuffer.Readable(Data, 512));

        Assert.True(block.IsReadOnly);
        Assert.Equal(VirtioBlock.StatusIoError, status);
        Assert.Equal(Disk(Sectors), File.ReadAllBytes(path));
    }

    private sealed class FlushCountingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public int Flushes { get; private set; }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }
    }

    private sealed class FailingStream(long length) : MemoryStream(new byte[length])
    {
        public override int Read(Span<byte> buffer) => throw new IOException("disk on fire");

        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("disk on fire");
    }

    private sealed class NonSeekableStream : MemoryStream
    {
        public override bool CanSeek => false;
    }
}
