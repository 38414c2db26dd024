// A tour of Zircon ports and interrupts through the idiomatic .NET API.
//
// Each step does one thing and prints what happened. Exit code 0 when every step behaved as
// Zircon documents; otherwise one line on stderr naming the step and what went wrong, exit code 1.

using Zircon;

namespace PortsAndInterrupts;

internal static class Program
{
    // Generous bound for any single wait, so a broken kernel fails the tour instead of hanging it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private const uint HostLine = 7;

    private static async Task<int> Main()
    {
        Console.WriteLine("Zircon ports and interrupts, on Linux");
        Console.WriteLine();

        (string Title, Func<Task> Run)[] steps =
        [
            ("Virtual interrupt bound to a port", VirtualInterruptThroughAPort),
            ($"Physical interrupt on host line {HostLine}, raised from another thread", PhysicalInterruptWait),
            ("User packets", UserPackets),
            ("Asynchronous port waits", AsynchronousWaits),
            ("Event signal delivered by wait_async", EventSignalPacket),
        ];

        for (int i = 0; i < steps.Length; i++)
        {
            (string title, Func<Task> run) = steps[i];
            Console.WriteLine($"[{i + 1}/{steps.Length}] {title}");
            try
            {
                await run();
            }
            catch (Exception e)
            {
                Console.Out.Flush();
                Console.Error.WriteLine($"FAILED in step {i + 1} ({title}): {Describe(e)}");
                return 1;
            }
            Console.WriteLine();
        }

        Console.WriteLine($"All {steps.Length} steps behaved as Zircon documents.");
        return 0;
    }

    private static Task VirtualInterruptThroughAPort()
    {
        using var port = Port.Create(PortOptions.BindToInterrupt);
        using var irq = Interrupt.CreateVirtual();
        const ulong key = 0x10;
        irq.Bind(port, key);
        Say($"port koid {port.Koid} (bind-to-interrupt), virtual interrupt koid {irq.Koid}, bound with key 0x{key:x}");

        irq.Trigger(12345);
        ZxPortPacket first = port.Wait(ZxClock.DeadlineAfter(Patience));
        Say($"trigger(12345)      -> {Describe(first)}");
        Expect(first.Type == ZxPacketType.Interrupt && first.Key == key && first.Interrupt.Timestamp == 12345,
            "expected an interrupt packet with the key and timestamp 12345");

        irq.Trigger(67890);
        Expect(port.TryWait(ZxTime.InfinitePast, out _) == ZxStatus.ErrTimedOut,
            "a second trigger before ack must not queue another packet");
        Say("trigger(67890)      -> held back: the first one is not acknowledged yet");

        irq.Ack();
        ZxPortPacket second = port.Wait(ZxClock.DeadlineAfter(Patience));
        Say($"ack                 -> {Describe(second)}");
        Expect(second.Interrupt.Timestamp == 67890, "ack should release the held-back trigger");

        irq.Ack();
        irq.Destroy();
        ZxStatus afterDestroy = irq.TryTrigger(1);
        Say($"ack, destroy, trigger -> {afterDestroy.ToZirconName()}");
        Expect(afterDestroy == ZxStatus.ErrCanceled, "a destroyed interrupt must answer CANCELED");
        return Task.CompletedTask;
    }

    private static async Task PhysicalInterruptWait()
    {
        var line = new HostInterruptLine(HostLine);
        using var irq = Interrupt.CreatePhysical(Resource.Root, line.Number, InterruptMode.EdgeHigh);
        Say($"physical interrupt koid {irq.Koid} on {line} (eventfd {line.EventFd}), created with the root resource");

        long raisedAt = 0;
        var raiser = new Thread(() =>
        {
            Thread.Sleep(50);
            raisedAt = ZxClock.Monotonic;
            line.Raise();
        })
        { Name = "raiser", IsBackground = true };
        raiser.Start();

        // zx_interrupt_wait blocks the calling thread; run it on its own so a failure cannot hang the tour.
        Task<long> wait = Task.Factory.StartNew(irq.Wait, TaskCreationOptions.LongRunning);
        long timestamp = await wait.WaitAsync(Patience);
        long wokeAt = ZxClock.Monotonic;
        raiser.Join();

        Say($"interrupt_wait returned timestamp {timestamp} ns, recorded {(timestamp - raisedAt) / 1000.0:F1} us after Raise()");
        Expect(timestamp >= raisedAt && timestamp <= wokeAt, "the timestamp should be the monotonic time of the raise");
        Expect(irq.TryTrigger(1) == ZxStatus.ErrBadState, "trigger on a physical interrupt must answer BAD_STATE");
        Say("trigger on a physical interrupt -> ZX_ERR_BAD_STATE, as documented");
    }

    private static Task UserPackets()
    {
        using var port = Port.Create();
        port.Queue(PortPackets.User(key: 1, word0: 0xCAFE));
        port.Queue(PortPackets.User(key: 2, "hello"u8));
        port.Queue(PortPackets.User(key: 3, status: ZxStatus.ErrIo));
        Say("queued keys 1, 2, 3");

        for (ulong expectedKey = 1; expectedKey <= 3; expectedKey++)
        {
            ZxPortPacket packet = port.Wait(ZxClock.DeadlineAfter(Patience));
            Say($"wait -> {Describe(packet)}");
            Expect(packet.Key == expectedKey, $"packets should come out in order (expected key {expectedKey})");
        }

        ZxStatus empty = port.TryWait(ZxTime.InfinitePast, out _);
        Say($"poll on the empty port -> {empty.ToZirconName()}");
        Expect(empty == ZxStatus.ErrTimedOut, "an empty port polls as TIMED_OUT");
        return Task.CompletedTask;
    }

    private static async Task AsynchronousWaits()
    {
        using var port = Port.Create();

        port.Queue(PortPackets.User(key: 10));
        ValueTask<ZxPortPacket> ready = port.WaitAsync();
        Say($"packet already queued: WaitAsync completed synchronously = {ready.IsCompletedSuccessfully}");
        Expect(ready.IsCompletedSuccessfully, "a queued packet should complete the wait synchronously");
        Say($"  -> {Describe(await ready)}");

        ValueTask<ZxPortPacket> pending = port.WaitAsync();
        Say($"empty port: WaitAsync pending = {!pending.IsCompleted}; queueing key 11 from the thread pool");
        _ = Task.Run(async () =>
        {
            await Task.Delay(20);
            port.Queue(PortPackets.User(key: 11));
        });
        ZxPortPacket arrived = await pending.AsTask().WaitAsync(Patience);
        Say($"  -> {Describe(arrived)}");
        Expect(arrived.Key == 11, "the async waiter should get the queued packet");

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
        try
        {
            await port.WaitAsync(cts.Token);
            throw new InvalidOperationException("the wait should have been canceled");
        }
        catch (OperationCanceledException)
        {
            Say("WaitAsync with a 30 ms CancellationToken on an empty port -> canceled");
        }
    }

    private static Task EventSignalPacket()
    {
        using var port = Port.Create();
        using var ev = Event.Create();
        const ulong key = 0x20;
        ev.RegisterWait(port, key, ZxSignals.EventSignaled | ZxSignals.User0, WaitAsyncOptions.Timestamp);
        Say($"event koid {ev.Koid}: wait_async for SIGNALED|USER_0 registered with key 0x{key:x}");

        ev.Signal(ZxSignals.None, ZxSignals.EventSignaled);
        ZxPortPacket packet = port.Wait(ZxClock.DeadlineAfter(Patience));
        Say($"signal(SIGNALED) -> {Describe(packet)}");
        Expect(packet.Type == ZxPacketType.SignalOne && packet.Key == key, "expected a signal packet with the key");
        Expect((packet.Signal.Observed & ZxSignals.EventSignaled) != 0, "the packet should observe SIGNALED");

        ev.Signal(ZxSignals.EventSignaled, ZxSignals.User0);
        Expect(port.TryWait(ZxTime.InfinitePast, out _) == ZxStatus.ErrTimedOut, "wait_async is one-shot");
        Say("signal(USER_0) -> no second packet: the registration was one-shot");
        return Task.CompletedTask;
    }

    private static string Describe(in ZxPortPacket packet) => packet.Type switch
    {
        ZxPacketType.Interrupt => $"INTERRUPT key=0x{packet.Key:x} timestamp={packet.Interrupt.Timestamp}",
        ZxPacketType.SignalOne =>
            $"SIGNAL_ONE key=0x{packet.Key:x} trigger={SignalNames(packet.Signal.Trigger)} " +
            $"observed={SignalNames(packet.Signal.Observed)} count={packet.Signal.Count} timestamp={packet.Signal.Timestamp}",
        ZxPacketType.User =>
            $"USER key=0x{packet.Key:x} status={packet.Status.ToZirconName()} {UserPayloadText(packet)}",
        _ => $"{packet.Type} key=0x{packet.Key:x}",
    };

    // The payload as text when it is printable ASCII padded with zeros, otherwise its first u64.
    private static string UserPayloadText(ZxPortPacket packet)
    {
        ReadOnlySpan<byte> payload = PortPackets.UserPayload(ref packet);
        int length = payload.IndexOf((byte)0);
        ReadOnlySpan<byte> text = length < 0 ? payload : payload[..length];
        bool printable = text.Length > 1 && !text.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E) && !payload[text.Length..].ContainsAnyExcept((byte)0);
        return printable ? $"payload=\"{System.Text.Encoding.ASCII.GetString(text)}\"" : $"u64[0]=0x{PortPackets.GetUserWord(packet, 0):x}";
    }

    private static string SignalNames(ZxSignals signals)
    {
        var names = new List<string>();
        if ((signals & ZxSignals.EventSignaled) != 0)
            names.Add("SIGNALED");
        for (int i = 0; i < 8; i++)
        {
            if (((uint)signals & (1u << (24 + i))) != 0)
                names.Add($"USER_{i}");
        }
        ZxSignals other = signals & ~(ZxSignals.EventSignaled | ZxSignals.UserAll);
        if (other != 0)
            names.Add($"0x{(uint)other:x}");
        return names.Count == 0 ? "NONE" : string.Join('|', names);
    }

    private static string Describe(Exception e) => e switch
    {
        ZxException zx => $"{zx.Message} (status {(int)zx.Status})",
        TimeoutException => $"nothing arrived within {Patience.TotalSeconds:F0} s",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static void Say(string line) => Console.WriteLine($"    {line}");

    private static void Expect(bool condition, string what)
    {
        if (!condition)
            throw new InvalidOperationException(what);
    }
}
