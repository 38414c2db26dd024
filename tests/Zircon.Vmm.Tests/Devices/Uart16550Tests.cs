using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Tests.Devices;

public sealed class Uart16550Tests
{
    private const ulong Data = 0;      // RBR / THR / DLL
    private const ulong Ier = 1;       // IER / DLM
    private const ulong IirFcr = 2;
    private const ulong Lcr = 3;
    private const ulong Mcr = 4;
    private const ulong Lsr = 5;
    private const ulong Msr = 6;
    private const ulong Scr = 7;

    private readonly List<byte> _output = [];
    private readonly CountingInterrupt _interrupt = new();
    private readonly Uart16550 _uart;

    public Uart16550Tests()
    {
        _uart = new Uart16550(_output.Add, _interrupt);
    }

    private byte Read(ulong register) => (byte)_uart.Read(register, 1);

    private void Write(ulong register, byte value) => _uart.Write(register, 1, value);

    [Fact]
    public void ThrWrite_SendsByteToOutput()
    {
        Write(Data, (byte)'h');
        Write(Data, (byte)'i');

        Assert.Equal("hi"u8.ToArray(), _output);
    }

    [Fact]
    public void Lsr_AfterThrWrite_ShowsTransmitterEmpty()
    {
        Write(Data, 0x41);

        Assert.Equal(0x60, Read(Lsr)); // THRE | TEMT, no data ready
    }

    [Fact]
    public void Dlab_RedirectsDataAndIerToDivisorLatch()
    {
        Write(Ier, 0x03);
        Write(Lcr, 0x83);
        Write(Data, 0x01);
        Write(Ier, 0x00);

        Assert.Equal(0x01, Read(Data));
        Assert.Equal(0x00, Read(Ier));
        Assert.Empty(_output);

        Write(Lcr, 0x03);
        Assert.Equal(0x03, Read(Ier));
        Assert.Equal(0x03, Read(Lcr));
    }

    [Fact]
    public void ScratchRegister_ReadsBackWhatWasWritten()
    {
        Write(Scr, 0x5A);

        Assert.Equal(0x5A, Read(Scr));
    }

    [Fact]
    public void Iir_WithNothingPending_ReadsNoInterrupt()
    {
        Assert.Equal(0x01, Read(IirFcr));
    }

    [Fact]
    public void Receive_PutsBytesInRxFifo_ReadInOrderThroughRbr()
    {
        Assert.Equal(3, _uart.Receive("abc"u8));

        Assert.Equal(0x61, Read(Lsr)); // DR | THRE | TEMT
        Assert.Equal((byte)'a', Read(Data));
        Assert.Equal((byte)'b', Read(Data));
        Assert.Equal((byte)'c', Read(Data));
        Assert.Equal(0x60, Read(Lsr));
        Assert.Equal(0, _uart.RxCount);
    }

    [Fact]
    public void Receive_WhenFifoFull_TakesOnlyWhatFits()
    {
        var uart = new Uart16550(_ => { }, _interrupt, rxFifoCapacity: 16);

        Assert.Equal(16, uart.Receive(new byte[20]));
        Assert.Equal(0, uart.Receive(new byte[1]));
        Assert.Equal(16, uart.RxCount);
    }

    [Fact]
    public void Receive_WithReceiveInterruptEnabled_RaisesOnceUntilDrained()
    {
        Write(Ier, 0x01);

        _uart.Receive("a"u8);
        _uart.Receive("b"u8);
        Assert.Equal(1, _interrupt.Count);
        Assert.Equal(0x04, Read(IirFcr));

        Read(Data);
        Read(Data);
        Assert.Equal(0x01, Read(IirFcr));
        _uart.Receive("c"u8);
        Assert.Equal(2, _interrupt.Count);
    }

    [Fact]
    public void Receive_WithInterruptsDisabled_DoesNotRaise()
    {
        _uart.Receive("a"u8);

        Assert.Equal(0, _interrupt.Count);
        Assert.Equal(0x01, Read(IirFcr));
    }

    [Fact]
    public void EnablingReceiveInterrupt_WithDataWaiting_Raises()
    {
        _uart.Receive("a"u8);

        Write(Ier, 0x01);

        Assert.Equal(1, _interrupt.Count);
    }

    [Fact]
    public void EnablingThrEmptyInterrupt_Raises_AndReadingIirClearsIt()
    {
        Write(Ier, 0x02);

        Assert.Equal(1, _interrupt.Count);
        Assert.Equal(0x02, Read(IirFcr));
        Assert.Equal(0x01, Read(IirFcr));
    }

    [Fact]
    public void ThrWrite_WithThrEmptyInterruptEnabled_RaisesEachTime()
    {
        Write(Ier, 0x02);
        Read(IirFcr);

        Write(Data, 0x41);
        Write(Data, 0x42);

        Assert.Equal(3, _interrupt.Count);
        Assert.Equal(0x02, Read(IirFcr));
    }

    [Fact]
    public void Iir_WithReceivedDataAndThrEmptyPending_ReportsReceivedDataFirst()
    {
        Write(Ier, 0x03);
        _uart.Receive("x"u8);

        Assert.Equal(0x04, Read(IirFcr));
        Assert.Equal(0x04, Read(IirFcr)); // reading IIR does not clear received data
        Read(Data);
        Assert.Equal(0x02, Read(IirFcr));
        Assert.Equal(0x01, Read(IirFcr));
    }

    [Fact]
    public void ReadingIir_WhileReceivedDataPending_KeepsThrEmptyPending()
    {
        Write(Ier, 0x03);
        _uart.Receive("x"u8);
        Read(IirFcr);

        Read(Data);

        Assert.Equal(0x02, Read(IirFcr));
    }

    [Fact]
    public void Fcr_EnablingFifos_SetsIirFifoBits()
    {
        Write(IirFcr, 0x01);

        Assert.Equal(0xC1, Read(IirFcr));

        Write(IirFcr, 0x00);
        Assert.Equal(0x01, Read(IirFcr));
    }

    [Fact]
    public void Fcr_ClearReceiveFifo_DropsReceivedBytes()
    {
        Write(IirFcr, 0x01);
        _uart.Receive("abc"u8);

        Write(IirFcr, 0x03);

        Assert.Equal(0, _uart.RxCount);
        Assert.Equal(0x60, Read(Lsr));
    }

    [Fact]
    public void Loopback_RoutesThrToRxFifo_NotToOutput()
    {
        Write(Mcr, 0x10);

        Write(Data, 0x7E);

        Assert.Empty(_output);
        Assert.Equal(0x7E, Read(Data));
    }

    [Fact]
    public void Msr_WithoutLoopback_ShowsCarrierDsrAndCts()
    {
        Assert.Equal(0xB0, Read(Msr));
    }

    [Fact]
    public void Msr_InLoopback_MirrorsMcrOutputs_AndReportsDeltasOnce()
    {
        Write(Mcr, 0x10);                   // loopback, all outputs low
        Assert.Equal(0x0B, Read(Msr));      // CTS, DSR, DCD fell: DCTS | DDSR | DDCD
        Assert.Equal(0x00, Read(Msr));

        Write(Mcr, 0x1F);                   // DTR, RTS, OUT1, OUT2
        Assert.Equal(0xFB, Read(Msr));      // all four lines, deltas except TERI

        Write(Mcr, 0x1B);                   // OUT1 (RI) falls
        Assert.Equal(0xB4, Read(Msr));      // TERI
    }

    [Fact]
    public void ModemStatusInterrupt_WhenEnabled_RaisesOnLineChange()
    {
        Write(Ier, 0x08);

        Write(Mcr, 0x10);

        Assert.Equal(1, _interrupt.Count);
        Assert.Equal(0x00, Read(IirFcr));
        Read(Msr);
        Assert.Equal(0x01, Read(IirFcr));
    }

    [Fact]
    public void WideRead_ReadsConsecutiveRegisters()
    {
        Write(Lcr, 0x03);
        Write(Mcr, 0x0B);

        Assert.Equal(0x0B03u, _uart.Read(Lcr, 2));
        Assert.Equal(0xFFu, _uart.Read(8, 1));
    }
}
