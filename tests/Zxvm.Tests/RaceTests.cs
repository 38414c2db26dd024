using System.Text;

namespace Zxvm.Tests;

/// <summary>Randomized races on the objects zxvm's threads share, with their invariants checked.</summary>
public sealed class RaceTests : IDisposable
{
    private readonly Support.TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void StandardStreams_ManyThreadsOneFile_EveryLineWholeAndEachThreadInOrder()
    {
        string path = _files.PathOf("race.txt");
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        int fd = (int)file.SafeFileHandle.DangerousGetHandle();
        var streams = new StandardStreams(fd, fd); // stdout and stderr on one open file description
        var random = new Random(1234);
        int threads = 8, lines = 400;
        int[] lengths = Enumerable.Range(0, threads * lines).Select(_ => random.Next(0, 300)).ToArray();

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (int i = 0; i < lines; i++)
            {
                string line = $"t{t} {i} {new string((char)('a' + t), lengths[t * lines + i])}";
                if ((i + t) % 3 == 0)
                    streams.WriteErrorLine(line);
                else if ((i + t) % 3 == 1)
                    streams.WriteLine(line);
                else
                    streams.Write(Encoding.UTF8.GetBytes(line + "\n"));
            }
        });

        string[] written = File.ReadAllLines(path);
        Assert.Equal(threads * lines, written.Length);
        int[] next = new int[threads];
        foreach (string line in written)
        {
            string[] parts = line.Split(' ');
            int t = int.Parse(parts[0][1..], System.Globalization.CultureInfo.InvariantCulture);
            int i = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(next[t]++, i);
            Assert.Equal(new string((char)('a' + t), lengths[t * lines + i]), parts[2]);
        }
        Assert.False(streams.IsBroken);
    }

    [Fact]
    public void PendingInput_ReaderAndDeliverer_KeepEveryByteInOrder()
    {
        for (int round = 0; round < 20; round++)
        {
            var random = new Random(round);
            byte[] input = new byte[random.Next(1, 50_000)];
            random.NextBytes(input);
            var pending = new PendingInput(limit: round % 2 == 0 ? 1024 : null);
            var received = new List<byte>();

            var reader = new Thread(() =>
            {
                var r = new Random(round + 1000);
                for (int at = 0; at < input.Length;)
                {
                    int n = Math.Min(r.Next(1, 700), input.Length - at);
                    pending.Add(input.AsSpan(at, n));
                    at += n;
                }
            });
            reader.Start();
            var buffer = new byte[256];
            var take = new Random(round + 2000);
            while (received.Count < input.Length)
            {
                int n = pending.Peek(buffer, TimeSpan.FromMilliseconds(50));
                int taken = take.Next(0, n + 1); // a guest takes some, all or none
                received.AddRange(buffer.AsSpan(0, taken).ToArray());
                pending.Consume(taken);
                Assert.InRange(pending.Count, 0, round % 2 == 0 ? 1024 : input.Length);
            }
            Assert.True(reader.Join(TimeSpan.FromSeconds(30)));
            Assert.Equal(input, received.ToArray());
            Assert.Equal(0, pending.Count);
        }
    }

    [Fact]
    public void PendingInput_Close_ReleasesAReaderWaitingForRoom()
    {
        var pending = new PendingInput(limit: 4);
        var reader = new Thread(() => pending.Add(new byte[100]));
        reader.Start();
        Thread.Sleep(50);

        pending.Close();

        Assert.True(reader.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal(4, pending.Count);
    }

    [Fact]
    public void StopRequest_ConcurrentRequestsAndAttach_OneReasonAndTheMachineStopped()
    {
        for (int round = 0; round < 200; round++)
        {
            var stop = new StopRequest();
            int stops = 0;
            using var go = new ManualResetEventSlim();
            var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
            {
                go.Wait();
                if (i == 0)
                    stop.Attach(() => Interlocked.Increment(ref stops));
                else
                    stop.Request(140 + i, $"reason {i}");
            })).ToList();
            threads.ForEach(t => t.Start());
            go.Set();
            threads.ForEach(t => t.Join());

            Assert.NotNull(stop.Reason);
            (int code, string? message) = stop.Reason!.Value;
            Assert.Equal($"reason {code - 140}", message); // one request's code with its own message
            Assert.True(stops >= 1, "the attached machine was never stopped");
            Assert.Equal(stop.Reason, stop.Reason); // stable once set
        }
    }
}
