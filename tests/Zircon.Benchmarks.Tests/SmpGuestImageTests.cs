using System.Buffers.Binary;

namespace Zircon.Benchmarks.Tests;

/// <summary>The two-processor guest of the SMP rows, decoded (not run: that needs KVM, and the benchmark does it).</summary>
public class SmpGuestImageTests
{
    private static readonly byte[] s_image = SmpGuestImage.Build();

    private static List<Instruction> Decode(int bitness, ulong address, int maxBytes = 0x80)
    {
        var decoder = Iced.Intel.Decoder.Create(bitness, new ByteArrayCodeReader(s_image, (int)address, maxBytes));
        decoder.IP = address;
        var list = new List<Instruction>();
        while (list.Count < 64)
        {
            decoder.Decode(out Instruction i);
            if (i.IsInvalid)
                break;
            list.Add(i);
            if (i.Mnemonic is Mnemonic.Iret or Mnemonic.Iretq)
                break;
        }
        return list;
    }

    private static ulong IvtTarget(int vector)
    {
        uint entry = BinaryPrimitives.ReadUInt32LittleEndian(s_image.AsSpan(vector * 4));
        return ((entry >> 16) << 4) + (entry & 0xFFFF);
    }

    [Fact]
    public void IvtEntry_IsSegmentAndOffset_AndRefusesOddOrFarHandlers()
    {
        Assert.Equal(0x0C00_0100u, SmpGuestImage.IvtEntry(SmpGuestImage.ApEntry + 0x100));
        Assert.Throws<InvalidOperationException>(() => SmpGuestImage.IvtEntry(SmpGuestImage.ApEntry + 0x101)); // would set a PML4 present bit
        Assert.Throws<InvalidOperationException>(() => SmpGuestImage.IvtEntry(SmpGuestImage.ApEntry + 0x10000));
    }

    [Fact]
    public void ApHandlers_AreReachedThroughTheRealModeIvt_AndLeaveThePml4EntriesTheyShareNotPresent()
    {
        foreach (int vector in new[] { SmpGuestImage.PingVector, SmpGuestImage.DeviceVector })
        {
            ulong pml4Entry = BinaryPrimitives.ReadUInt64LittleEndian(s_image.AsSpan(vector * 4 & ~7));
            Assert.Equal(0ul, pml4Entry & 1);
            List<Instruction> handler = Decode(16, IvtTarget(vector));
            Assert.Equal(Mnemonic.Push, handler[0].Mnemonic);
            Assert.Equal(Mnemonic.Iret, handler[^1].Mnemonic);
            // The EOI comes first: ECX = 0x80B before the first WRMSR.
            int wrmsr = handler.FindIndex(i => i.Mnemonic == Mnemonic.Wrmsr);
            Assert.Contains(handler.Take(wrmsr), i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.ECX && i.Immediate32 == 0x80B);
        }
    }

    [Fact]
    public void PingHandler_SendsThePongIpiToApic0_AndDeviceHandlerReportsOnTheHandlerPort()
    {
        List<Instruction> ping = Decode(16, IvtTarget(SmpGuestImage.PingVector));
        Assert.Contains(ping, i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.ECX && i.Immediate32 == 0x830);
        Assert.Contains(ping, i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.EAX && i.Immediate32 == (0x4000u | SmpGuestImage.PongVector));
        Assert.Contains(ping, i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.EDX && i.Immediate32 == 0);
        Assert.Equal(2, ping.Count(i => i.Mnemonic == Mnemonic.Wrmsr)); // EOI, then the IPI

        List<Instruction> device = Decode(16, IvtTarget(SmpGuestImage.DeviceVector));
        Assert.Contains(device, i => i.Mnemonic == Mnemonic.Out && i.Immediate8 == GuestImage.HandlerPort);
    }

    [Fact]
    public void Bsp_ReportsReady_ThenBatchesPingsToApic1_AndItsPongGateCountsReplies()
    {
        List<Instruction> bsp = Decode(64, GuestImage.Entry, 0x100);
        int ready = bsp.FindIndex(i => i.Mnemonic == Mnemonic.Out && i.Immediate8 == GuestImage.ReadyPort);
        int batch = bsp.FindIndex(i => i.Mnemonic == Mnemonic.Out && i.Immediate8 == GuestImage.BatchPort);
        Assert.True(ready >= 0 && batch > ready, "ready, then batch exits");
        Assert.Contains(bsp, i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.ESI && i.Immediate32 == SmpGuestImage.RoundTripsPerBatch);
        Assert.Contains(bsp, i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.EAX && i.Immediate32 == (0x4000u | SmpGuestImage.PingVector));
        Assert.Contains(bsp, i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.EDX && i.Immediate32 == 1);
        // The wait cannot miss a reply: CLI, compare, STI immediately followed by HLT.
        int hlt = bsp.FindIndex(i => i.Mnemonic == Mnemonic.Hlt);
        Assert.Equal(Mnemonic.Sti, bsp[hlt - 1].Mnemonic);

        // IDT gate of the reply vector (64-bit, at 0x9000): its handler increments the counter and EOIs.
        int gate = 0x9000 + SmpGuestImage.PongVector * 16;
        ulong low = BinaryPrimitives.ReadUInt64LittleEndian(s_image.AsSpan(gate));
        ulong target = (low & 0xFFFF) | ((low >> 48) << 16);
        List<Instruction> pong = Decode(64, target);
        Assert.Contains(pong, i => i.Mnemonic == Mnemonic.Mov && i.Op0Register == Register.ECX && i.Immediate32 == SmpGuestImage.Counter);
        Assert.Contains(pong, i => i.Mnemonic == Mnemonic.Inc && i.Op0Kind == OpKind.Memory);
        Assert.Equal(Mnemonic.Iretq, pong[^1].Mnemonic);
    }
}
