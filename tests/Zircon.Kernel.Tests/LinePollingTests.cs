using Zircon.Kernel.Platform;

namespace Zircon.Kernel.Tests;

/// <summary>
/// A thread blocked in <c>zx_port_wait</c> on a port with physical interrupts bound sleeps on the
/// lines' eventfds itself (one wake-up per raise, issue 9). These check that it hands the lines
/// back to the shared watcher whenever it stops polling them, and a randomized race with raisers,
/// acks, several waiters and unbind/rebind churn.
/// </summary>
public class LinePollingTests
{
    private static readonly long FiveSeconds = 5_000_000_000;

    private static uint Physical(uint line)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(Syscalls.GetRootResource(), line, 0, out uint irq));
        return irq;
    }

    [Fact]
    public void WaiterThatTimedOut_GivesTheLineBack_SoALaterRaiseStillBecomesAPacket()
    {
        uint irq = Physical(160);
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 3, ZxInterruptOptions.Bind));
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Syscalls.DeadlineAfter(20_000_000), out _));
        // Nobody waits now: only the watcher thread can turn this raise into a packet.
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(160));
        Assert.True(SpinWait.SpinUntil(() => Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p) == ZxStatus.Ok && p.Key == 3, TimeSpan.FromSeconds(5)),
            "the raise after the timed-out wait never became a packet (line left disarmed)");
        Zx.Close(irq, port);
    }

    [Fact]
    public void LineParkedUntilTheAck_ARaiseMeanwhileComesOutAfterTheAck_EvenWithNobodyWaiting()
    {
        uint irq = Physical(163);
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 6, ZxInterruptOptions.Bind));
        var waiter = Task.Run(() => (Syscalls.PortWait(port, Syscalls.DeadlineAfter(FiveSeconds), out ZxPortPacket p), p.Key));
        Thread.Sleep(50); // polling the line
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(163));
        Assert.True(waiter.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal((ZxStatus.Ok, 6ul), waiter.Result);
        // Not acked: a raise now is held (as Zircon masks the interrupt until the ack).
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(163));
        Thread.Sleep(20);
        Assert.Equal(ZxStatus.ErrTimedOut, Syscalls.PortWait(port, Zx.Past, out _));
        // The ack hands the line back to the watcher thread, which finds the held raise.
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptAck(irq));
        Assert.True(SpinWait.SpinUntil(() => Syscalls.PortWait(port, Zx.Past, out ZxPortPacket p) == ZxStatus.Ok && p.Key == 6, TimeSpan.FromSeconds(5)),
            "the raise held until the ack never came out");
        Zx.Close(irq, port);
    }

    [Fact]
    public void UnbindWhileAWaiterPolls_TheLineGoesBackToTheInterrupt()
    {
        uint irq = Physical(161);
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 4, ZxInterruptOptions.Bind));
        var waiter = Task.Run(() => Syscalls.PortWait(port, Syscalls.DeadlineAfter(FiveSeconds), out _));
        Thread.Sleep(50); // let it start polling the line
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
        var interruptWait = Task.Run(() => Syscalls.InterruptWait(irq, out _));
        Thread.Sleep(20);
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(161));
        // The raise belongs to the unbound interrupt now: zx_interrupt_wait gets it; the port does not.
        Assert.True(interruptWait.Wait(TimeSpan.FromSeconds(5)), "zx_interrupt_wait never saw the raise");
        Assert.Equal(ZxStatus.Ok, interruptWait.Result);
        Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(9))); // release the port waiter
        Assert.True(waiter.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(ZxStatus.Ok, waiter.Result);
        Zx.Close(irq, port);
    }

    [Fact]
    public void Race_RaisersAcksWaitersAndRebinds_LoseNoFinalRaise_AndNeverInventOne()
    {
        const uint Line = 162;
        uint irq = Physical(Line);
        uint port = Zx.Port(ZxPortOptions.BindToInterrupt);
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 5, ZxInterruptOptions.Bind));
        int raises = 0, packets = 0;
        bool stop = false;
        var bindLock = new object();
        // Two waiters: one polls the line, the other sleeps on its monitor; both ack what they get.
        var waiters = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            while (true)
            {
                ZxStatus status = Syscalls.PortWait(port, Syscalls.DeadlineAfter(FiveSeconds), out ZxPortPacket p);
                if (status == ZxStatus.ErrTimedOut)
                    continue;
                Assert.Equal(ZxStatus.Ok, status);
                if (p.Type == ZxPacketType.User)
                    return;
                Assert.Equal((5ul, ZxPacketType.Interrupt), (p.Key, p.Type));
                Interlocked.Increment(ref packets);
                lock (bindLock)
                    Syscalls.InterruptAck(irq); // BAD_STATE if a rebind came in between: fine
            }
        })).ToList();
        var raisers = Enumerable.Range(0, 2).Select(seed => new Thread(() =>
        {
            var random = new Random(seed);
            while (!Volatile.Read(ref stop))
            {
                Interlocked.Increment(ref raises);
                Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(Line));
                if (random.Next(4) == 0)
                    Thread.Sleep(random.Next(2));
            }
        })).ToList();
        var rebinder = new Thread(() =>
        {
            var random = new Random(7);
            for (int i = 0; i < 50; i++)
            {
                Thread.Sleep(random.Next(3));
                lock (bindLock)
                {
                    Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
                    Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 5, ZxInterruptOptions.Bind));
                }
            }
        });
        waiters.ForEach(t => t.Start());
        raisers.ForEach(t => t.Start());
        rebinder.Start();
        Assert.True(rebinder.Join(TimeSpan.FromSeconds(30)));
        Volatile.Write(ref stop, true);
        raisers.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(10))));
        // Settle, then one more raise must come out as a packet (after an ack if one is pending).
        int settled;
        do
        {
            settled = Volatile.Read(ref packets);
            Thread.Sleep(50);
        }
        while (Volatile.Read(ref packets) != settled);
        lock (bindLock)
        {
            // Start from a known state: a fresh binding is idle, whatever the churn left.
            Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
            Assert.Equal(ZxStatus.Ok, Syscalls.InterruptBind(irq, port, 5, ZxInterruptOptions.Bind));
        }
        settled = Volatile.Read(ref packets);
        Assert.Equal(ZxStatus.Ok, HostInterruptLines.Raise(Line));
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref packets) > settled, TimeSpan.FromSeconds(10)), "the final raise was lost");
        for (int i = 0; i < waiters.Count; i++)
            Assert.Equal(ZxStatus.Ok, Syscalls.PortQueue(port, Zx.UserPacket(1)));
        waiters.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(10))));
        Assert.InRange(packets, 1, raises + 1);
        Zx.Close(irq, port);
    }
}
