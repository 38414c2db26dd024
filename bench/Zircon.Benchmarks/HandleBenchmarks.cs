using System.Runtime.InteropServices;
using static Zircon.Benchmarks.PortBenchmarks;

namespace Zircon.Benchmarks;

/// <summary>Section 3: the handle table and signals, against the runtime's own handle table and wait primitives.</summary>
public static class HandleBenchmarks
{
    private const int Batch = 1000;

    public static Section Run(Config config)
    {
        var s = new Section("Handle table and signals");
        int batches = config.Scale(1000);

        Check(Syscalls.EventCreate(0, out uint ev));
        using var evt = Event.Create();
        object target = new();
        byte[] infoBuffer = new byte[32];
        // A minimal handle table: a lock and a dictionary lookup, then the same 32-byte record.
        var table = new Dictionary<uint, (object Object, uint Rights)>();
        for (uint h = 1; h < 64; h++)
            table[h * 4 + 3] = (new object(), h);
        var tableLock = new Lock();
        using var mres = new ManualResetEventSlim(false);

        Stats[] d = Measure.Interleaved(Batch, batches,
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    Syscalls.HandleDuplicate(ev, ZxRights.SameRights, out uint copy);
                    Syscalls.HandleClose(copy);
                }
            },
            n =>
            {
                for (int i = 0; i < n; i++)
                    evt.Duplicate(ZxRights.SameRights).Dispose();
            },
            n =>
            {
                for (int i = 0; i < n; i++)
                    GCHandle.Alloc(target).Free();
            });
        Stats dupClose = d[0], apiDup = d[1], gcHandle = d[2];

        Stats[] g = Measure.Interleaved(Batch, batches,
            n =>
            {
                for (int i = 0; i < n; i++)
                    Syscalls.ObjectGetInfo(ev, ZxInfoTopic.HandleBasic, infoBuffer, out _, out _);
            },
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    (object Object, uint Rights) entry;
                    lock (tableLock)
                        table.TryGetValue(99, out entry);
                    MemoryMarshal.Write(infoBuffer, new ZxInfoHandleBasic { Rights = (ZxRights)entry.Rights });
                }
            });
        Stats getInfo = g[0], lookup = g[1];

        Stats[] w = Measure.Interleaved(Batch, batches,
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    Syscalls.ObjectSignal(ev, 0, ZxSignals.User0);
                    Syscalls.ObjectWaitOne(ev, ZxSignals.User0, ZxTime.Infinite, out _);
                }
            },
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    evt.Signal(0, ZxSignals.User0);
                    evt.WaitOne(ZxSignals.User0);
                }
            },
            n =>
            {
                for (int i = 0; i < n; i++)
                {
                    mres.Set();
                    mres.Wait();
                }
            });
        Stats signalWait = w[0], apiSignalWait = w[1], mresStats = w[2];
        Syscalls.HandleClose(ev);

        s.Add("`zx_handle_duplicate` + `zx_handle_close` (event)", dupClose, "GCHandle.Alloc + Free", gcHandle, zeroAlloc: true, whySlower:
            "the table lock taken twice (add, remove), a process-wide handle id (one atomic increment), generation and free-queue bookkeeping, handle-count updates on the dispatcher; the slot is reused in place, so nothing is allocated.",
            bound: "nothing should allocate here: table slots are reused in place as sequence locks keyed by never-reused handle ids (docs/benchmark-notes.md); an allocation is a regression.");
        s.Add("`Event.Duplicate()` + `Dispose()` (Zircon API)", apiDup, "GCHandle.Alloc + Free", gcHandle,
            "as above plus the `Event` wrapper object (32 B).");
        s.Add("`zx_object_get_info(HANDLE_BASIC)`", getInfo, "lock + Dictionary lookup + write record", lookup,
            "lock-free slot lookup plus type/rights checks, then the record is built and copied through `MemoryMarshal`.");
        s.Add("`zx_object_signal` + `zx_object_wait_one` (already signaled)", signalWait, "ManualResetEventSlim Set + Wait", mresStats,
            "two handle-table lookups with rights checks; signaling an already signaled object changes nothing and skips the signal lock, and wait_one's fast path reads the state without it.", target: 1.5, zeroAlloc: true);
        s.Add("`Event.Signal` + `Event.WaitOne` (Zircon API)", apiSignalWait, "ManualResetEventSlim Set + Wait", mresStats,
            "same as the raw row (the wrapper adds nothing measurable).", target: 1.5, zeroAlloc: true);
        return s;
    }
}
