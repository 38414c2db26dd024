namespace Zircon.Tests;

public class ZxClockTests
{
    [Fact]
    public void Monotonic_NeverGoesBackwards()
    {
        long first = ZxClock.Monotonic;
        long second = ZxClock.Monotonic;
        Assert.True(first > 0);
        Assert.True(second >= first);
    }

    [Fact]
    public void DeadlineAfter_IsNowPlusTheDuration()
    {
        long before = ZxClock.Monotonic;
        long deadline = ZxClock.DeadlineAfter(TimeSpan.FromSeconds(1));
        Assert.InRange(deadline, before + 1_000_000_000, ZxClock.Monotonic + 1_000_000_000);
    }

    [Fact]
    public void DeadlineAfter_SaturatesAtInfinite()
    {
        Assert.Equal(ZxTime.Infinite, ZxClock.DeadlineAfter(long.MaxValue));
        Assert.Equal(ZxTime.Infinite, ZxClock.DeadlineAfter(TimeSpan.MaxValue));
        Assert.Equal(ZxTime.Infinite, ZxClock.DeadlineAfter(Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void SleepUntil_ReturnsAfterTheDeadline()
    {
        long deadline = ZxClock.DeadlineAfter(TimeSpan.FromMilliseconds(5));
        ZxClock.SleepUntil(deadline);
        Assert.True(ZxClock.Monotonic >= deadline);
        ZxClock.SleepUntil(ZxTime.InfinitePast); // returns at once
    }

    [Fact]
    public void ToNanoseconds_ConvertsAndSaturates()
    {
        Assert.Equal(1_500_000, ZxClock.ToNanoseconds(TimeSpan.FromMilliseconds(1.5)));
        Assert.Equal(long.MaxValue, ZxClock.ToNanoseconds(TimeSpan.MaxValue));
        Assert.Equal(long.MinValue, ZxClock.ToNanoseconds(TimeSpan.MinValue));
    }
}

public class PortPacketsTests
{
    [Fact]
    public void User_WithWords_StoresThemLittleEndianInThePayload()
    {
        ZxPortPacket packet = PortPackets.User(9, 0x0102030405060708, 2, 3, 4);
        Assert.Equal(9ul, packet.Key);
        Assert.Equal(ZxPacketType.User, packet.Type);
        Assert.Equal(0x08, PortPackets.UserPayload(ref packet)[0]);
        for (int i = 0; i < PortPackets.UserWordCount; i++)
            Assert.Equal(i == 0 ? 0x0102030405060708ul : (ulong)(i + 1), PortPackets.GetUserWord(packet, i));
    }

    [Fact]
    public void User_WithBytes_CopiesThemAndZeroesTheRest()
    {
        ZxPortPacket packet = PortPackets.User(1, [0xAA, 0xBB], ZxStatus.ErrIo);
        Span<byte> payload = PortPackets.UserPayload(ref packet);
        Assert.Equal(0xAA, payload[0]);
        Assert.Equal(0xBB, payload[1]);
        Assert.All(payload[2..].ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(ZxStatus.ErrIo, packet.Status);
    }

    [Fact]
    public void User_WithMoreThan32Bytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => PortPackets.User(1, new byte[33]));
    }

    [Fact]
    public void GetUserWord_OutOfRange_Throws()
    {
        ZxPortPacket packet = PortPackets.User(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => PortPackets.GetUserWord(packet, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => PortPackets.GetUserWord(packet, -1));
    }
}
