namespace Zircon.Stress;

/// <summary>
/// Producers queue numbered user packets (key = producer, payload = sequence number) into one
/// port while consumers take them; every packet is counted: none lost, none duplicated, and with
/// every consumer sees each producer's packets in order (the queue is FIFO). A full port (SHOULD_WAIT) makes the producer retry.
/// </summary>
internal sealed class PortStress(Report report)
{
    public void Run(TimeSpan budget, int producers, int consumers)
    {
        ResourceSample before = ResourceSample.Take();
        if (Syscalls.PortCreate(0, out uint port) != ZxStatus.Ok)
        {
            report.Check($"ports ({producers}x{consumers}): create", false);
            return;
        }
        long deadline = Environment.TickCount64 + (long)budget.TotalMilliseconds;
        var sent = new long[producers];
        // One bit per packet and producer (a packet's bit set twice is a duplicate): counting
        // millions of packets must not itself grow memory the way a set of them would.
        var received = new PacketBitmap[producers];
        for (int p = 0; p < producers; p++)
            received[p] = new PacketBitmap();
        var lastPerProducer = new long[consumers][];
        long duplicates = 0, reordered = 0, badStatus = 0;
        int producersDone = 0;

        var threads = new List<Thread>();
        for (int p = 0; p < producers; p++)
        {
            int id = p;
            threads.Add(new Thread(() =>
            {
                long seq = 0;
                while (Environment.TickCount64 < deadline)
                {
                    var packet = new ZxPortPacket { Key = (ulong)id };
                    packet.User[0] = (byte)seq;
                    System.Runtime.InteropServices.MemoryMarshal.Write(((Span<byte>)packet.User)[..8], seq);
                    ZxStatus s = Syscalls.PortQueue(port, packet);
                    if (s == ZxStatus.Ok)
                        seq++;
                    else if (s == ZxStatus.ErrShouldWait)
                        Thread.Yield();
                    else
                        Interlocked.Increment(ref badStatus);
                }
                sent[id] = seq;
                Interlocked.Increment(ref producersDone);
            }));
        }
        for (int c = 0; c < consumers; c++)
        {
            int id = c;
            lastPerProducer[id] = Enumerable.Repeat(-1L, producers).ToArray();
            threads.Add(new Thread(() =>
            {
                while (true)
                {
                    ZxStatus s = Syscalls.PortWait(port, Syscalls.DeadlineAfter(50_000_000), out ZxPortPacket packet);
                    if (s == ZxStatus.ErrTimedOut)
                    {
                        if (Volatile.Read(ref producersDone) == producers)
                            return; // drained
                        continue;
                    }
                    if (s != ZxStatus.Ok)
                    {
                        Interlocked.Increment(ref badStatus);
                        return;
                    }
                    int producer = (int)packet.Key;
                    long seq = System.Runtime.InteropServices.MemoryMarshal.Read<long>(((ReadOnlySpan<byte>)packet.User)[..8]);
                    if (!received[producer].TrySet(seq))
                        Interlocked.Increment(ref duplicates);
                    if (seq <= lastPerProducer[id][producer])
                        reordered++;
                    lastPerProducer[id][producer] = seq;
                }
            }));
        }
        foreach (Thread t in threads)
            t.Start();
        bool joined = threads.All(t => t.Join(budget + TimeSpan.FromSeconds(30)));
        Syscalls.HandleClose(port);

        long total = sent.Sum();
        long count = received.Sum(r => r.Count);
        long lost = total - count;
        string name = $"ports ({producers} producers, {consumers} consumers)";
        report.Add("port packets counted", count);
        report.Check($"{name}: every thread finished", joined);
        report.Check($"{name}: no packet lost or duplicated", lost == 0 && duplicates == 0, $"{count} of {total} received, {lost} lost, {duplicates} duplicated");
        // The queue is FIFO, so each consumer sees every producer's packets in order.
        report.Check($"{name}: per-producer order kept", reordered == 0, $"{reordered} out of order");
        report.Check($"{name}: only documented statuses", badStatus == 0, $"{badStatus} unexpected");
        ResourceSample.CheckGrowth(report, name, before, ResourceSample.Take());
    }
}

/// <summary>A growable bitmap of sequence numbers seen, safe for concurrent setters.</summary>
internal sealed class PacketBitmap
{
    private readonly Lock _grow = new();
    private long[] _words = new long[1024];
    private long _count;

    public long Count => Volatile.Read(ref _count);

    /// <summary>Marks <paramref name="sequence"/>; false if it was already marked.</summary>
    public bool TrySet(long sequence)
    {
        long word = sequence >> 6;
        if (word >= Volatile.Read(ref _words).Length)
        {
            lock (_grow)
            {
                if (word >= _words.Length)
                {
                    var bigger = new long[Math.Max(_words.Length * 2, word + 1)];
                    Array.Copy(_words, bigger, _words.Length);
                    Volatile.Write(ref _words, bigger);
                }
            }
        }
        long bit = 1L << (int)(sequence & 63);
        long[] words;
        long before;
        lock (_grow) // growth copies the array, so setters and growth must not overlap
        {
            words = _words;
            before = words[word];
            words[word] = before | bit;
        }
        if ((before & bit) != 0)
            return false;
        Interlocked.Increment(ref _count);
        return true;
    }
}
