using Microsoft.Win32.SafeHandles;

namespace Zircon.Tests;

// Host interrupt lines are process-wide, so every test here uses its own line number.
public class PhysicalInterruptTests
{
    [Fact]
    public async Task Wait_WakesWhenTheHostLineIsRaisedFromAnotherThread()
    {
        var line = new HostInterruptLine(200);
        using var irq = Interrupt.CreatePhysical(Resource.Root, line.Number);
        Task<long> waiter = TestSupport.OnNewThread(irq.Wait);
        await Task.Delay(20);
        long before = ZxClock.Monotonic;

        var raiser = new Thread(line.Raise);
        raiser.Start();

        long timestamp = await waiter.Soon();
        raiser.Join();
        Assert.InRange(timestamp, before, ZxClock.Monotonic);
    }

    [Fact]
    public void Raise_WhenBoundToAPort_QueuesAnInterruptPacketStampedWithTheMonotonicTime()
    {
        var line = new HostInterruptLine(201);
        using var port = Port.Create(PortOptions.BindToInterrupt);
        using var irq = Interrupt.CreatePhysical(Resource.Root, line.Number, InterruptMode.EdgeHigh);
        irq.Bind(port, key: 201);
        long before = ZxClock.Monotonic;

        line.Raise();

        ZxPortPacket packet = port.Wait(TestSupport.Deadline());
        Assert.Equal(ZxPacketType.Interrupt, packet.Type);
        Assert.Equal(201ul, packet.Key);
        Assert.InRange(packet.Interrupt.Timestamp, before, ZxClock.Monotonic);
        irq.Ack();
    }

    [Fact]
    public void Raise_AgainAfterAck_DeliversAnotherPacket()
    {
        var line = new HostInterruptLine(202);
        using var port = Port.Create(PortOptions.BindToInterrupt);
        using var irq = Interrupt.CreatePhysical(Resource.Root, line.Number);
        irq.Bind(port, key: 1);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ZxStatus.Ok, line.TryRaise());
            Assert.Equal(ZxPacketType.Interrupt, port.Wait(TestSupport.Deadline()).Type);
            irq.Ack();
        }
    }

    [Fact]
    public void WritingTheLinesEventFd_RaisesTheLine()
    {
        var line = new HostInterruptLine(203);
        using var port = Port.Create(PortOptions.BindToInterrupt);
        using var irq = Interrupt.CreatePhysical(Resource.Root, line.Number);
        irq.Bind(port, key: 203);

        using (var fd = new SafeFileHandle(line.EventFd, ownsHandle: false))
            RandomAccess.Write(fd, BitConverter.GetBytes(1ul), 0);

        Assert.Equal(203ul, port.Wait(TestSupport.Deadline()).Key);
    }

    [Fact]
    public void Trigger_OnAPhysicalInterrupt_ThrowsBadState()
    {
        using var irq = Interrupt.CreatePhysical(Resource.Root, 204);
        Assert.Equal(ZxStatus.ErrBadState, Assert.Throws<ZxException>(() => irq.Trigger(1)).Status);
    }

    [Fact]
    public void CreatePhysical_WithAClosedResource_ThrowsBadHandle()
    {
        var resource = Resource.Root.Duplicate();
        resource.Dispose();
        var e = Assert.Throws<ZxException>(() => Interrupt.CreatePhysical(resource, 205));
        Assert.Equal(ZxStatus.ErrBadHandle, e.Status);
    }

    [Fact]
    public void CreatePhysical_OnALineThatDoesNotExist_ThrowsInvalidArgs()
    {
        var e = Assert.Throws<ZxException>(() => Interrupt.CreatePhysical(Resource.Root, HostInterruptLine.Count));
        Assert.Equal(ZxStatus.ErrInvalidArgs, e.Status);
    }

    [Fact]
    public void HostInterruptLine_RejectsANumberOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HostInterruptLine(HostInterruptLine.Count));
    }
}
