using System.Buffers.Binary;
using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Tests.Devices;

/// <summary>Guest RAM as a byte array at guest-physical 0.</summary>
internal sealed class FakeGuestMemory(int size) : IGuestMemory
{
    private readonly byte[] _bytes = new byte[size];
    private readonly Lock _lock = new();

    public int Size => _bytes.Length;

    public bool TryRead(ulong address, Span<byte> destination)
    {
        lock (_lock)
        {
            if (!Contains(address, destination.Length))
            {
                return false;
            }
            _bytes.AsSpan((int)address, destination.Length).CopyTo(destination);
            return true;
        }
    }

    public bool TryWrite(ulong address, ReadOnlySpan<byte> source)
    {
        lock (_lock)
        {
            if (!Contains(address, source.Length))
            {
                return false;
            }
            source.CopyTo(_bytes.AsSpan((int)address));
            return true;
        }
    }

    public byte[] ReadBytes(ulong address, int length)
    {
        var bytes = new byte[length];
        Assert.True(TryRead(address, bytes));
        return bytes;
    }

    public void WriteBytes(ulong address, ReadOnlySpan<byte> bytes) => Assert.True(TryWrite(address, bytes));

    public ushort ReadUInt16(ulong address) => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(address, 2));

    public uint ReadUInt32(ulong address) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(address, 4));

    public void WriteUInt16(ulong address, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        WriteBytes(address, bytes);
    }

    public void WriteUInt32(ulong address, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        WriteBytes(address, bytes);
    }

    public void WriteUInt64(ulong address, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        WriteBytes(address, bytes);
    }

    private bool Contains(ulong address, int length) =>
        address <= (ulong)_bytes.Length && (ulong)length <= (ulong)_bytes.Length - address;
}

/// <summary>An interrupt line that counts its edges.</summary>
internal sealed class CountingInterrupt : IInterruptSignal
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Raise() => Interlocked.Increment(ref _count);
}

/// <summary>A periodic timer driven by hand: <see cref="Fire"/> runs one tick.</summary>
internal sealed class FakePeriodicTimer : IPeriodicTimer
{
    private Action? _tick;

    public TimeSpan? Period { get; private set; }

    public int StartCount { get; private set; }

    public int StopCount { get; private set; }

    public bool IsRunning => _tick is not null;

    public void Start(TimeSpan period, Action tick)
    {
        Period = period;
        _tick = tick;
        StartCount++;
    }

    public void Stop()
    {
        Period = null;
        _tick = null;
        StopCount++;
    }

    public void Fire(int times = 1)
    {
        Action tick = _tick ?? throw new InvalidOperationException("The timer is not running.");
        for (int i = 0; i < times; i++)
        {
            tick();
        }
    }
}
