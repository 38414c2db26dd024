using System.Collections.Concurrent;
using Zircon.Vmm.Devices;

namespace Zircon.Vmm.Tests.Devices;

/// <summary>The IO-APIC as a pure state machine, driven the way Linux's io_apic.c drives it.</summary>
public class IoApicTests
{
    private sealed class RecordingDelivery : IVectorDelivery
    {
        public readonly ConcurrentQueue<byte> Prepared = new();
        public readonly ConcurrentQueue<(byte Vector, ulong Targets)> PreparedFor = new();
        public readonly ConcurrentQueue<byte> Delivered = new();

        public void Prepare(byte vector, ulong targets)
        {
            Prepared.Enqueue(vector);
            PreparedFor.Enqueue((vector, targets));
        }

        public void Deliver(byte vector) => Delivered.Enqueue(vector);
    }

    private readonly RecordingDelivery _delivery = new();
    private readonly IoApic _ioApic;

    public IoApicTests() => _ioApic = new IoApic(_delivery, id: 1);

    private uint ReadRegister(byte register)
    {
        _ioApic.Write(IoApic.SelectOffset, 4, register);
        return (uint)_ioApic.Read(IoApic.WindowOffset, 4);
    }

    private void WriteRegister(byte register, uint value)
    {
        _ioApic.Write(IoApic.SelectOffset, 4, register);
        _ioApic.Write(IoApic.WindowOffset, 4, value);
    }

    private void Route(int pin, byte vector, bool masked = false, uint flags = 0)
    {
        WriteRegister((byte)(0x11 + 2 * pin), 0); // destination APIC 0
        WriteRegister((byte)(0x10 + 2 * pin), vector | flags | (masked ? 1u << 16 : 0));
    }

    [Theory]
    [InlineData(0x00UL, false, 1UL)]            // physical APIC 0
    [InlineData(0x01UL, false, 2UL)]            // physical APIC 1
    [InlineData(0x3FUL, false, 1UL << 63)]      // physical APIC 63
    [InlineData(0x40UL, false, 0UL)]            // physical APIC 64: no such processor here
    [InlineData(0xFFUL, false, ulong.MaxValue)] // physical broadcast
    [InlineData(0x03UL, true, 3UL)]             // flat logical: CPUs 0 and 1
    [InlineData(0xFFUL, true, 0xFFUL)]          // flat logical: all eight
    public void Targets_FollowTheDestinationField(ulong destination, bool logical, ulong expected)
    {
        ulong entry = 0x40 | (logical ? IoApic.DestinationModeLogicalBit : 0) | (destination << 56);
        Assert.Equal(expected, IoApic.Targets(entry));
    }

    [Fact]
    public void LowestPriority_TargetsOneProcessor_TheLowestNamed()
    {
        ulong entry = 0x40 | (1UL << 8) | IoApic.DestinationModeLogicalBit | (0x06UL << 56); // CPUs 1 and 2
        Assert.Equal(2UL, IoApic.Targets(entry));
    }

    [Fact]
    public void AnEntryToTwoCpus_IsPreparedForBoth_AndRetargetingPreparesItAgain()
    {
        WriteRegister(0x11 + 2 * 5, 0x03u << 24); // flat logical destination: CPUs 0 and 1
        WriteRegister(0x10 + 2 * 5, 0x45 | (1u << 11));
        WriteRegister(0x11 + 2 * 5, 0x02u << 24); // CPU 1 only (Linux moving an IRQ's affinity)
        WriteRegister(0x11 + 2 * 5, 0x02u << 24); // unchanged: not prepared again
        Assert.Equal([((byte)0x45, 3UL), ((byte)0x45, 2UL)], _delivery.PreparedFor.ToArray());
        _ioApic.Pin(5).Raise();
        Assert.Equal((byte[])[0x45], _delivery.Delivered.ToArray());
    }

    [Fact]
    public void TwoPinsWithOneVectorOnDifferentCpus_PrepareTheVectorForBoth()
    {
        // Linux's per-CPU vectors: IRQ 4 is 0x21 on CPU 0, IRQ 5 is 0x21 on CPU 1 (flat logical).
        WriteRegister(0x11 + 2 * 4, 0x01u << 24);
        WriteRegister(0x10 + 2 * 4, 0x21 | (1u << 11));
        WriteRegister(0x11 + 2 * 5, 0x02u << 24);
        WriteRegister(0x10 + 2 * 5, 0x21 | (1u << 11));
        Assert.Equal([((byte)0x21, 1UL), ((byte)0x21, 3UL)], _delivery.PreparedFor.ToArray());
    }

    [Fact]
    public void IdVersionAndArbitration_ReadAsAn82093AAWith24Pins()
    {
        Assert.Equal(1u << 24, ReadRegister(0x00));
        Assert.Equal(0x0017_0011u, ReadRegister(0x01)); // 23 = max redirection entry, version 0x11
        Assert.Equal(1u << 24, ReadRegister(0x02));
        WriteRegister(0x00, 5u << 24);
        Assert.Equal(5u << 24, ReadRegister(0x00));
        WriteRegister(0x01, 0);
        Assert.Equal(0x0017_0011u, ReadRegister(0x01)); // read-only
    }

    [Fact]
    public void EveryPin_IsMaskedAtReset_AndRaisingAMaskedPinDeliversNothing()
    {
        for (int pin = 0; pin < IoApic.PinCount; pin++)
            Assert.Equal(1u << 16, ReadRegister((byte)(0x10 + 2 * pin)));
        _ioApic.Pin(4).Raise();
        Assert.Empty(_delivery.Delivered);
    }

    [Fact]
    public void AnUnmaskedFixedEntry_IsPreparedOnce_AndEachRaiseDeliversItsVector()
    {
        Route(4, 0x24);
        Assert.Equal((byte[])[0x24], _delivery.Prepared.ToArray());
        _ioApic.Pin(4).Raise();
        _ioApic.Pin(4).Raise();
        Assert.Equal((byte[])[0x24, 0x24], _delivery.Delivered.ToArray());
        Route(4, 0x24, masked: true);
        Route(4, 0x24);
        Assert.Equal((byte[])[0x24], _delivery.Prepared.ToArray()); // bound once for the machine's life
    }

    [Fact]
    public void AnEdgeWhileMasked_IsDeliveredAtUnmask_Once()
    {
        Route(5, 0x30, masked: true);
        _ioApic.Pin(5).Raise();
        _ioApic.Pin(5).Raise();
        Assert.Empty(_delivery.Delivered);
        Route(5, 0x30);
        Assert.Equal((byte[])[0x30], _delivery.Delivered.ToArray());
        Route(5, 0x30); // rewriting an unmasked entry does not replay anything
        Assert.Equal((byte[])[0x30], _delivery.Delivered.ToArray());
    }

    [Fact]
    public void ReprogrammingAVector_RoutesLaterRaisesToTheNewVector()
    {
        Route(6, 0x31);
        Route(6, 0x41);
        _ioApic.Pin(6).Raise();
        Assert.Equal((byte[])[0x31, 0x41], _delivery.Prepared.ToArray());
        Assert.Equal((byte[])[0x41], _delivery.Delivered.ToArray());
    }

    [Fact]
    public void TheEntry_KeepsWritableBits_ReadOnlyBitsReadZero_AndTheDestinationHalf()
    {
        WriteRegister(0x10 + 2 * 3 + 1, 0xAB00_0000);
        WriteRegister(0x10 + 2 * 3, 0xFFFF_FFFF);
        uint low = ReadRegister(0x10 + 2 * 3);
        Assert.Equal(0u, low & (1u << 12)); // delivery status
        Assert.Equal(0u, low & (1u << 14)); // remote IRR
        Assert.Equal(0x1_AFFFu, low);
        Assert.Equal(0xAB00_0000u, ReadRegister(0x10 + 2 * 3 + 1));
        Assert.Equal(0xAB00_0000_0001_AFFFUL, _ioApic.RedirectionEntry(3));
    }

    [Theory]
    [InlineData(2u << 8)] // SMI
    [InlineData(4u << 8)] // NMI
    [InlineData(5u << 8)] // INIT
    [InlineData(7u << 8)] // ExtINT
    public void NonFixedDeliveryModes_AreDroppedAndCounted(uint mode)
    {
        Route(7, 0x50, flags: mode);
        _ioApic.Pin(7).Raise();
        Assert.Empty(_delivery.Delivered);
        Assert.Empty(_delivery.Prepared);
        Assert.Equal(1, _ioApic.DroppedDeliveries);
    }

    [Fact]
    public void LowestPriority_IsDeliveredLikeFixed()
    {
        Route(8, 0x51, flags: 1u << 8);
        _ioApic.Pin(8).Raise();
        Assert.Equal((byte[])[0x51], _delivery.Delivered.ToArray());
    }

    [Fact]
    public void VectorsBelow16_AreNeverDelivered()
    {
        Route(9, 0x05);
        _ioApic.Pin(9).Raise();
        Assert.Empty(_delivery.Delivered);
        Assert.Equal(1, _ioApic.DroppedDeliveries);
    }

    [Fact]
    public void OutOfRangeRegistersAndOffsets_ReadZero_AndWritesAreIgnored()
    {
        Assert.Equal(0u, ReadRegister(0x40));
        WriteRegister(0x40, 0xFFFF_FFFF);
        _ioApic.Write(0x40, 4, 0x24); // the version-0x20 EOI register
        Assert.Equal(0UL, _ioApic.Read(0x20, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ioApic.Pin(24));
    }

    [Fact]
    public async Task Race_DevicesRaisingWhileTheGuestMasksAndUnmasks_NeverLoseTheLastEdge_NorDeliverMasked()
    {
        // Invariants: every delivered vector is one the guest routed; after the final unmask, an edge
        // raised at any time before it has been delivered (latched or direct).
        for (int round = 0; round < 50; round++)
        {
            var delivery = new RecordingDelivery();
            var ioApic = new IoApic(delivery, 1);
            void Write(byte reg, uint value) { lock (ioApic) { ioApic.Write(0, 4, reg); ioApic.Write(0x10, 4, value); } }
            Write(0x10 + 8, 0x60 | (1u << 16));
            using var stop = new CancellationTokenSource();
            var raisers = Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
            {
                while (!stop.IsCancellationRequested)
                    ioApic.Pin(4).Raise();
            })).ToArray();
            var random = new Random(round);
            for (int i = 0; i < 200; i++)
                Write(0x10 + 8, (random.Next(2) == 0 ? 0x60u : 0x61u) | (random.Next(2) == 0 ? 1u << 16 : 0));
            Write(0x10 + 8, 0x62 | (1u << 16));
            stop.Cancel();
            await Task.WhenAll(raisers);
            int before = delivery.Delivered.Count;
            ioApic.Pin(4).Raise(); // masked: latched
            Write(0x10 + 8, 0x62);
            Assert.All(delivery.Delivered, v => Assert.Contains(v, new byte[] { 0x60, 0x61, 0x62 }));
            Assert.Equal(before + 1, delivery.Delivered.Count);
            Assert.Equal((byte)0x62, delivery.Delivered.Last());
        }
    }
}
