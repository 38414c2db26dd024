namespace Zircon.Tests;

public class PortTests
{
    [Fact]
    public void Create_GivesAPortWithDefaultRights()
    {
        using var port = Port.Create();
        Assert.Equal(ZxObjectType.Port, port.ObjectType);
        Assert.Equal(ZxDefaultRights.Port, port.Rights);
        Assert.Equal(0u, (uint)(port.Rights & ZxRights.Wait)); // a port is not waitable
    }

    [Fact]
    public void Queue_ThenWait_ReturnsThePacket()
    {
        using var port = Port.Create();
        port.Queue(PortPackets.User(key: 42, word0: 1, word1: 2, word2: 3, word3: 4));

        ZxPortPacket packet = port.Wait(TestSupport.Deadline());

        Assert.Equal(42ul, packet.Key);
        Assert.Equal(ZxPacketType.User, packet.Type);
        Assert.Equal(ZxStatus.Ok, packet.Status);
        Assert.Equal(1ul, PortPackets.GetUserWord(packet, 0));
        Assert.Equal(4ul, PortPackets.GetUserWord(packet, 3));
    }

    [Fact]
    public void Queue_KeepsStatusAndPayloadButForcesTypeUser()
    {
        using var port = Port.Create();
        ZxPortPacket sent = PortPackets.User(7, "hello"u8, ZxStatus.ErrNoMemory);
        sent.Type = ZxPacketType.Interrupt;

        port.Queue(sent);
        ZxPortPacket received = port.Wait(TestSupport.Deadline());

        Assert.Equal(ZxPacketType.User, received.Type);
        Assert.Equal(ZxStatus.ErrNoMemory, received.Status);
        Assert.True(PortPackets.UserPayload(ref received)[..5].SequenceEqual("hello"u8));
    }

    [Fact]
    public void Wait_DeliversPacketsInArrivalOrder()
    {
        using var port = Port.Create();
        for (ulong key = 1; key <= 5; key++)
            port.Queue(PortPackets.User(key));
        for (ulong key = 1; key <= 5; key++)
            Assert.Equal(key, port.Wait(TestSupport.Deadline()).Key);
    }

    [Fact]
    public void Wait_WhenEmptyPastTheDeadline_ThrowsTimedOut()
    {
        using var port = Port.Create();
        var e = Assert.Throws<ZxException>(() => port.Wait(ZxTime.InfinitePast));
        Assert.Equal(ZxStatus.ErrTimedOut, e.Status);
    }

    [Fact]
    public void Wait_WithRelativeDeadline_TimesOutAfterIt()
    {
        using var port = Port.Create();
        long start = ZxClock.Monotonic;
        ZxStatus status = port.TryWait(ZxClock.DeadlineAfter(TimeSpan.FromMilliseconds(20)), out _);
        Assert.Equal(ZxStatus.ErrTimedOut, status);
        Assert.True(ZxClock.Monotonic - start >= 20_000_000);
    }

    [Fact]
    public void TryWait_WhenEmpty_ReturnsTimedOut()
    {
        using var port = Port.Create();
        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));
    }

    [Fact]
    public void TryWait_WhenAPacketIsQueued_ReturnsOkAndThePacket()
    {
        using var port = Port.Create();
        Assert.Equal(ZxStatus.Ok, port.TryQueue(PortPackets.User(3)));
        Assert.Equal(ZxStatus.Ok, port.TryWait(ZxTime.InfinitePast, out ZxPortPacket packet));
        Assert.Equal(3ul, packet.Key);
    }

    [Fact]
    public async Task Wait_WakesWhenAPacketIsQueuedFromAnotherThread()
    {
        using var port = Port.Create();
        Task<ZxPortPacket> waiter = TestSupport.OnNewThread(() => port.Wait(TestSupport.Deadline()));
        await Task.Delay(20);

        port.Queue(PortPackets.User(99));

        Assert.Equal(99ul, (await waiter.Soon()).Key);
    }

    [Fact]
    public void TryQueue_PastThePerPortUserPacketLimit_ReturnsShouldWait()
    {
        using var port = Port.Create();
        ZxPortPacket packet = PortPackets.User(1);
        int queued = 0;
        ZxStatus status;
        while ((status = port.TryQueue(packet)) == ZxStatus.Ok && queued < 10_000)
            queued++;

        Assert.Equal(ZxStatus.ErrShouldWait, status);
        Assert.InRange(queued, 2048, 2049);
        Assert.Equal(ZxStatus.ErrShouldWait, Assert.Throws<ZxException>(() => port.Queue(packet)).Status);

        // Taking one packet makes room for one more.
        port.Wait(ZxTime.InfinitePast);
        Assert.Equal(ZxStatus.Ok, port.TryQueue(packet));
    }

    [Fact]
    public void Queue_WithoutWriteRight_ThrowsAccessDenied()
    {
        using var port = Port.Create();
        using Port readOnly = port.Duplicate(ZxRights.Read);
        var e = Assert.Throws<ZxException>(() => readOnly.Queue(PortPackets.User(1)));
        Assert.Equal(ZxStatus.ErrAccessDenied, e.Status);
    }

    [Fact]
    public void Wait_WithoutReadRight_ThrowsAccessDenied()
    {
        using var port = Port.Create();
        using Port writeOnly = port.Duplicate(ZxRights.Write);
        Assert.Equal(ZxStatus.ErrAccessDenied, writeOnly.TryWait(ZxTime.InfinitePast, out _));
    }

    [Fact]
    public void Dispose_ClosesThePort()
    {
        var port = Port.Create();
        uint raw = port.Handle;
        port.Dispose();
        Assert.Equal(ZxStatus.ErrBadHandle, TestSupport.RawHandleStatus(raw));
        Assert.Equal(ZxStatus.ErrBadHandle, port.TryQueue(PortPackets.User(1)));
    }
}
