using System.Collections.Concurrent;
using Zircon.Kernel.Handles;
using Zircon.Kernel.Ports;

namespace Zircon.Kernel.Tests;

/// <summary>
/// The handle table reuses its slots in place and lookups read them without a lock (a sequence
/// lock on never-reused handle ids). These tests race duplicates, closes, lookups, waits and
/// zx_port_cancel on the same handles and check that a lookup sees either exactly the handle it
/// names or BAD_HANDLE: never another handle's object or rights, never a live handle as bad,
/// never a closed one as live; and that waits and registrations follow the handle, not the slot.
/// </summary>
public class HandleTableRaceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Nobody asserts it, so a wait or registration on it ends only by close, cancel or deadline.
    private const ZxSignals Never = ZxSignals.User7;

    private static readonly ZxRights[] RightsChoices =
    [
        ZxRights.SameRights,
        ZxRights.Basic | ZxRights.Signal,
        ZxRights.Basic,
        ZxRights.Inspect | ZxRights.Signal,
        ZxRights.Inspect,
    ];

    [Fact]
    public void DuplicateCloseLookupWaitAndCancel_Race_LookupsSeeExactlyTheirHandleOrBadHandle()
    {
        // A free list of about Spare slots: a closed handle's slot is reused after about Spare
        // other duplicates, so lookups of just-closed values often meet their slot being refilled
        // (where a torn read would show another handle's object or rights), while no slot is reused
        // 4096 times (a generation wrap) within the test, so every value names one handle only
        // (TryAdd below checks that premise).
        const int Spare = 64;
        uint spareSource = Zx.Event();
        uint[] spare = Enumerable.Range(0, Spare).Select(_ => Zx.Duplicate(spareSource, ZxRights.SameRights)).ToArray();
        Zx.Close([.. spare, spareSource]);

        const int Objects = 4, Owners = 3, Lookups = 2, Rounds = 10_000;
        uint[] roots = Enumerable.Range(0, Objects).Select(_ => Zx.Event()).ToArray();
        ulong[] koids = roots.Select(r => Zx.Info(r).Koid).ToArray();
        uint port = Zx.Port();
        var issued = new ConcurrentDictionary<uint, (ulong Koid, ZxRights Rights)>();
        var recent = new uint[256]; // recently issued values, live or closed, for the lookup threads
        int recentNext = 0, ownersDone = 0;
        long lookupsOk = 0, lookupsBad = 0;
        var failures = new ConcurrentQueue<string>();
        void Fail(string what) => failures.Enqueue(what);

        var owners = Enumerable.Range(0, Owners).Select(o => new Thread(() =>
        {
            var random = new Random(o);
            for (int round = 0; round < Rounds && failures.IsEmpty; round++)
            {
                int obj = random.Next(Objects);
                ZxRights asked = RightsChoices[random.Next(RightsChoices.Length)];
                ZxRights rights = asked == ZxRights.SameRights ? ZxDefaultRights.Event : asked;
                ZxStatus status = Syscalls.HandleDuplicate(roots[obj], asked, out uint h);
                if (status != ZxStatus.Ok)
                {
                    Fail($"duplicate: {status}");
                    break;
                }
                if (!issued.TryAdd(h, (koids[obj], rights)))
                    Fail($"value {h:x} issued twice within the test (the free list was too short: a premise, not the table)");
                Volatile.Write(ref recent[Interlocked.Increment(ref recentNext) & 255], h);

                // Live: every lookup finds exactly this handle.
                CheckInfo(h, koids[obj], rights, live: true, Fail);
                ZxStatus signal = Syscalls.ObjectSignal(h, 0, ZxSignals.User0);
                ZxStatus expectSignal = (rights & ZxRights.Signal) != 0 ? ZxStatus.Ok : ZxStatus.ErrAccessDenied;
                if (signal != expectSignal)
                    Fail($"signal on live {h:x}: {signal}, expected {expectSignal}");
                ZxStatus poll = Syscalls.ObjectWaitOne(h, Never, ZxTime.InfinitePast, out _);
                ZxStatus expectPoll = (rights & ZxRights.Wait) != 0 ? ZxStatus.ErrTimedOut : ZxStatus.ErrAccessDenied;
                if (poll != expectPoll)
                    Fail($"wait_one poll on live {h:x}: {poll}, expected {expectPoll}");

                bool registered = false;
                ulong key = ((ulong)o << 32) | (uint)round;
                if ((rights & ZxRights.Wait) != 0 && random.Next(2) == 0)
                {
                    status = Syscalls.ObjectWaitAsync(h, port, key, Never, 0);
                    if (status != ZxStatus.Ok)
                        Fail($"wait_async on live {h:x}: {status}");
                    // Another handle to the same object, same key: not the handle the wait was made through.
                    uint other = Zx.Duplicate(roots[obj], ZxRights.SameRights);
                    status = Syscalls.PortCancel(port, other, key);
                    if (status != ZxStatus.ErrNotFound)
                        Fail($"port_cancel through another handle to the object: {status}, expected NOT_FOUND");
                    Zx.Close(other);
                    registered = random.Next(2) == 0; // else cancel it through its own handle now
                    if (!registered && (status = Syscalls.PortCancel(port, h, key)) != ZxStatus.Ok)
                        Fail($"port_cancel through the handle the wait was made through: {status}");
                }

                if ((status = Syscalls.HandleClose(h)) != ZxStatus.Ok)
                    Fail($"close of live {h:x}: {status}");
                // Closed: stale for the rest of the test (no value repeats).
                CheckInfo(h, 0, 0, live: false, Fail);
                if ((status = Syscalls.ObjectSignal(h, ZxSignals.User0, 0)) != ZxStatus.ErrBadHandle)
                    Fail($"signal on closed {h:x}: {status}");
                if (registered && (status = Syscalls.PortCancel(port, roots[obj], key)) != ZxStatus.ErrNotFound)
                    Fail($"a registration made through a closed handle matched the root handle: {status}");
            }
            Interlocked.Increment(ref ownersDone);
        })).ToList();

        var lookups = Enumerable.Range(0, Lookups).Select(l => new Thread(() =>
        {
            var random = new Random(100 + l);
            while (Volatile.Read(ref ownersDone) < Owners && failures.IsEmpty)
            {
                // Mostly the newest values: their slots are the ones being emptied and refilled.
                int back = random.Next(4) == 0 ? random.Next(recent.Length) : random.Next(8);
                uint v = Volatile.Read(ref recent[(Volatile.Read(ref recentNext) - back) & (recent.Length - 1)]);
                if (v == 0)
                    continue;
                (ulong koid, ZxRights rights) = issued[v];
                // Either the handle itself or gone; never the slot's next occupant.
                if (CheckInfo(v, koid, rights, live: null, Fail))
                    Interlocked.Increment(ref lookupsOk);
                else
                    Interlocked.Increment(ref lookupsBad);
                ZxStatus signal = Syscalls.ObjectSignal(v, ZxSignals.User0, 0);
                if (signal != ZxStatus.ErrBadHandle && signal != ((rights & ZxRights.Signal) != 0 ? ZxStatus.Ok : ZxStatus.ErrAccessDenied))
                    Fail($"signal on {v:x} with rights {rights}: {signal}");
                ZxStatus poll = Syscalls.ObjectWaitOne(v, Never, ZxTime.InfinitePast, out _);
                if (poll != ZxStatus.ErrBadHandle && poll != ((rights & ZxRights.Wait) != 0 ? ZxStatus.ErrTimedOut : ZxStatus.ErrAccessDenied))
                    Fail($"wait_one poll on {v:x} with rights {rights}: {poll}");
                // A key no owner uses: never found, whatever the handle's state.
                ZxStatus cancel = Syscalls.PortCancel(port, v, ulong.MaxValue);
                if (cancel != ZxStatus.ErrBadHandle && cancel != ((rights & ZxRights.Wait) != 0 ? ZxStatus.ErrNotFound : ZxStatus.ErrAccessDenied))
                    Fail($"port_cancel on {v:x} with rights {rights}: {cancel}");
            }
        })).ToList();

        // A thread blocked in wait_one while another closes its handle: the close must reach it.
        long blockedCanceled = 0;
        var blocked = new Thread(() =>
        {
            uint toClose = 0;
            bool waiterDone = false;
            var closer = new Thread(() =>
            {
                var random = new Random(7);
                while (!Volatile.Read(ref waiterDone))
                {
                    uint h = Interlocked.Exchange(ref toClose, 0);
                    if (h == 0)
                    {
                        Thread.Yield();
                        continue;
                    }
                    for (int spin = random.Next(2000); spin > 0; spin--)
                        Thread.SpinWait(1);
                    ZxStatus status = Syscalls.HandleClose(h);
                    if (status != ZxStatus.Ok)
                        Fail($"closer: {status}");
                }
            });
            closer.Start();
            while (Volatile.Read(ref ownersDone) < Owners && failures.IsEmpty)
            {
                uint h = Zx.Duplicate(roots[0], ZxRights.SameRights);
                Volatile.Write(ref toClose, h);
                ZxStatus status = Syscalls.ObjectWaitOne(h, Never, Syscalls.DeadlineAfter(20_000_000_000), out ZxSignals observed);
                if (status == ZxStatus.ErrCanceled && (observed & ZxSignals.HandleClosed) != 0)
                    blockedCanceled++;
                else if (status != ZxStatus.ErrBadHandle) // BAD_HANDLE: closed before the lookup
                    Fail($"wait_one through a handle closed meanwhile: {status}, observed {observed}");
                while (Volatile.Read(ref toClose) != 0 && Volatile.Read(ref ownersDone) < Owners)
                    Thread.Yield();
            }
            Volatile.Write(ref waiterDone, true);
            closer.Join();
            if (Interlocked.Exchange(ref toClose, 0) is uint left and not 0)
                Syscalls.HandleClose(left);
        });

        owners.ForEach(t => t.Start());
        lookups.ForEach(t => t.Start());
        blocked.Start();
        owners.ForEach(t => Assert.True(t.Join(Patience), "an owner thread hung"));
        lookups.ForEach(t => Assert.True(t.Join(Patience), "a lookup thread hung"));
        Assert.True(blocked.Join(Patience), "the blocked waiter hung");

        Assert.Empty(failures);
        // Both outcomes of a racing lookup happened, and the close reached blocked waiters.
        Assert.True(lookupsOk > 0 && lookupsBad > 0, $"lookups: {lookupsOk} found, {lookupsBad} bad");
        Assert.True(blockedCanceled > 0, "no blocked wait_one was canceled by a close");
        // Every registration made through a closed handle went with it; every wait ended.
        Assert.Equal(0, Zx.Object<PortDispatcher>(port).RegistrationCount);
        foreach (uint root in roots)
            Assert.Equal(0, Zx.Object<Dispatcher>(root).ObserverCount);
        Zx.Close([.. roots, port]);
    }

    [Fact]
    public void WaitAsyncRacingWithClose_NoRegistrationOutlivesItsHandle()
    {
        // wait_async looks the handle up, then registers; a close in between cancels the
        // registrations made through the handle before this one is registered. It must not stay
        // behind (a packet for a closed handle, an observer nobody can cancel).
        uint ev = Zx.Event(), port = Zx.Port();
        var random = new Random(3);
        int registered = 0;
        for (int round = 0; round < 1000; round++)
        {
            uint h = Zx.Duplicate(ev, ZxRights.SameRights);
            int delay = random.Next(400);
            ZxStatus closed = ZxStatus.ErrInternal;
            var closer = new Thread(() =>
            {
                Thread.SpinWait(delay);
                closed = Syscalls.HandleClose(h);
            });
            closer.Start();
            ZxStatus status;
            ulong key = 0;
            while ((status = Syscalls.ObjectWaitAsync(h, port, key++, Never, 0)) == ZxStatus.Ok)
                registered++;
            Assert.Equal(ZxStatus.ErrBadHandle, status);
            Assert.True(closer.Join(Patience));
            Assert.Equal(ZxStatus.Ok, closed);
            Assert.Equal(0, Zx.Object<Dispatcher>(ev).ObserverCount);
            Assert.Equal(0, Zx.Object<PortDispatcher>(port).RegistrationCount);
        }
        Assert.True(registered > 0);
        Zx.Close(ev, port);
    }

    [Fact]
    public void Replace_RacingWithLookups_OldValueDiesAndNewValueHasTheNewRights()
    {
        uint ev = Zx.Event();
        ulong koid = Zx.Info(ev).Koid;
        uint current = 0;
        bool done = false;
        var failures = new ConcurrentQueue<string>();
        var reader = new Thread(() =>
        {
            while (!Volatile.Read(ref done))
            {
                uint v = Volatile.Read(ref current);
                if (v == 0)
                    continue;
                // Found with this object, or gone (replaced meanwhile).
                CheckInfo(v, koid, null, live: null, failures.Enqueue);
            }
        });
        reader.Start();
        ZxRights[] narrowed = [ZxRights.Basic, ZxRights.Basic | ZxRights.Signal, ZxRights.Inspect];
        for (int i = 0; i < 2000; i++)
        {
            uint old = Zx.Duplicate(ev, ZxRights.SameRights);
            Volatile.Write(ref current, old);
            ZxRights rights = narrowed[i % narrowed.Length];
            Assert.Equal(ZxStatus.Ok, Syscalls.HandleReplace(old, rights, out uint next));
            Volatile.Write(ref current, next);
            Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.ObjectGetInfo(old, ZxInfoTopic.HandleBasic, new byte[64], out _, out _));
            ZxInfoHandleBasic info = Zx.Info(next);
            Assert.Equal(koid, info.Koid);
            Assert.Equal(rights, info.Rights);
            Volatile.Write(ref current, 0);
            Zx.Close(next);
        }
        Volatile.Write(ref done, true);
        Assert.True(reader.Join(Patience));
        Assert.Empty(failures);
        Zx.Close(ev);
    }

    /// <summary>
    /// Looks <paramref name="h"/> up. live true: must be found with this object and rights; false:
    /// must be BAD_HANDLE; null: either, but if found, with this object and rights (any rights when
    /// <paramref name="rights"/> is null). Returns found.
    /// </summary>
    private static bool CheckInfo(uint h, ulong koid, ZxRights? rights, bool? live, Action<string> fail)
    {
        Span<byte> buffer = stackalloc byte[64];
        ZxStatus status = Syscalls.ObjectGetInfo(h, ZxInfoTopic.HandleBasic, buffer, out _, out _);
        if (status == ZxStatus.ErrBadHandle)
        {
            if (live == true)
                fail($"live handle {h:x} looked up as BAD_HANDLE");
            return false;
        }
        if (status != ZxStatus.Ok)
        {
            fail($"get_info {h:x}: {status}");
            return false;
        }
        if (live == false)
            fail($"closed handle {h:x} still resolves");
        var info = System.Runtime.InteropServices.MemoryMarshal.Read<ZxInfoHandleBasic>(buffer);
        if (info.Koid != koid || (rights is not null && info.Rights != rights))
            fail($"{h:x} resolved to koid {info.Koid} rights {info.Rights}, issued as koid {koid} rights {rights}");
        return true;
    }
}
