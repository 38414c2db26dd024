namespace Zircon.Tests;

public class VirtualInterruptTests
{
    private static Port CreateInterruptPort() => Port.Create(PortOptions.BindToInterrupt);

    [Fact]
    public void CreateVirtual_GivesAnInterruptWithDefaultRights()
    {
        using var irq = Interrupt.CreateVirtual();
        Assert.Equal(ZxObjectType.Interrupt, irq.ObjectType);
        Assert.Equal(ZxDefaultRights.Interrupt, irq.Rights);
    }

    [Fact]
    public void Trigger_WhenBoundToAPort_QueuesAnInterruptPacketWithKeyAndTimestamp()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Bind(port, key: 789);

        irq.Trigger(12345);
        ZxPortPacket packet = port.Wait(TestSupport.Deadline());

        Assert.Equal(ZxPacketType.Interrupt, packet.Type);
        Assert.Equal(789ul, packet.Key);
        Assert.Equal(ZxStatus.Ok, packet.Status);
        Assert.Equal(12345, packet.Interrupt.Timestamp);
    }

    [Fact]
    public void Ack_AfterATriggerWhileUnacknowledged_DeliversTheStoredTimestamp()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Bind(port, key: 1);

        irq.Trigger(100);
        Assert.Equal(100, port.Wait(TestSupport.Deadline()).Interrupt.Timestamp);
        irq.Trigger(200); // not delivered until the first one is acknowledged
        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));

        irq.Ack();

        Assert.Equal(200, port.Wait(TestSupport.Deadline()).Interrupt.Timestamp);
        Assert.Equal(ZxStatus.Ok, irq.TryAck());
        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));
    }

    [Fact]
    public void Bind_AfterATriggerWhileUnbound_QueuesThePacketAtOnce()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Trigger(555);

        irq.Bind(port, key: 3);

        ZxPortPacket packet = port.Wait(ZxTime.InfinitePast);
        Assert.Equal(3ul, packet.Key);
        Assert.Equal(555, packet.Interrupt.Timestamp);
    }

    [Fact]
    public void Bind_ToAPortNotCreatedForInterrupts_ThrowsWrongType()
    {
        using var port = Port.Create();
        using var irq = Interrupt.CreateVirtual();
        Assert.Equal(ZxStatus.ErrWrongType, Assert.Throws<ZxException>(() => irq.Bind(port, 1)).Status);
    }

    [Fact]
    public void Bind_WhenAlreadyBound_ThrowsAlreadyBound()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Bind(port, 1);
        Assert.Equal(ZxStatus.ErrAlreadyBound, Assert.Throws<ZxException>(() => irq.Bind(port, 2)).Status);
    }

    [Fact]
    public void Unbind_RemovesAQueuedPacket()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Bind(port, 1);
        irq.Trigger(10);

        irq.Unbind(port);

        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));
    }

    [Fact]
    public void Unbind_FromAPortItIsNotBoundTo_ThrowsNotFound()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        Assert.Equal(ZxStatus.ErrNotFound, Assert.Throws<ZxException>(() => irq.Unbind(port)).Status);
    }

    [Fact]
    public void Ack_WhenNotBound_ThrowsBadState_AndTryAckReturnsIt()
    {
        using var irq = Interrupt.CreateVirtual();
        Assert.Equal(ZxStatus.ErrBadState, Assert.Throws<ZxException>(irq.Ack).Status);
        Assert.Equal(ZxStatus.ErrBadState, irq.TryAck());
    }

    [Fact]
    public void Wait_ReturnsTheTimestampOfAnEarlierTrigger()
    {
        using var irq = Interrupt.CreateVirtual();
        irq.Trigger(67890);
        Assert.Equal(67890, irq.Wait());
    }

    [Fact]
    public async Task Wait_WakesWhenTriggeredFromAnotherThread()
    {
        using var irq = Interrupt.CreateVirtual();
        Task<long> waiter = TestSupport.OnNewThread(irq.Wait);
        await Task.Delay(20);

        Assert.Equal(ZxStatus.Ok, irq.TryTrigger(4242));

        Assert.Equal(4242, await waiter.Soon());
    }

    [Fact]
    public void Wait_WhenBoundToAPort_ThrowsBadState()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Bind(port, 1);
        Assert.Equal(ZxStatus.ErrBadState, Assert.Throws<ZxException>(() => irq.Wait()).Status);
        Assert.Equal(ZxStatus.ErrBadState, irq.TryWait(out _));
    }

    [Fact]
    public async Task Destroy_WakesABlockedWaiterWithCanceled()
    {
        using var irq = Interrupt.CreateVirtual();
        Task<ZxStatus> waiter = TestSupport.OnNewThread(() => irq.TryWait(out _));
        await Task.Delay(20);

        irq.Destroy();

        Assert.Equal(ZxStatus.ErrCanceled, await waiter.Soon());
        Assert.Equal(ZxStatus.ErrCanceled, irq.TryTrigger(1));
        Assert.Equal(ZxStatus.ErrCanceled, Assert.Throws<ZxException>(() => irq.Trigger(1)).Status);
    }

    [Fact]
    public async Task Dispose_WakesABlockedWaiterWithCanceled()
    {
        var irq = Interrupt.CreateVirtual();
        Task<long> waiter = TestSupport.OnNewThread(irq.Wait);
        await Task.Delay(20);

        irq.Dispose();

        var e = await Assert.ThrowsAsync<ZxException>(() => waiter.Soon());
        Assert.Equal(ZxStatus.ErrCanceled, e.Status);
    }

    [Fact]
    public void Destroy_AfterThePacketWasTakenButNotAcknowledged_ReportsNotFound()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Bind(port, 1);
        irq.Trigger(1);
        port.Wait(TestSupport.Deadline());

        Assert.Equal(ZxStatus.ErrNotFound, irq.TryDestroy());
        Assert.Equal(ZxStatus.ErrCanceled, irq.TryAck());
    }

    [Fact]
    public void Destroy_RemovesAQueuedPacket()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Bind(port, 1);
        irq.Trigger(1);

        irq.Destroy();

        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));
    }

    [Fact]
    public void InterruptPackets_AreDequeuedBeforeUserPackets()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Bind(port, 50);
        port.Queue(PortPackets.User(1));

        irq.Trigger(9);

        Assert.Equal(ZxPacketType.Interrupt, port.Wait(ZxTime.InfinitePast).Type);
        Assert.Equal(ZxPacketType.User, port.Wait(ZxTime.InfinitePast).Type);
    }

    [Fact]
    public async Task WaitAsync_OnTheBoundPort_ReceivesTheInterruptPacket()
    {
        using var port = CreateInterruptPort();
        using var irq = Interrupt.CreateVirtual();
        irq.Bind(port, 8);
        ValueTask<ZxPortPacket> wait = port.WaitAsync();

        irq.Trigger(31337);

        ZxPortPacket packet = await wait.AsTask().Soon();
        Assert.Equal(ZxPacketType.Interrupt, packet.Type);
        Assert.Equal(31337, packet.Interrupt.Timestamp);
    }

    [Fact]
    public void Trigger_WithoutSignalRight_ThrowsAccessDenied()
    {
        using var irq = Interrupt.CreateVirtual();
        using Interrupt noSignal = irq.Duplicate(ZxRights.Read | ZxRights.Write | ZxRights.Wait);
        Assert.Equal(ZxStatus.ErrAccessDenied, Assert.Throws<ZxException>(() => noSignal.Trigger(1)).Status);
    }
}
