using System.Text;
using Zircon.Vmm.Devices.Virtio;

namespace Zircon.Vmm.Tests.Devices;

public sealed class VirtioConsoleTests
{
    private const ulong ReceiveQueueBase = 0x10000;
    private const ulong TransmitQueueBase = 0x14000;
    private const ulong BufferA = 0x40000;
    private const ulong BufferB = 0x41000;
    private const ulong ReceiveDoorbell = 0;
    private const ulong TransmitDoorbell = 4;

    private readonly FakeGuestMemory _memory = new(1 << 20);
    private readonly CountingInterrupt _interrupt = new();
    private readonly MemoryStream _output = new();
    private readonly VirtioConsole _console;
    private readonly VirtioMmioTransport _transport;
    private readonly GuestQueue _receive;
    private readonly GuestQueue _transmit;

    public VirtioConsoleTests()
    {
        _console = new VirtioConsole(bytes => _output.Write(bytes));
        _transport = new VirtioMmioTransport(_console, _memory, _interrupt);
        _receive = new GuestQueue(_memory, 8, ReceiveQueueBase);
        _transmit = new GuestQueue(_memory, 8, TransmitQueueBase);
    }

    private string Output => Encoding.ASCII.GetString(_output.ToArray());

    private void Start() => _transport.Start(_receive, _transmit);

    [Fact]
    public void Identity_IsConsoleWithOnlyVersion1AndZeroConfig()
    {
        Assert.Equal(3u, _transport.Read32(MmioDriver.DeviceId));
        Assert.Equal(VirtioFeatures.Version1, _transport.ReadDeviceFeatures());
        Assert.Equal(0ul, _transport.Read(MmioDriver.Config, 8));
    }

    [Fact]
    public void Transmit_SendsBufferBytesToOutput_AndReturnsBuffer()
    {
        Start();
        _memory.WriteBytes(BufferA, "hello, "u8);
        _memory.WriteBytes(BufferB, "world"u8);
        ushort first = _transmit.Add(GuestBuffer.Readable(BufferA, 7));
        ushort second = _transmit.Add(GuestBuffer.Readable(BufferB, 5));

        _transport.Ring(TransmitDoorbell);

        Assert.Equal("hello, world", Output);
        Assert.Equal((first, 0u), _transmit.TakeUsed());
        Assert.Equal((second, 0u), _transmit.TakeUsed());
        Assert.Equal(VirtioInterrupt.UsedBuffer, _transport.InterruptStatus);
        Assert.Equal(1, _interrupt.Count);
    }

    [Fact]
    public void Transmit_OfChainedBuffers_SendsThemInOrder()
    {
        Start();
        _memory.WriteBytes(BufferA, "ab"u8);
        _memory.WriteBytes(BufferB, "cd"u8);
        _transmit.Add(GuestBuffer.Readable(BufferA, 2), GuestBuffer.Readable(BufferB, 2));

        _transport.Write32(MmioDriver.QueueNotify, 1);

        Assert.Equal("abcd", Output);
    }

    [Fact]
    public void Transmit_LargerThanInternalChunk_IsSentWhole()
    {
        Start();
        byte[] text = Enumerable.Range(0, 10_000).Select(i => (byte)('a' + i % 26)).ToArray();
        _memory.WriteBytes(BufferA, text);
        _transmit.Add(GuestBuffer.Readable(BufferA, (uint)text.Length));

        _transport.Ring(TransmitDoorbell);

        Assert.Equal(text, _output.ToArray());
    }

    [Fact]
    public void Receive_WithPostedBuffer_FillsItAndInterrupts()
    {
        Start();
        ushort head = _receive.Add(GuestBuffer.Writable(BufferA, 16));
        _transport.Ring(ReceiveDoorbell);

        Assert.Equal(5, _console.Receive("hello"u8));

        Assert.Equal((head, 5u), _receive.TakeUsed());
        Assert.Equal("hello"u8.ToArray(), _memory.ReadBytes(BufferA, 5));
        Assert.Equal(1, _interrupt.Count);
        Assert.Equal(0, _console.PendingInputCount);
    }

    [Fact]
    public void Receive_BeforeBuffersArePosted_IsDeliveredWhenTheGuestPostsThem()
    {
        Start();
        _console.Receive("early"u8);
        Assert.Equal(5, _console.PendingInputCount);
        Assert.Equal(0, _interrupt.Count);

        _receive.Add(GuestBuffer.Writable(BufferA, 16));
        _transport.Ring(ReceiveDoorbell);

        Assert.Equal(5u, _receive.TakeUsed().Length);
        Assert.Equal("early"u8.ToArray(), _memory.ReadBytes(BufferA, 5));
        Assert.Equal(1, _interrupt.Count);
    }

    [Fact]
    public void Receive_BeforeDriverOk_IsDeliveredOnDriverOk()
    {
        _console.Receive("boot"u8);
        Assert.True(_transport.Negotiate(VirtioFeatures.Version1));
        _transport.SetUpQueue(0, _receive);
        _transport.SetUpQueue(1, _transmit);
        _receive.Add(GuestBuffer.Writable(BufferA, 16));

        _transport.SetDriverOk();

        Assert.Equal(4u, _receive.TakeUsed().Length);
        Assert.Equal("boot"u8.ToArray(), _memory.ReadBytes(BufferA, 4));
    }

    [Fact]
    public void Receive_LongerThanABuffer_SpillsIntoNextBuffers_AndKeepsTheRest()
    {
        Start();
        _receive.Add(GuestBuffer.Writable(BufferA, 4));
        _receive.Add(GuestBuffer.Writable(BufferB, 2), GuestBuffer.Writable(BufferB + 0x100, 2));
        _transport.Ring(ReceiveDoorbell);

        _console.Receive("0123456789"u8);

        Assert.Equal(4u, _receive.TakeUsed().Length);
        Assert.Equal(4u, _receive.TakeUsed().Length);
        Assert.Equal("0123"u8.ToArray(), _memory.ReadBytes(BufferA, 4));
        Assert.Equal("45"u8.ToArray(), _memory.ReadBytes(BufferB, 2));
        Assert.Equal("67"u8.ToArray(), _memory.ReadBytes(BufferB + 0x100, 2));
        Assert.Equal(2, _console.PendingInputCount);
    }

    [Fact]
    public void Receive_WithNoInput_LeavesPostedBuffersUnused()
    {
        Start();
        _receive.Add(GuestBuffer.Writable(BufferA, 16));

        _transport.Ring(ReceiveDoorbell);

        Assert.Equal(0, _receive.UsedIndex);
        Assert.Equal(0, _interrupt.Count);
    }

    [Fact]
    public void Receive_BeyondPendingBound_TakesOnlyWhatFits()
    {
        var console = new VirtioConsole(_ => { }, maxPendingInput: 8);
        _ = new VirtioMmioTransport(console, _memory, _interrupt);

        Assert.Equal(8, console.Receive("0123456789"u8));
        Assert.Equal(0, console.Receive("x"u8));
    }

    [Fact]
    public void PendingInput_WrapsAroundItsBuffer_InOrder()
    {
        var console = new VirtioConsole(_ => { }, maxPendingInput: 8);
        var transport = new VirtioMmioTransport(console, _memory, _interrupt);
        var receive = new GuestQueue(_memory, 8, 0x20000);
        transport.Start(receive, new GuestQueue(_memory, 8, 0x24000));
        console.Receive("abcdef"u8);
        receive.Add(GuestBuffer.Writable(BufferA, 4));
        transport.Ring(ReceiveDoorbell);
        console.Receive("ghijkl"u8); // wraps in the pending buffer

        receive.Add(GuestBuffer.Writable(BufferB, 16));
        transport.Ring(ReceiveDoorbell);

        Assert.Equal(4u, receive.TakeUsed().Length);
        Assert.Equal(8u, receive.TakeUsed().Length);
        Assert.Equal("efghijkl"u8.ToArray(), _memory.ReadBytes(BufferB, 8));
    }

    [Fact]
    public void Receive_OnUnattachedConsole_Throws()
    {
        var console = new VirtioConsole(_ => { });

        Assert.Throws<InvalidOperationException>(() => console.Receive("x"u8));
    }

    [Fact]
    public void Receive_FromAnotherThread_WhileGuestTransmits_DeliversEverything()
    {
        Start();
        const int Rounds = 200;
        var input = new Thread(() =>
        {
            for (int i = 0; i < Rounds; i++)
            {
                while (_console.Receive([(byte)i]) == 0)
                {
                    Thread.Yield();
                }
            }
        });
        input.Start();
        var received = new List<byte>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        _memory.WriteBytes(BufferB, "t"u8);
        while (received.Count < Rounds && DateTime.UtcNow < deadline)
        {
            _receive.Add(GuestBuffer.Writable(BufferA, 64));
            _transport.Ring(ReceiveDoorbell);
            _transmit.Add(GuestBuffer.Readable(BufferB, 1));
            _transport.Ring(TransmitDoorbell);
            _transmit.TakeUsed();
            uint length;
            while (!_receive.TryTakeUsed(out _, out length))
            {
                Assert.True(DateTime.UtcNow < deadline, "input never arrived");
                Thread.Yield();
            }
            received.AddRange(_memory.ReadBytes(BufferA, (int)length));
        }
        input.Join();

        Assert.Equal(Enumerable.Range(0, Rounds).Select(i => (byte)i), received);
    }
}
