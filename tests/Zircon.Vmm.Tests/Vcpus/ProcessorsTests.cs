using System.Collections.Concurrent;
using Zircon.Vmm.Bus;
using Zircon.Vmm.Tests.Machine;
using Zircon.Vmm.Tests.Support;
using Zircon.Vmm.Vcpus;

namespace Zircon.Vmm.Tests.Vcpus;

/// <summary>
/// The machine's processors: STARTUP requests for processors the machine lacks or already runs
/// are ignored; a started one gets its own thread and VCPU, once.
/// </summary>
[Collection(InProcessMachineCollection.Name)]
public sealed class ProcessorsTests
{
    [KvmFact]
    public void Startup_OfAnAbsentProcessor_IsLoggedAndIgnored_AndASecondStartupOfOneIsIgnored()
    {
        using Guest guest = Guest.Create(Resource.Root);
        guest.DeclareProcessors(2);
        var logs = new ConcurrentQueue<string>();
        var prepared = new ConcurrentQueue<(uint Id, int Thread)>();
        var ended = new ConcurrentQueue<(uint Id, VcpuOutcome Outcome)>();
        var processors = new Processors(guest, 2, new AddressSpaceBus(),
            (id, _) => prepared.Enqueue((id, Environment.CurrentManagedThreadId)), (id, outcome) => ended.Enqueue((id, outcome)), logs.Enqueue);

        processors.StartApplicationProcessor(5, 0x8000);
        Assert.Empty(processors.Started);
        Assert.Contains("the guest started processor 5, which this machine does not have (2 processors): ignored", logs);

        processors.StartApplicationProcessor(1, 0x8000);
        processors.StartApplicationProcessor(1, 0x9000);
        Assert.Equal([1u], processors.Started);
        // The guest has no RAM, so the AP faults at its first instruction: its loop ends once.
        Assert.True(SpinWait.SpinUntil(() => !ended.IsEmpty, TimeSpan.FromSeconds(60)));
        processors.Stop();
        Assert.True(processors.Completion.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal([1u], ended.Select(e => e.Id));
        Assert.True(ended.Single().Outcome.Faulted);
        (uint id, int thread) = Assert.Single(prepared);
        Assert.Equal(1u, id);
        Assert.NotEqual(Environment.CurrentManagedThreadId, thread); // created on a thread of its own
        processors.StartApplicationProcessor(1, 0x8000); // stopped: no new processors
        Assert.Single(prepared);
    }

    [KvmFact]
    public void Race_StartupsFromManyThreads_WhileStopping_StartEachProcessorAtMostOnce()
    {
        // Randomized: VCPU threads report STARTUPs (any id, some absent) while the machine stops.
        // Invariants: a processor is prepared at most once, only ids below the count, every
        // started loop ends, and nothing escapes a thread.
        const int Count = 4;
        using Guest guest = Guest.Create(Resource.Root);
        guest.DeclareProcessors(Count);
        var prepared = new ConcurrentQueue<uint>();
        var ended = new ConcurrentQueue<uint>();
        var processors = new Processors(guest, Count, new AddressSpaceBus(),
            (id, _) => prepared.Enqueue(id), (id, _) => ended.Enqueue(id), _ => { });
        int seed = Environment.TickCount;
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var random = new Random(seed + t);
            for (int i = 0; i < 20; i++)
            {
                processors.StartApplicationProcessor((uint)random.Next(1, Count + 3), 0x8000);
                if (random.Next(10) == 0)
                    Thread.Yield();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        Thread.Sleep(new Random(seed).Next(0, 20));
        processors.Stop();
        threads.ForEach(t => t.Join());
        Assert.True(processors.Completion.Wait(TimeSpan.FromSeconds(60)), $"seed {seed}");
        uint[] started = [.. processors.Started];
        Assert.All(started, id => Assert.InRange(id, 1u, Count - 1u));
        Assert.Equal(started.Order(), ended.Order());
        Assert.Equal(prepared.Count, prepared.Distinct().Count());
        Assert.Subset(started.ToHashSet(), prepared.ToHashSet());
    }
}
