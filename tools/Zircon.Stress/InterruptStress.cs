using Zircon.Kernel.Ports;

namespace Zircon.Stress;

/// <summary>
/// Random concurrent trigger, ack, bind, unbind, wait, destroy and re-create on virtual
/// interrupts, with a port reader, checking the state machine's invariants: documented statuses
/// only; at most one queued packet per interrupt; no more packets than successful triggers per
/// interrupt; every packet's timestamp one its interrupt was triggered with; and every waiter
/// returns once its interrupt is destroyed.
/// </summary>
internal sealed class InterruptStress(Report report)
{
    private const int Slots = 8;

    private readonly uint[] _irqs = new uint[Slots];
    private readonly long[] _sequence = new long[Slots];
    private readonly long[] _triggers = new long[Slots];
    private readonly long[] _received = new long[Slots];
    private readonly long[] _lastTimestamp = new long[Slots];
    private long _undocumented, _tooManyQueued, _badTimestamps, _operations;
    private string _firstProblem = "";

    public void Run(TimeSpan budget, int threadCount)
    {
        ResourceSample before = ResourceSample.Take();
        Syscalls.PortCreate(ZxPortOptions.BindToInterrupt, out uint port);
        KernelContext.Handles.Get(port, ZxRights.None, out PortDispatcher portObject);
        for (int i = 0; i < Slots; i++)
            _irqs[i] = NewInterrupt();

        long deadline = Environment.TickCount64 + (long)budget.TotalMilliseconds;
        var workers = new List<Thread>();
        for (int t = 0; t < threadCount; t++)
        {
            int seed = Environment.TickCount + t;
            workers.Add(new Thread(() => Work(new Random(seed), port, deadline)) { IsBackground = true });
        }
        var reader = new Thread(() => Read(port, portObject, deadline)) { IsBackground = true };
        foreach (Thread t in workers)
            t.Start();
        reader.Start();
        reader.Join();

        // Destroy everything: every waiter must come back (with CANCELED or BAD_STATE).
        bool allBack = false;
        long end = Environment.TickCount64 + 5000;
        while (!allBack && Environment.TickCount64 < end)
        {
            for (int i = 0; i < Slots; i++)
                Syscalls.InterruptDestroy(Volatile.Read(ref _irqs[i]));
            allBack = workers.All(t => t.Join(10));
        }
        for (int i = 0; i < Slots; i++)
            Syscalls.HandleClose(_irqs[i]);
        Syscalls.HandleClose(port);

        report.Add("interrupt operations", _operations);
        report.Add("interrupt packets counted", _received.Sum());
        report.Check("interrupts: every thread came back after destroy (no stranded waiter)", allBack);
        report.Check("interrupts: only documented statuses", _undocumented == 0, _firstProblem);
        report.Check("interrupts: at most one queued packet per interrupt", _tooManyQueued == 0, $"{_tooManyQueued} times more than {Slots} queued");
        bool notMore = Enumerable.Range(0, Slots).All(i => _received[i] <= _triggers[i]);
        report.Check("interrupts: no more packets than triggers", notMore,
            string.Join(" ", Enumerable.Range(0, Slots).Select(i => $"{_received[i]}/{_triggers[i]}")));
        report.Check("interrupts: packet timestamps are trigger timestamps", _badTimestamps == 0, $"{_badTimestamps} bad");
        ResourceSample.CheckGrowth(report, "interrupts", before, ResourceSample.Take());
    }

    private static uint NewInterrupt()
    {
        Syscalls.InterruptCreate(ZxHandleValues.Invalid, 0, ZxInterruptOptions.Virtual, out uint irq);
        return irq;
    }

    // Timestamps name their interrupt (slot in the top bits) and grow per slot.
    private static long Stamp(int slot, long sequence) => ((long)(slot + 1) << 48) | sequence;

    private void Expect(string call, ZxStatus status)
    {
        Interlocked.Increment(ref _operations);
        if (DocumentedStatuses.IsDocumented(call, status))
            return;
        if (Interlocked.Increment(ref _undocumented) == 1)
            _firstProblem = $"{call} -> {status}";
    }

    private void Work(Random rng, uint port, long deadline)
    {
        while (Environment.TickCount64 < deadline)
        {
            int slot = rng.Next(Slots);
            uint irq = Volatile.Read(ref _irqs[slot]);
            switch (rng.Next(10))
            {
                case 0 or 1 or 2:
                {
                    // Counted before the call, so a packet can never be seen before its trigger is.
                    long sequence = Interlocked.Increment(ref _sequence[slot]);
                    Interlocked.Increment(ref _triggers[slot]);
                    ZxStatus s = Syscalls.InterruptTrigger(irq, 0, Stamp(slot, sequence));
                    if (s != ZxStatus.Ok)
                        Interlocked.Decrement(ref _triggers[slot]);
                    Expect("zx_interrupt_trigger", s);
                    break;
                }
                case 3 or 4:
                    Expect("zx_interrupt_ack", Syscalls.InterruptAck(irq));
                    break;
                case 5:
                    Expect("zx_interrupt_bind", Syscalls.InterruptBind(irq, port, (ulong)slot, ZxInterruptOptions.Bind));
                    break;
                case 6:
                    Expect("zx_interrupt_bind", Syscalls.InterruptBind(irq, port, 0, ZxInterruptOptions.Unbind));
                    break;
                case 7:
                    Expect("zx_interrupt_destroy", Syscalls.InterruptDestroy(irq));
                    break;
                case 8:
                    // Re-create: the old object goes away with its last handle (waiters end with CANCELED).
                    if (rng.Next(4) == 0)
                    {
                        uint fresh = NewInterrupt();
                        uint old = Interlocked.Exchange(ref _irqs[slot], fresh);
                        Expect("zx_handle_close", Syscalls.HandleClose(old));
                    }
                    break;
                default:
                    if (rng.Next(4) == 0)
                        Expect("zx_interrupt_wait", Syscalls.InterruptWait(irq, out _));
                    break;
            }
        }
    }

    private void Read(uint port, PortDispatcher portObject, long deadline)
    {
        while (Environment.TickCount64 < deadline)
        {
            if (portObject.PendingCount > Slots * 2) // the re-created ones may briefly share a key
                Interlocked.Increment(ref _tooManyQueued);
            ZxStatus s = Syscalls.PortWait(port, Syscalls.DeadlineAfter(1_000_000), out ZxPortPacket packet);
            Expect("zx_port_wait", s);
            if (s != ZxStatus.Ok)
                continue;
            int slot = (int)packet.Key;
            long stamp = packet.Interrupt.Timestamp;
            if (slot is < 0 or >= Slots || stamp >> 48 != slot + 1 || (stamp & 0xFFFF_FFFF_FFFF) > Volatile.Read(ref _sequence[slot]))
            {
                Interlocked.Increment(ref _badTimestamps);
                continue;
            }
            _received[slot]++;
        }
    }
}
