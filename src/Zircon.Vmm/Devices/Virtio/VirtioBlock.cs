using System.Buffers.Binary;
using System.Text;

namespace Zircon.Vmm.Devices.Virtio;

/// <summary>
/// virtio-blk (device ID 2) over a seekable host <see cref="Stream"/>: one request queue;
/// VIRTIO_BLK_T_IN, T_OUT, T_FLUSH and T_GET_ID; capacity in 512-byte sectors (the stream's length
/// rounded down) as a u64 at configuration offset 0. Offers VIRTIO_BLK_F_FLUSH, and VIRTIO_BLK_F_RO
/// when the stream cannot be written (writes then fail with IOERR).
/// </summary>
/// <remarks>
/// Requests run synchronously under the device lock on the notifying thread. Reads or writes that go
/// past the capacity, whose length is not a whole number of sectors, or that the stream fails
/// (<see cref="IOException"/>) complete with VIRTIO_BLK_S_IOERR; unknown types with
/// VIRTIO_BLK_S_UNSUPP. A chain without a writable status byte is malformed (NEEDS_RESET).
/// The caller owns the stream.
/// </remarks>
public sealed class VirtioBlock : VirtioDevice
{
    /// <summary>virtio device ID of a block device.</summary>
    public const uint DeviceTypeId = 2;

    /// <summary>Sector size of the request protocol.</summary>
    public const int SectorSize = 512;

    /// <summary>Length of the T_GET_ID identifier.</summary>
    public const int IdLength = 20;

    /// <summary>VIRTIO_BLK_F_RO: the device is read-only.</summary>
    public const ulong FeatureReadOnly = 1UL << 5;

    /// <summary>VIRTIO_BLK_F_FLUSH: T_FLUSH is supported.</summary>
    public const ulong FeatureFlush = 1UL << 9;

    /// <summary>VIRTIO_BLK_T_IN: read sectors.</summary>
    public const uint RequestIn = 0;

    /// <summary>VIRTIO_BLK_T_OUT: write sectors.</summary>
    public const uint RequestOut = 1;

    /// <summary>VIRTIO_BLK_T_FLUSH: flush the host's caches.</summary>
    public const uint RequestFlush = 4;

    /// <summary>VIRTIO_BLK_T_GET_ID: the device identifier.</summary>
    public const uint RequestGetId = 8;

    /// <summary>VIRTIO_BLK_S_OK.</summary>
    public const byte StatusOk = 0;

    /// <summary>VIRTIO_BLK_S_IOERR.</summary>
    public const byte StatusIoError = 1;

    /// <summary>VIRTIO_BLK_S_UNSUPP.</summary>
    public const byte StatusUnsupported = 2;

    private const int RequestHeaderSize = 16;
    private const int ConfigSize = 64;
    private const int TransferChunk = 64 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _id = new byte[IdLength];
    private readonly byte[] _transferBuffer = new byte[TransferChunk];

    /// <summary>Creates a block device.</summary>
    /// <param name="stream">The disk image: readable and seekable; writable unless the disk is read-only.</param>
    /// <param name="id">Identifier for T_GET_ID (ASCII, at most 20 bytes kept).</param>
    public VirtioBlock(Stream stream, string id = "zxvm-disk")
        : base(DeviceTypeId, queueCount: 1, FeaturesFor(stream), ConfigSize)
    {
        ArgumentNullException.ThrowIfNull(id);
        _stream = stream;
        IsReadOnly = !stream.CanWrite;
        Capacity = (ulong)stream.Length / SectorSize;
        BinaryPrimitives.WriteUInt64LittleEndian(ConfigSpace, Capacity);
        Encoding.ASCII.GetBytes(id.AsSpan(0, Math.Min(id.Length, IdLength)), _id);
    }

    /// <summary>Capacity in 512-byte sectors.</summary>
    public ulong Capacity { get; }

    /// <summary>True when the device is read-only (VIRTIO_BLK_F_RO offered).</summary>
    public bool IsReadOnly { get; }

    /// <inheritdoc />
    protected override void ProcessQueueLocked(int queueIndex, Virtqueue queue)
    {
        while (queue.TryPop(out DescriptorChain chain))
        {
            if (chain.WritableLength < 1)
            {
                queue.MarkBroken(); // nowhere to put the status
                return;
            }
            long dataWritten = 0;
            byte status = ExecuteLocked(chain, ref dataWritten);
            if (queue.IsBroken || !chain.TryWrite(chain.WritableLength - 1, [status]))
            {
                return;
            }
            if (!queue.PushUsed(chain, (uint)(dataWritten + 1)))
            {
                return;
            }
        }
    }

    private static ulong FeaturesFor(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("A virtio-blk backing stream must be readable and seekable.", nameof(stream));
        }
        return FeatureFlush | (stream.CanWrite ? 0 : FeatureReadOnly);
    }

    private byte ExecuteLocked(in DescriptorChain chain, ref long dataWritten)
    {
        if (chain.ReadableLength < RequestHeaderSize)
        {
            return StatusIoError;
        }
        Span<byte> header = stackalloc byte[RequestHeaderSize];
        if (!chain.TryRead(0, header))
        {
            return StatusIoError; // the queue is broken; the status is not written
        }
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        long writableData = chain.WritableLength - 1;
        try
        {
            switch (type)
            {
                case RequestIn:
                    return ReadSectorsLocked(chain, sector, writableData, ref dataWritten);
                case RequestOut:
                    return IsReadOnly ? StatusIoError : WriteSectorsLocked(chain, sector, chain.ReadableLength - RequestHeaderSize);
                case RequestFlush:
                    FlushLocked();
                    return StatusOk;
                case RequestGetId:
                    int count = (int)Math.Min(IdLength, writableData);
                    if (!chain.TryWrite(0, _id.AsSpan(0, count)))
                    {
                        return StatusIoError;
                    }
                    dataWritten = count;
                    return StatusOk;
                default:
                    return StatusUnsupported;
            }
        }
        catch (IOException)
        {
            return StatusIoError;
        }
    }

    private bool IsInRange(ulong sector, long length) =>
        length % SectorSize == 0 && sector <= Capacity && (ulong)length / SectorSize <= Capacity - sector;

    private byte ReadSectorsLocked(in DescriptorChain chain, ulong sector, long length, ref long dataWritten)
    {
        if (!IsInRange(sector, length))
        {
            return StatusIoError;
        }
        _stream.Position = (long)(sector * SectorSize);
        for (long offset = 0; offset < length;)
        {
            int count = (int)Math.Min(_transferBuffer.Length, length - offset);
            Span<byte> bytes = _transferBuffer.AsSpan(0, count);
            try
            {
                _stream.ReadExactly(bytes);
            }
            catch (IOException)
            {
                // The file shrank under the guest (or the host disk failed): an I/O error for
                // this request, not a failed machine.
                return StatusIoError;
            }
            if (!chain.TryWrite(offset, bytes))
            {
                return StatusIoError;
            }
            offset += count;
            dataWritten = offset;
        }
        return StatusOk;
    }

    private byte WriteSectorsLocked(in DescriptorChain chain, ulong sector, long length)
    {
        if (!IsInRange(sector, length))
        {
            return StatusIoError;
        }
        _stream.Position = (long)(sector * SectorSize);
        for (long offset = 0; offset < length;)
        {
            int count = (int)Math.Min(_transferBuffer.Length, length - offset);
            Span<byte> bytes = _transferBuffer.AsSpan(0, count);
            if (!chain.TryRead(RequestHeaderSize + offset, bytes))
            {
                return StatusIoError;
            }
            try
            {
                _stream.Write(bytes);
            }
            catch (IOException)
            {
                return StatusIoError; // e.g. the host disk is full
            }
            offset += count;
        }
        return StatusOk;
    }

    private void FlushLocked()
    {
        if (_stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            _stream.Flush();
        }
    }
}
