using System.Collections.Concurrent;
using Zircon.Kernel.Hypervisor;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Tests.Fakes;

/// <summary>
/// A hypervisor with no hardware behind it: machines record what the kernel asks of them and
/// VCPUs return scripted exits, so Zircon's guest and VCPU rules can be tested without /dev/kvm.
/// </summary>
internal sealed class FakeHypervisor : IHypervisor
{
    private readonly Lock _lock = new();
    private readonly List<FakeGuestBackend> _guests = new();

    /// <summary>What <see cref="CreateGuest"/> answers; NOT_SUPPORTED plays a host without KVM.</summary>
    public ZxStatus CreateGuestStatus { get; set; } = ZxStatus.Ok;

    public IReadOnlyList<FakeGuestBackend> Guests
    {
        get
        {
            lock (_lock)
                return [.. _guests];
        }
    }

    public FakeGuestBackend LastGuest => Guests[^1];

    public ZxStatus CreateGuest(out IGuestBackend? guest)
    {
        guest = null;
        if (CreateGuestStatus != ZxStatus.Ok)
            return CreateGuestStatus;
        var created = new FakeGuestBackend();
        lock (_lock)
            _guests.Add(created);
        guest = created;
        return ZxStatus.Ok;
    }
}

/// <summary>A fake machine: memory slots as plain records, VCPUs as <see cref="FakeVcpuBackend"/>.</summary>
internal sealed class FakeGuestBackend : IGuestBackend
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, MemorySlot> _slots = new();
    private readonly List<FakeVcpuBackend> _vcpus = new();
    private readonly HashSet<uint> _createdIds = new();
    private int _nextSlot;
    private int _disposed;

    public readonly record struct MemorySlot(ulong GuestPhysical, ulong Length, ulong HostAddress, bool ReadOnly);

    /// <summary>KVM_MAX_VCPUS on x86: how many VCPUs one KVM VM can ever create.</summary>
    public const int KvmMaxVcpus = 1024;

    /// <summary>VCPUs created (KVM_CREATE_VCPU calls that succeeded), closed ones included.</summary>
    public int CreatedVcpuCount
    {
        get
        {
            lock (_lock)
                return _createdIds.Count;
        }
    }

    /// <summary>What <see cref="MaxVcpus"/> reports (KVM_CAP_MAX_VCPUS).</summary>
    public int MaxVcpus { get; set; } = KvmMaxVcpus;

    /// <summary>What <see cref="CreateVcpu"/> answers.</summary>
    public ZxStatus CreateVcpuStatus { get; set; } = ZxStatus.Ok;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Live slots, ordered by guest-physical address.</summary>
    public IReadOnlyList<MemorySlot> Slots
    {
        get
        {
            lock (_lock)
                return [.. _slots.Values.OrderBy(s => s.GuestPhysical)];
        }
    }

    public IReadOnlyList<FakeVcpuBackend> Vcpus
    {
        get
        {
            lock (_lock)
                return [.. _vcpus];
        }
    }

    public ZxStatus MapMemory(ulong guestPhysical, ulong length, ulong hostAddress, bool readOnly, out int slot)
    {
        lock (_lock)
        {
            slot = _nextSlot++;
            _slots.Add(slot, new MemorySlot(guestPhysical, length, hostAddress, readOnly));
        }
        return ZxStatus.Ok;
    }

    public ZxStatus UnmapMemory(int slot)
    {
        lock (_lock)
            return _slots.Remove(slot) ? ZxStatus.Ok : ZxStatus.ErrNotFound;
    }

    public ZxStatus CreateVcpu(uint id, bool bootstrap, ulong entry, out IVcpuBackend? vcpu)
    {
        vcpu = null;
        if (CreateVcpuStatus != ZxStatus.Ok)
            return CreateVcpuStatus;
        lock (_lock)
        {
            // KVM's rules: an id is created once per VM (EEXIST), and a VM creates at most
            // KvmMaxVcpus VCPUs in its life (EINVAL), closed ones included.
            if (_createdIds.Contains(id))
                return ZxStatus.ErrAlreadyExists;
            if (_createdIds.Count >= KvmMaxVcpus)
                return ZxStatus.ErrInvalidArgs;
            _createdIds.Add(id);
        }
        var created = new FakeVcpuBackend(id, bootstrap, entry) { Recycled = v => { lock (_lock) _vcpus.Add(v); } };
        lock (_lock)
            _vcpus.Add(created);
        vcpu = created;
        return ZxStatus.Ok;
    }

    public ZxStatus RouteInterruptLine(EventFd line, ReadOnlySpan<uint> apicIds, byte vector, out IDisposable? route)
    {
        route = null;
        return ZxStatus.ErrNotSupported;
    }

    private readonly Dictionary<ulong, EventFd> _doorbells = new();
    private readonly ConcurrentQueue<string> _violations = new();

    /// <summary>Whether <see cref="AttachWriteDoorbell"/> works (KVM with KVM_CAP_IOEVENTFD_ANY_LENGTH); off plays a host without it.</summary>
    public bool DoorbellsSupported { get; set; }

    /// <summary>What <see cref="AttachWriteDoorbell"/> answers once <see cref="DoorbellsSupported"/> (NO_RESOURCES plays a full MMIO bus).</summary>
    public ZxStatus AttachDoorbellStatus { get; set; } = ZxStatus.Ok;

    /// <summary>Every doorbell ever attached, by address, in order (attaching again adds it again).</summary>
    public ConcurrentQueue<ulong> DoorbellsAttached { get; } = new();

    /// <summary>Contract violations seen (a doorbell attached twice or still attached at dispose).</summary>
    public IReadOnlyList<string> Violations => [.. _violations];

    private int _attachRequests;

    /// <summary>How many times the kernel asked for a doorbell (answered or not).</summary>
    public int AttachRequests => Volatile.Read(ref _attachRequests);

    /// <summary>Addresses with a doorbell now.</summary>
    public IReadOnlyList<ulong> Doorbells
    {
        get
        {
            lock (_lock)
                return [.. _doorbells.Keys.Order()];
        }
    }

    public ZxStatus AttachWriteDoorbell(ulong address, EventFd signal, out IDisposable? doorbell)
    {
        doorbell = null;
        Interlocked.Increment(ref _attachRequests);
        if (!DoorbellsSupported)
            return ZxStatus.ErrNotSupported;
        if (AttachDoorbellStatus != ZxStatus.Ok)
            return AttachDoorbellStatus;
        lock (_lock)
        {
            if (IsDisposed)
                _violations.Enqueue($"doorbell at {address:x} attached after dispose");
            if (!_doorbells.TryAdd(address, signal))
                return ZxStatus.ErrAlreadyExists; // KVM: EEXIST
        }
        DoorbellsAttached.Enqueue(address);
        doorbell = new DetachDoorbell(this, address);
        return ZxStatus.Ok;
    }

    /// <summary>
    /// Plays a guest write at <paramref name="address"/> that KVM completes in the kernel: signals its
    /// doorbell and returns true, or returns false if none is attached (the write would exit).
    /// </summary>
    public bool RingDoorbell(ulong address)
    {
        // Held while signalling, as KVM holds its bus: once a detach returns, no write signals.
        lock (_lock)
        {
            if (!_doorbells.TryGetValue(address, out EventFd? signal))
                return false;
            signal.Signal();
            return true;
        }
    }

    private sealed class DetachDoorbell(FakeGuestBackend guest, ulong address) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
                return;
            lock (guest._lock)
                guest._doorbells.Remove(address);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_doorbells.Count > 0)
                _violations.Enqueue($"disposed with {_doorbells.Count} doorbells attached");
        }
        Interlocked.Exchange(ref _disposed, 1);
    }
}

/// <summary>
/// A fake VCPU. <see cref="Run"/> takes the next scripted step; with none left it behaves like a
/// guest that keeps running: it blocks until a <see cref="Kick"/> (or a new step) arrives. It
/// records everything the kernel injects and flags any use that breaks the backend contract
/// (use after dispose, dispose during a run, use from a thread other than the creator's).
/// </summary>
internal sealed class FakeVcpuBackend : IVcpuBackend
{
    /// <summary>A blocked <see cref="Run"/> gives up after this long, so a broken test fails instead of hanging.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<Func<FakeVcpuBackend, VcpuExit>> _script = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private GuestRegisters _registers;
    private int _kicks;
    private int _kickRequested;
    private int _inRun;
    private int _runs;
    private int _disposed;

    public FakeVcpuBackend(uint id, bool bootstrap, ulong entry)
    {
        Id = id;
        Bootstrap = bootstrap;
        Entry = entry;
        CreatorThreadId = Environment.CurrentManagedThreadId;
        _registers.Rip = entry;
        _registers.Rflags = 0x2;
        // A 64-bit guest with paging off: linear = physical, default operand size 4.
        Control = new GuestControlState(Cr0: 0x11, Cr3: 0, Cr4: 0x20, Efer: 0x500, CodeBase: 0, CodeLong: true, CodeDefault32: false);
    }

    public uint Id { get; }

    /// <summary>Told when the kernel recycles this VCPU (the guest lists it again as its newest).</summary>
    public Action<FakeVcpuBackend>? Recycled { get; init; }

    /// <summary>How many times the kernel recycled this VCPU for a new Zircon VCPU.</summary>
    public int Resets { get; private set; }

    /// <summary>Retired by the kernel (its Zircon VCPU closed) and not yet reset.</summary>
    public bool IsRetired { get; private set; }

    /// <summary>Given back by the kernel: retired for reuse or disposed.</summary>
    public bool IsReleased => IsRetired || IsDisposed;

    public void Retire()
    {
        if (InRun)
            _violations.Enqueue("Retire while Run is in progress");
        if (IsRetired)
            _violations.Enqueue("Retire twice");
        IsRetired = true;
    }

    private Action<ulong>? _parkedStartup;

    /// <summary>Parked by the kernel (a declared processor with no Zircon VCPU), waiting for STARTUP.</summary>
    public bool IsParked => Volatile.Read(ref _parkedStartup) is not null;

    /// <summary>How many times the kernel parked this VCPU.</summary>
    public int Parks { get; private set; }

    public void Park(Action<ulong> startup)
    {
        if (InRun)
            _violations.Enqueue("Park while Run is in progress");
        if (IsDisposed)
            _violations.Enqueue("Park after Dispose");
        Parks++;
        Volatile.Write(ref _parkedStartup, startup);
    }

    /// <summary>
    /// Plays the guest sending INIT and STARTUP (vector = <paramref name="entry"/> &gt;&gt; 12) to this
    /// processor: a parked VCPU reports it, as KVM's parked one does; false if not parked (dropped).
    /// </summary>
    public bool SendInitAndStartup(ulong entry)
    {
        Action<ulong>? startup = Volatile.Read(ref _parkedStartup);
        startup?.Invoke(entry);
        return startup is not null;
    }

    public ZxStatus Reset(bool bootstrap, ulong entry)
    {
        Volatile.Write(ref _parkedStartup, null);
        if (!IsRetired)
            _violations.Enqueue("Reset of a VCPU that was not retired");
        IsRetired = false;
        if (IsDisposed)
            _violations.Enqueue("Reset after Dispose");
        if (InRun)
            _violations.Enqueue("Reset while Run is in progress");
        CreatorThreadId = Environment.CurrentManagedThreadId;
        Bootstrap = bootstrap;
        Entry = entry;
        _registers = default;
        _registers.Rip = entry;
        _registers.Rflags = 0x2;
        Volatile.Write(ref _kickRequested, 0);
        Resets++;
        Recycled?.Invoke(this);
        return ZxStatus.Ok;
    }

    /// <summary>The fake addresses interrupts by the Zircon VCPU id.</summary>
    public uint ApicId => Id;

    public bool Bootstrap { get; private set; }

    public ulong Entry { get; private set; }

    public int CreatorThreadId { get; private set; }

    public GuestControlState Control { get; set; }

    /// <summary>What <see cref="CanInjectInterrupt"/> reports (IF=1 and no interrupt shadow).</summary>
    public bool InterruptsEnabled { get; set; } = true;

    /// <summary>The last value the kernel set for <see cref="RequestInterruptWindow"/>.</summary>
    public bool InterruptWindowRequested { get; private set; }

    /// <summary>Injections and IN completions in order: "irq 32", "nmi", "exc 13 ec=0", "in 1:5a".</summary>
    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>Contract violations seen; tests assert this stays empty.</summary>
    public IReadOnlyList<string> Violations => [.. _violations];

    public int Kicks => Volatile.Read(ref _kicks);

    public int Runs => Volatile.Read(ref _runs);

    public bool InRun => Volatile.Read(ref _inRun) != 0;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public int ScriptedStepsLeft => _script.Count;

    /// <summary>Adds a step: the next <see cref="Run"/> returns <paramref name="exit"/>.</summary>
    public FakeVcpuBackend Then(VcpuExit exit) => Then(_ => exit);

    /// <summary>Adds a step that may change guest state (as the guest running would) before exiting.</summary>
    public FakeVcpuBackend Then(Func<FakeVcpuBackend, VcpuExit> step)
    {
        _script.Enqueue(step);
        _wake.Release();
        return this;
    }

    public FakeVcpuBackend ThenIo(ushort port, byte size, bool isWrite, uint data = 0, uint count = 1) =>
        Then(new VcpuExit(VcpuExitKind.Io, Io: new VcpuIoAccess(port, size, isWrite, count, data)));

    public FakeVcpuBackend ThenMmio(ulong address, uint length, bool isWrite, ulong data = 0) =>
        Then(new VcpuExit(VcpuExitKind.Mmio, Mmio: new VcpuMmioAccess(address, length, isWrite, data)));

    public FakeVcpuBackend Then(VcpuExitKind kind) => Then(new VcpuExit(kind));

    public ZxStatus Run(out VcpuExit exit)
    {
        exit = default;
        CheckThread(nameof(Run));
        if (IsDisposed)
        {
            _violations.Enqueue("Run after Dispose");
            return ZxStatus.ErrBadHandle;
        }
        Interlocked.Increment(ref _runs);
        Volatile.Write(ref _inRun, 1);
        try
        {
            DateTime deadline = DateTime.UtcNow + RunTimeout;
            while (true)
            {
                if (Interlocked.Exchange(ref _kickRequested, 0) != 0)
                {
                    exit = new VcpuExit(VcpuExitKind.Kicked);
                    return ZxStatus.Ok;
                }
                if (_script.TryDequeue(out Func<FakeVcpuBackend, VcpuExit>? step))
                {
                    exit = step(this);
                    return ZxStatus.Ok;
                }
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    _violations.Enqueue("Run timed out with nothing scripted");
                    exit = new VcpuExit(VcpuExitKind.Other);
                    return ZxStatus.Ok;
                }
                _wake.Wait(left);
            }
        }
        finally
        {
            Volatile.Write(ref _inRun, 0);
        }
    }

    public GuestRegisters Registers
    {
        get
        {
            CheckUsable(nameof(Registers));
            return _registers;
        }
        set
        {
            CheckUsable(nameof(Registers));
            _registers = value;
        }
    }

    /// <summary>The registers as a test sets them up, with no contract checks.</summary>
    public ref GuestRegisters RawRegisters => ref _registers;

    public ZxStatus CompletePendingExit()
    {
        CheckUsable(nameof(CompletePendingExit));
        _events.Enqueue("complete");
        return ZxStatus.Ok;
    }

    public void Kick()
    {
        Interlocked.Increment(ref _kicks);
        Interlocked.Exchange(ref _kickRequested, 1);
        _wake.Release();
    }

    public bool CanInjectInterrupt
    {
        get
        {
            CheckUsable(nameof(CanInjectInterrupt));
            return InterruptsEnabled;
        }
    }

    public bool RequestInterruptWindow
    {
        set
        {
            CheckUsable(nameof(RequestInterruptWindow));
            InterruptWindowRequested = value;
        }
    }

    public ZxStatus InjectInterrupt(byte vector)
    {
        CheckUsable(nameof(InjectInterrupt));
        if (!InterruptsEnabled)
            _violations.Enqueue($"interrupt {vector} injected while the guest cannot take it");
        _events.Enqueue($"irq {vector}");
        return ZxStatus.Ok;
    }

    public ZxStatus InjectNmi()
    {
        CheckUsable(nameof(InjectNmi));
        _events.Enqueue("nmi");
        return ZxStatus.Ok;
    }

    public ZxStatus InjectException(byte vector, uint? errorCode)
    {
        CheckUsable(nameof(InjectException));
        _events.Enqueue(errorCode is { } code ? $"exc {vector} ec={code}" : $"exc {vector}");
        return ZxStatus.Ok;
    }

    public void Dispose()
    {
        Volatile.Write(ref _parkedStartup, null);
        if (InRun)
            _violations.Enqueue("Dispose while Run is in progress");
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            _violations.Enqueue("Dispose twice");
    }

    private void CheckUsable(string member)
    {
        CheckThread(member);
        if (IsDisposed)
            _violations.Enqueue($"{member} after Dispose");
    }

    private void CheckThread(string member)
    {
        if (Environment.CurrentManagedThreadId != CreatorThreadId)
            _violations.Enqueue($"{member} from thread {Environment.CurrentManagedThreadId}, not the VCPU thread");
    }
}
