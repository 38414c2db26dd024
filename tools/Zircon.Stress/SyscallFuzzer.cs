using System.Collections.Concurrent;

namespace Zircon.Stress;

/// <summary>
/// Calls every syscall from several threads at once with handles drawn from a shared pool: valid
/// objects of every type, duplicates with random fewer rights, stale (closed) and forged values,
/// and random sizes, offsets and options. Fails on a status Zircon does not document for the
/// call, on an exception escaping the kernel, on a thread that does not come back, and on growth
/// of handles, fds, threads or memory once everything the fuzzer made is closed.
/// </summary>
internal sealed class SyscallFuzzer(Report report)
{
    private const int PoolSize = 96;
    public const uint FirstFuzzLine = 200, FuzzLines = 8;

    private readonly uint[] _pool = new uint[PoolSize];
    private readonly ConcurrentDictionary<string, int> _undocumented = new();
    private readonly ConcurrentQueue<string> _exceptions = new();
    private readonly ConcurrentBag<ulong> _mappings = new();
    private readonly uint _root = Syscalls.GetRootResource();
    private readonly uint _rootVmar = Syscalls.VmarRootSelf();
    private long _calls;

    public void Run(TimeSpan budget, int threadCount)
    {
        ResourceSample before = ResourceSample.Take();
        var rng = new Random(Environment.TickCount);
        for (int i = 0; i < PoolSize; i++)
            _pool[i] = Create(rng);

        long deadline = Environment.TickCount64 + (long)budget.TotalMilliseconds;
        var threads = new List<Thread>();
        for (int t = 0; t < threadCount; t++)
        {
            int seed = rng.Next();
            var thread = new Thread(() => Worker(seed, deadline)) { IsBackground = true, Name = $"fuzz-{t}" };
            threads.Add(thread);
            thread.Start();
        }
        // A helper that triggers interrupts, so that waits on them end during the run.
        var trigger = new Thread(() =>
        {
            var r = new Random(7);
            while (Environment.TickCount64 < deadline)
            {
                Syscalls.InterruptTrigger(_pool[r.Next(PoolSize)], 0, Syscalls.ClockGetMonotonic());
                Thread.Sleep(1);
            }
        }) { IsBackground = true };
        trigger.Start();

        Thread.Sleep(budget);
        trigger.Join();
        // Destroying every interrupt must release every thread blocked in zx_interrupt_wait.
        bool allBack = JoinAll(threads, TimeSpan.FromSeconds(5), destroyInterrupts: true);
        report.Check("syscall fuzzer: every thread came back (no hang; destroy wakes interrupt waiters)", allBack);

        foreach (ulong address in _mappings)
            Syscalls.VmarUnmap(_rootVmar, address, 16 * ZxPage.Size);
        for (int i = 0; i < PoolSize; i++)
            CloseSlot(i, ZxHandleValues.Invalid);
        ResourceSample after = ResourceSample.Take();

        report.Add("fuzzed syscalls", _calls);
        report.Check("syscall fuzzer: only documented statuses", _undocumented.IsEmpty,
            _undocumented.IsEmpty ? $"{_calls} calls" : string.Join("; ", _undocumented.Select(u => $"{u.Key} x{u.Value}")));
        report.Check("syscall fuzzer: no exception escaped the kernel", _exceptions.IsEmpty, string.Join("; ", _exceptions.Take(3)));
        ResourceSample.CheckGrowth(report, "syscall fuzzer", before, after);
    }

    private bool JoinAll(List<Thread> threads, TimeSpan timeout, bool destroyInterrupts)
    {
        long end = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < end)
        {
            if (destroyInterrupts)
            {
                for (int i = 0; i < PoolSize; i++)
                    Syscalls.InterruptDestroy(_pool[i]);
            }
            if (threads.All(t => t.Join(10)))
                return true;
        }
        return false;
    }

    private void Worker(int seed, long deadline)
    {
        var rng = new Random(seed);
        while (Environment.TickCount64 < deadline)
        {
            try
            {
                Step(rng);
            }
            catch (Exception e)
            {
                _exceptions.Enqueue($"{e.GetType().Name}: {e.Message}");
            }
            Interlocked.Increment(ref _calls);
        }
    }

    private void Expect(string call, ZxStatus status)
    {
        if (!DocumentedStatuses.IsDocumented(call, status))
            _undocumented.AddOrUpdate($"{call} -> {status}", 1, (_, n) => n + 1);
    }

    /// <summary>A handle for an argument: mostly from the pool, sometimes forged.</summary>
    private uint AnyHandle(Random rng) => rng.Next(10) switch
    {
        0 => (uint)rng.Next() | 1u,
        1 => rng.Next(2) == 0 ? ZxHandleValues.Invalid : uint.MaxValue,
        _ => _pool[rng.Next(PoolSize)],
    };

    private static ZxRights AnyRights(Random rng) =>
        rng.Next(4) == 0 ? ZxRights.SameRights : (ZxRights)(uint)rng.Next() & (ZxRights)0xFFFF;

    private static long ShortDeadline(Random rng) => rng.Next(3) == 0 ? 0 : Syscalls.DeadlineAfter(rng.Next(1000) * 1000L);

    /// <summary>Puts a new handle into a slot and closes the one it displaces (which may already be closed).</summary>
    private void CloseSlot(int slot, uint replacement)
    {
        uint old = Interlocked.Exchange(ref _pool[slot], replacement);
        if (old != _root && old != _rootVmar)
            Syscalls.HandleClose(old);
    }

    private void Keep(Random rng, ZxStatus status, uint handle)
    {
        if (status == ZxStatus.Ok)
            CloseSlot(rng.Next(PoolSize), handle);
    }

    private uint Create(Random rng)
    {
        uint h;
        switch (rng.Next(7))
        {
            case 0: Syscalls.EventCreate(0, out h); break;
            case 1: Syscalls.PortCreate(0, out h); break;
            case 2: Syscalls.PortCreate(ZxPortOptions.BindToInterrupt, out h); break;
            case 3: Syscalls.InterruptCreate(ZxHandleValues.Invalid, 0, ZxInterruptOptions.Virtual, out h); break;
            case 4: Syscalls.VmoCreate((ulong)rng.Next(1, 5) * ZxPage.Size, 0, out h); break;
            case 5: Syscalls.HandleDuplicate(_root, AnyRights(rng), out h); break;
            default: Syscalls.InterruptCreate(_root, FirstFuzzLine + (uint)rng.Next((int)FuzzLines), 0, out h); break;
        }
        return h;
    }

    private void Step(Random rng)
    {
        uint h = AnyHandle(rng), other = AnyHandle(rng);
        ZxStatus s;
        uint created;
        switch (rng.Next(35))
        {
            case 0:
                Keep(rng, ZxStatus.Ok, Create(rng));
                break;
            case 1:
                if (h != _root && h != _rootVmar)
                    Expect("zx_handle_close", Syscalls.HandleClose(h));
                break;
            case 2:
            {
                Span<uint> many = stackalloc uint[rng.Next(0, 4)];
                for (int i = 0; i < many.Length; i++)
                    many[i] = rng.Next(3) == 0 ? (uint)rng.Next() : _pool[rng.Next(PoolSize)];
                if (!many.Contains(_root) && !many.Contains(_rootVmar))
                    Expect("zx_handle_close_many", Syscalls.HandleCloseMany(many));
                break;
            }
            case 3:
                s = Syscalls.HandleDuplicate(h, AnyRights(rng), out created);
                Expect("zx_handle_duplicate", s);
                Keep(rng, s, created);
                break;
            case 4:
                if (h == _root || h == _rootVmar)
                    break;
                s = Syscalls.HandleReplace(h, AnyRights(rng), out created);
                Expect("zx_handle_replace", s);
                Keep(rng, s, created);
                break;
            case 5:
            {
                Span<byte> buffer = stackalloc byte[rng.Next(0, 64)];
                Expect("zx_object_get_info", Syscalls.ObjectGetInfo(h, (uint)rng.Next(0, 10), buffer, out _, out _));
                break;
            }
            case 6:
                Expect("zx_object_signal", Syscalls.ObjectSignal(h, (ZxSignals)(uint)rng.Next(), (ZxSignals)(uint)rng.Next()));
                break;
            case 7:
                Expect("zx_object_wait_one", Syscalls.ObjectWaitOne(h, (ZxSignals)(uint)rng.Next(), ShortDeadline(rng), out _));
                break;
            case 8:
                Expect("zx_object_wait_async", Syscalls.ObjectWaitAsync(h, other, (ulong)rng.NextInt64(), (ZxSignals)(uint)rng.Next(), (uint)rng.Next(3)));
                break;
            case 9:
                s = Syscalls.EventCreate((uint)rng.Next(2), out created);
                Expect("zx_event_create", s);
                Keep(rng, s, created);
                break;
            case 10:
                s = Syscalls.PortCreate((uint)rng.Next(3), out created);
                Expect("zx_port_create", s);
                Keep(rng, s, created);
                break;
            case 11:
            {
                var packet = new ZxPortPacket { Key = (ulong)rng.NextInt64(), Type = (ZxPacketType)(uint)rng.Next() };
                Expect("zx_port_queue", Syscalls.PortQueue(h, packet));
                break;
            }
            case 12:
                Expect("zx_port_wait", Syscalls.PortWait(h, ShortDeadline(rng), out _));
                break;
            case 13:
                Expect("zx_port_cancel", Syscalls.PortCancel(h, other, (ulong)rng.Next(4)));
                break;
            case 14:
            {
                uint options = rng.Next(3) switch { 0 => ZxInterruptOptions.Virtual, 1 => (uint)rng.Next(0x20), _ => 0 };
                uint line = rng.Next(2) == 0 ? FirstFuzzLine + (uint)rng.Next((int)FuzzLines) : (uint)rng.Next();
                s = Syscalls.InterruptCreate(rng.Next(2) == 0 ? _root : h, line, options, out created);
                Expect("zx_interrupt_create", s);
                Keep(rng, s, created);
                break;
            }
            case 15:
                Expect("zx_interrupt_bind", Syscalls.InterruptBind(h, other, (ulong)rng.Next(8), (uint)rng.Next(3)));
                break;
            case 16:
                Expect("zx_interrupt_bind_vcpu", Syscalls.InterruptBindVcpu(h, other, (uint)rng.Next(2)));
                break;
            case 17:
                Expect("zx_interrupt_ack", Syscalls.InterruptAck(h));
                break;
            case 18:
                Expect("zx_interrupt_trigger", Syscalls.InterruptTrigger(h, (uint)rng.Next(2) * (uint)rng.Next(2), rng.NextInt64()));
                break;
            case 19:
                Expect("zx_interrupt_destroy", Syscalls.InterruptDestroy(h));
                break;
            case 20:
                // Blocks until a trigger, a destroy or the handle's close; the run's end destroys them all.
                if (rng.Next(8) == 0)
                    Expect("zx_interrupt_wait", Syscalls.InterruptWait(h, out _));
                break;
            case 21:
            {
                ulong size = rng.Next(4) switch { 0 => 0, 1 => (ulong)rng.NextInt64(), 2 => ulong.MaxValue - (ulong)rng.Next(4096), _ => (ulong)rng.Next(1 << 16) };
                s = Syscalls.VmoCreate(size, (uint)rng.Next(2), out created);
                Expect("zx_vmo_create", s);
                Keep(rng, s, created);
                break;
            }
            case 22:
            {
                Span<byte> buffer = stackalloc byte[rng.Next(0, 4096)];
                ulong offset = rng.Next(2) == 0 ? (ulong)rng.Next(0x6000) : (ulong)rng.NextInt64() * 2;
                Expect("zx_vmo_read", Syscalls.VmoRead(h, buffer, offset));
                break;
            }
            case 23:
            {
                Span<byte> buffer = stackalloc byte[rng.Next(0, 4096)];
                rng.NextBytes(buffer);
                ulong offset = rng.Next(2) == 0 ? (ulong)rng.Next(0x6000) : (ulong)rng.NextInt64() * 2;
                Expect("zx_vmo_write", Syscalls.VmoWrite(h, buffer, offset));
                break;
            }
            case 24:
                Expect("zx_vmo_get_size", Syscalls.VmoGetSize(h, out _));
                break;
            case 25:
                if (h == _root || h == _rootVmar)
                    break;
                s = Syscalls.VmoReplaceAsExecutable(h, rng.Next(2) == 0 ? ZxHandleValues.Invalid : other, out created);
                Expect("zx_vmo_replace_as_executable", s);
                Keep(rng, s, created);
                break;
            case 26:
            {
                uint vmar = rng.Next(4) == 0 ? h : _rootVmar;
                uint perms = (uint)rng.Next(8) & (ZxVmOptions.PermRead | ZxVmOptions.PermWrite | ZxVmOptions.PermExecute);
                ulong length = (ulong)rng.Next(0, 17) * ZxPage.Size + (rng.Next(8) == 0 ? 1u : 0u);
                s = Syscalls.VmarMap(vmar, perms, 0, other, (ulong)rng.Next(4) * ZxPage.Size, length, out ulong address);
                Expect("zx_vmar_map", s);
                if (s == ZxStatus.Ok && vmar == _rootVmar)
                    _mappings.Add(address);
                break;
            }
            case 27:
            {
                ulong address = rng.Next(2) == 0 && _mappings.TryPeek(out ulong mapped) ? mapped : (ulong)rng.NextInt64() & ~0xFFFUL;
                Expect("zx_vmar_unmap", Syscalls.VmarUnmap(rng.Next(4) == 0 ? h : _rootVmar, address, (ulong)rng.Next(0, 17) * ZxPage.Size));
                break;
            }
            case 28:
                if (rng.Next(16) == 0)
                {
                    s = Syscalls.GuestCreate(rng.Next(2) == 0 ? _root : h, (uint)rng.Next(2), out uint guest, out uint vmar);
                    Expect("zx_guest_create", s);
                    Keep(rng, s, guest);
                    Keep(rng, s, vmar);
                }
                break;
            case 29:
                Expect("zx_guest_set_trap", Syscalls.GuestSetTrap(h, (uint)rng.Next(4), (ulong)rng.Next(0x10000) * 0x100, (ulong)rng.Next(4) * ZxPage.Size, other, 0));
                break;
            case 30:
                Expect("zx_vcpu_interrupt", Syscalls.VcpuInterrupt(h, (uint)rng.Next(300)));
                break;
            case 31:
                Expect("zx_vcpu_kick", Syscalls.VcpuKick(h));
                break;
            case 32:
            {
                Span<byte> buffer = stackalloc byte[rng.Next(2) == 0 ? 136 : rng.Next(0, 200)];
                Expect("zx_vcpu_read_state", Syscalls.VcpuReadState(h, (uint)rng.Next(3), buffer));
                Expect("zx_vcpu_write_state", Syscalls.VcpuWriteState(h, (uint)rng.Next(3), buffer));
                break;
            }
            case 33:
                s = Syscalls.VcpuCreate(h, (uint)rng.Next(2), (ulong)rng.Next(0x10000), out created);
                Expect("zx_vcpu_create", s);
                Keep(rng, s, created);
                if (s == ZxStatus.Ok)
                    Expect("zx_vcpu_resume", Syscalls.VcpuResume(created, out _)); // no memory: exits at once
                else
                    Expect("zx_vcpu_resume", Syscalls.VcpuResume(h, out _));
                break;
            default:
                Expect("zx_nanosleep", Syscalls.Nanosleep(rng.Next(2) == 0 ? 0 : Syscalls.DeadlineAfter(rng.Next(100) * 1000L)));
                break;
        }
    }
}
