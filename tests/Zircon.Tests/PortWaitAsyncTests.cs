namespace Zircon.Tests;

public class PortWaitAsyncTests
{
    [Fact]
    public void WaitAsync_WhenAPacketIsAlreadyQueued_CompletesSynchronously()
    {
        using var port = Port.Create();
        port.Queue(PortPackets.User(5));

        ValueTask<ZxPortPacket> wait = port.WaitAsync();

        Assert.True(wait.IsCompletedSuccessfully);
#pragma warning disable xUnit1031 // already completed: reading it synchronously is the behaviour under test
        Assert.Equal(5ul, wait.GetAwaiter().GetResult().Key);
#pragma warning restore xUnit1031
    }

    [Fact]
    public async Task WaitAsync_CompletesWhenAPacketIsQueuedFromAnotherThread()
    {
        using var port = Port.Create();
        ValueTask<ZxPortPacket> wait = port.WaitAsync();
        Assert.False(wait.IsCompleted);

        var producer = new Thread(() => port.Queue(PortPackets.User(77, word0: 0xABCD)));
        producer.Start();

        ZxPortPacket packet = await wait.AsTask().Soon();
        Assert.Equal(77ul, packet.Key);
        Assert.Equal(0xABCDul, PortPackets.GetUserWord(packet, 0));
        producer.Join();
    }

    [Fact]
    public async Task WaitAsync_ManyConcurrentWaiters_EachGetADistinctPacket()
    {
        using var port = Port.Create();
        const int waiterCount = 32;
        var waits = new Task<ZxPortPacket>[waiterCount];
        for (int i = 0; i < waiterCount; i++)
            waits[i] = port.WaitAsync().AsTask();
        Assert.All(waits, w => Assert.False(w.IsCompleted));

        var producer = new Thread(() =>
        {
            for (int i = 0; i < waiterCount; i++)
                port.Queue(PortPackets.User((ulong)i));
        });
        producer.Start();

        ZxPortPacket[] packets = await Task.WhenAll(waits).Soon();
        producer.Join();
        ulong[] keys = packets.Select(p => p.Key).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, waiterCount).Select(i => (ulong)i), keys);
        Assert.Equal(ZxStatus.ErrTimedOut, port.TryWait(ZxTime.InfinitePast, out _));
    }

    [Fact]
    public async Task WaitAsync_WhenTheTokenIsCanceled_ThrowsOperationCanceledAndLeavesLaterPacketsQueued()
    {
        using var port = Port.Create();
        using var cts = new CancellationTokenSource();
        ValueTask<ZxPortPacket> wait = port.WaitAsync(cts.Token);

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsTask().Soon());
        port.Queue(PortPackets.User(11));
        Assert.Equal(ZxStatus.Ok, port.TryWait(ZxTime.InfinitePast, out ZxPortPacket packet));
        Assert.Equal(11ul, packet.Key);
    }

    [Fact]
    public async Task WaitAsync_WithAnAlreadyCanceledToken_ThrowsOperationCanceled()
    {
        using var port = Port.Create();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => port.WaitAsync(new CancellationToken(canceled: true)).AsTask().Soon());
    }

    [Fact]
    public async Task WaitAsync_WhenThePortIsClosed_FaultsWithCanceled()
    {
        var port = Port.Create();
        ValueTask<ZxPortPacket> wait = port.WaitAsync();

        port.Dispose();

        var e = await Assert.ThrowsAsync<ZxException>(() => wait.AsTask().Soon());
        Assert.Equal(ZxStatus.ErrCanceled, e.Status);
    }

    [Fact]
    public async Task WaitAsync_OnADisposedPort_FaultsWithBadHandle()
    {
        var port = Port.Create();
        port.Dispose();
        var e = await Assert.ThrowsAsync<ZxException>(() => port.WaitAsync().AsTask().Soon());
        Assert.Equal(ZxStatus.ErrBadHandle, e.Status);
    }

    [Fact]
    public void WaitAsync_QueueAndSynchronousCompletion_AllocatesNothingPerPacket()
    {
        using var port = Port.Create();
        ZxPortPacket packet = PortPackets.User(1, word0: 2);
        for (int i = 0; i < 200; i++)
            QueueAndTake(port, in packet);

        const int rounds = 10_000;
        int notSynchronous = 0;
        ulong keySum = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < rounds; i++)
        {
            port.Queue(in packet);
            ValueTask<ZxPortPacket> wait = port.WaitAsync();
            if (!wait.IsCompletedSuccessfully)
                notSynchronous++;
#pragma warning disable xUnit1031 // completed synchronously (counted above); awaiting would add state-machine noise
            keySum += wait.GetAwaiter().GetResult().Key;
#pragma warning restore xUnit1031
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, notSynchronous);
        Assert.Equal((ulong)rounds, keySum);
        Assert.Equal(0, allocated);
    }

    private static void QueueAndTake(Port port, in ZxPortPacket packet)
    {
        port.Queue(in packet);
        port.WaitAsync().GetAwaiter().GetResult();
    }
}
