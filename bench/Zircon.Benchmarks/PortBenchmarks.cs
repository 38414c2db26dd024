using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

namespace Zircon.Benchmarks;

/// <summary>Section 1: ports against System.Threading.Channels, BlockingCollection, ConcurrentQueue and SemaphoreSlim.</summary>
public static class PortBenchmarks
{
    private const int Batch = 1000;

    public static Section Run(Config config)
    {
        var s = new Section("Ports");
        int batches = config.Scale(1000);
        ZxPortPacket packet = PortPackets.User(key: 7, word0: 42);

        // One thread: queue one packet, take it back.
        Check(Syscalls.PortCreate(0, out uint rawPort));
        using var port = Port.Create();
        Channel<ZxPortPacket> channel = Channel.CreateUnbounded<ZxPortPacket>();
        using var blocking = new BlockingCollection<ZxPortPacket>();
        var queue = new ConcurrentQueue<ZxPortPacket>();
        Stats[] r = Measure.Interleaved(Batch, batches,
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    Syscalls.PortQueue(rawPort, in packet);
                    Syscalls.PortWait(rawPort, ZxTime.Infinite, out _);
                }
            },
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    port.Queue(in packet);
                    port.Wait();
                }
            },
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    channel.Writer.TryWrite(packet);
                    channel.Reader.TryRead(out _);
                }
            },
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    blocking.Add(packet);
                    blocking.Take();
                }
            },
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    queue.Enqueue(packet);
                    queue.TryDequeue(out _);
                }
            });
        Syscalls.HandleClose(rawPort);
        Stats raw = r[0], api = r[1], chan = r[2], bc = r[3], cq = r[4];

        const string QueueBound = "see docs/benchmark-notes.md (port queue + wait): two handle-table lookups and two acquisitions of the port lock per packet, where the Channel takes one lock on write and reads lock-free.";
        const string WhyQueue = "two handle-table lookups with rights checks and the port lock taken twice (queue, wait) per packet.";
        s.Add("queue + wait, one thread (raw `zx_port_queue`/`zx_port_wait`)", raw, "Channel (unbounded) TryWrite + TryRead", chan, WhyQueue, target: 1.0, zeroAlloc: true, bound: QueueBound);
        s.Add("queue + wait, one thread (raw)", raw, "BlockingCollection Add + Take", bc, WhyQueue);
        s.Add("queue + wait, one thread (raw)", raw, "ConcurrentQueue Enqueue + TryDequeue", cq, WhyQueue);
        s.Add("queue + wait, one thread (`Port.Queue`/`Port.Wait`)", api, "Channel TryWrite + TryRead", chan, WhyQueue, target: 1.0, zeroAlloc: true, bound: QueueBound);

        // Already-queued packet, awaited: both complete synchronously.
        Stats[] a = Measure.Interleaved(Batch, batches,
            n => AwaitPortLoop(port, packet, n).GetAwaiter().GetResult(),
            n => AwaitChannelLoop(channel, packet, n).GetAwaiter().GetResult());
        Stats asyncPort = a[0], asyncChan = a[1];
        s.Add("queue + `await Port.WaitAsync()` (packet already queued)", asyncPort, "TryWrite + `await ReadAsync()`", asyncChan, WhyQueue, target: 1.0, zeroAlloc: true, bound: QueueBound);

        // Two threads, two ports: a round trip wakes each side once.
        int roundTrips = config.Scale(10000);
        Stats pingPong = PingPongPorts(roundTrips);
        Stats pingPongSem = PingPongSemaphores(roundTrips);
        Stats pingPongMonitor = PingPongMonitors(roundTrips);
        s.Add("ping-pong round trip, two threads blocked in `zx_port_wait`", pingPong, "two threads, SemaphoreSlim Release/Wait", pingPongSem,
            "`zx_port_wait` spins briefly before sleeping in `Monitor.Wait` (SyncPortWaiter), as SemaphoreSlim does, so on 2 CPUs the reply is usually caught without an OS wake-up; the p90 shows the round trips that did sleep.");
        s.Add("ping-pong round trip, two threads blocked in `zx_port_wait`", pingPong, "two threads, Monitor.Wait/Pulse (no spinning)", pingPongMonitor,
            "as the Monitor baseline plus the port's own lock and queue; the OS wake-ups dominate.");

        Stats pingPongAsync = PingPongPortsAsync(roundTrips);
        Stats pingPongChan = PingPongChannelsAsync(roundTrips);
        s.Add("ping-pong round trip, async readers (`Port.WaitAsync`)", pingPongAsync, "two Channels, async readers (`ReadAsync`)", pingPongChan,
            "both hand continuations to the thread pool; the port adds its handle lookups, its lock and the pooled waiter's rent/return (a ConcurrentQueue) per wait.");

        if (raw.AllocBytesPerOp >= 0.5 || api.AllocBytesPerOp >= 0.5 || asyncPort.AllocBytesPerOp >= 0.5)
            s.Note("PERFORMANCE BUG: a Zircon port path allocates per packet (see the alloc column).");
        s.Note("Allocations of the two ping-pong rows are process-wide (both threads, thread pool included) per round trip.");
        return s;
    }

    private static async ValueTask AwaitPortLoop(Port port, ZxPortPacket packet, int n)
    {
        for (int i = 0; i < n; i++)
        {
            port.Queue(in packet);
            await port.WaitAsync();
        }
    }

    private static async ValueTask AwaitChannelLoop(Channel<ZxPortPacket> channel, ZxPortPacket packet, int n)
    {
        for (int i = 0; i < n; i++)
        {
            channel.Writer.TryWrite(packet);
            await channel.Reader.ReadAsync();
        }
    }

    private const ulong StopKey = ulong.MaxValue;

    private static Stats PingPongPorts(int count)
    {
        Check(Syscalls.PortCreate(0, out uint ping));
        Check(Syscalls.PortCreate(0, out uint pong));
        var echo = new Thread(() =>
        {
            while (true)
            {
                Syscalls.PortWait(ping, ZxTime.Infinite, out ZxPortPacket p);
                if (p.Key == StopKey)
                    return;
                Syscalls.PortQueue(pong, in p);
            }
        }) { IsBackground = true, Name = "bench-port-echo" };
        echo.Start();
        ZxPortPacket packet = PortPackets.User(key: 1);
        Stats stats = Measure.EachProcessWide(() =>
        {
            Syscalls.PortQueue(ping, in packet);
            Syscalls.PortWait(pong, ZxTime.Infinite, out _);
        }, warmup: 500, count);
        Syscalls.PortQueue(ping, PortPackets.User(StopKey));
        echo.Join();
        Syscalls.HandleClose(ping);
        Syscalls.HandleClose(pong);
        return stats;
    }

    private static Stats PingPongSemaphores(int count)
    {
        using var ping = new SemaphoreSlim(0);
        using var pong = new SemaphoreSlim(0);
        bool stop = false;
        var echo = new Thread(() =>
        {
            while (true)
            {
                ping.Wait();
                if (Volatile.Read(ref stop))
                    return;
                pong.Release();
            }
        }) { IsBackground = true, Name = "bench-sem-echo" };
        echo.Start();
        Stats stats = Measure.EachProcessWide(() =>
        {
            ping.Release();
            pong.Wait();
        }, warmup: 500, count);
        Volatile.Write(ref stop, true);
        ping.Release();
        echo.Join();
        return stats;
    }

    /// <summary>A one-slot mailbox on Monitor.Wait/Pulse: the blocking primitive SyncPortWaiter uses, without the port.</summary>
    private sealed class Mailbox
    {
        private bool _full;

        public void Post()
        {
            lock (this)
            {
                _full = true;
                Monitor.Pulse(this);
            }
        }

        public void Take()
        {
            lock (this)
            {
                while (!_full)
                    Monitor.Wait(this);
                _full = false;
            }
        }
    }

    private static Stats PingPongMonitors(int count)
    {
        var ping = new Mailbox();
        var pong = new Mailbox();
        bool stop = false;
        var echo = new Thread(() =>
        {
            while (true)
            {
                ping.Take();
                if (Volatile.Read(ref stop))
                    return;
                pong.Post();
            }
        }) { IsBackground = true, Name = "bench-monitor-echo" };
        echo.Start();
        Stats stats = Measure.EachProcessWide(() =>
        {
            ping.Post();
            pong.Take();
        }, warmup: 500, count);
        Volatile.Write(ref stop, true);
        ping.Post();
        echo.Join();
        return stats;
    }

    private static Stats PingPongPortsAsync(int count)
    {
        using var ping = Port.Create();
        using var pong = Port.Create();
        Task echo = Task.Run(async () =>
        {
            while (true)
            {
                ZxPortPacket p = await ping.WaitAsync();
                if (p.Key == StopKey)
                    return;
                pong.Queue(in p);
            }
        });
        ZxPortPacket packet = PortPackets.User(key: 1);
        var samples = new double[count];
        long allocBefore = 0;
        Task.Run(async () =>
        {
            for (int i = -500; i < count; i++)
            {
                if (i == 0)
                    allocBefore = GC.GetTotalAllocatedBytes(precise: true);
                long start = Stopwatch.GetTimestamp();
                ping.Queue(in packet);
                await pong.WaitAsync();
                if (i >= 0)
                    samples[i] = Measure.Since(start);
            }
        }).GetAwaiter().GetResult();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        ping.Queue(PortPackets.User(StopKey));
        echo.GetAwaiter().GetResult();
        return Stats.FromSamples(samples, allocated / (double)count);
    }

    private static Stats PingPongChannelsAsync(int count)
    {
        Channel<ZxPortPacket> ping = Channel.CreateUnbounded<ZxPortPacket>();
        Channel<ZxPortPacket> pong = Channel.CreateUnbounded<ZxPortPacket>();
        Task echo = Task.Run(async () =>
        {
            while (true)
            {
                ZxPortPacket p = await ping.Reader.ReadAsync();
                if (p.Key == StopKey)
                    return;
                pong.Writer.TryWrite(p);
            }
        });
        ZxPortPacket packet = PortPackets.User(key: 1);
        var samples = new double[count];
        long allocBefore = 0;
        Task.Run(async () =>
        {
            for (int i = -500; i < count; i++)
            {
                if (i == 0)
                    allocBefore = GC.GetTotalAllocatedBytes(precise: true);
                long start = Stopwatch.GetTimestamp();
                ping.Writer.TryWrite(packet);
                await pong.Reader.ReadAsync();
                if (i >= 0)
                    samples[i] = Measure.Since(start);
            }
        }).GetAwaiter().GetResult();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        ping.Writer.TryWrite(PortPackets.User(StopKey));
        echo.GetAwaiter().GetResult();
        return Stats.FromSamples(samples, allocated / (double)count);
    }

    internal static void Check(ZxStatus status, string? what = null)
    {
        if (status != ZxStatus.Ok)
            throw new InvalidOperationException($"{what ?? "call"} failed: {status}");
    }
}
