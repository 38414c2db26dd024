using Zircon.Vmm.Bus;

namespace Zircon.Vmm.Vcpus;

/// <summary>
/// The machine's processors, one <see cref="VcpuLoop"/> (and thread) each. VCPU 0 is started by the
/// VMM; the others by the guest, the Zircon way: its INIT/STARTUP IPIs come back from
/// <c>zx_vcpu_resume</c> as STARTUP packets (the guest's processors are declared with
/// <see cref="Guest.DeclareProcessors"/>), and the processor is then created with
/// <c>zx_vcpu_create(guest, 0, entry)</c> on a new thread — every VCPU on the thread that created it.
/// A STARTUP for a processor that already runs is ignored (the x86 protocol sends two, as Fuchsia's
/// VMM ignores the second); one naming a processor the machine does not have is logged and ignored.
/// </summary>
public sealed class Processors
{
    private readonly Lock _lock = new();
    private readonly Guest _guest;
    private readonly AddressSpaceBus _bus;
    private readonly Action<string>? _trace;
    private readonly Action<string> _log;
    private readonly Action<uint, Vcpu> _prepare;
    private readonly Action<uint, VcpuOutcome> _ended;
    private readonly VcpuLoop?[] _loops;
    private readonly Vcpu?[] _vcpus;
    private bool _stopping;

    /// <param name="guest">The guest; its processors must already be declared when <paramref name="count"/> is above 1.</param>
    /// <param name="count">Processors the machine has.</param>
    /// <param name="bus">The devices exits are served by.</param>
    /// <param name="prepare">Runs on a processor's thread once its VCPU exists, before its first resume (bind interrupts, set registers).</param>
    /// <param name="ended">A processor's loop ended (stopped, or the guest faulted on it).</param>
    /// <param name="log">One line for events worth telling (a STARTUP naming no processor).</param>
    /// <param name="trace">One line per exit when tracing.</param>
    public Processors(Guest guest, int count, AddressSpaceBus bus, Action<uint, Vcpu> prepare, Action<uint, VcpuOutcome> ended,
        Action<string> log, Action<string>? trace = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _guest = guest;
        _bus = bus;
        _prepare = prepare;
        _ended = ended;
        _log = log;
        _trace = trace;
        _loops = new VcpuLoop?[count];
        _vcpus = new Vcpu?[count];
    }

    /// <summary>How many processors the machine has.</summary>
    public int Count => _loops.Length;

    /// <summary>Exits served by every processor.</summary>
    public long ExitCount
    {
        get
        {
            lock (_lock)
                return _loops.Sum(l => l?.ExitCount ?? 0);
        }
    }

    /// <summary>Processors started so far (VCPU created or being created).</summary>
    public IReadOnlyList<uint> Started
    {
        get
        {
            lock (_lock)
                return [.. Enumerable.Range(0, _loops.Length).Where(i => _loops[i] is not null).Select(i => (uint)i)];
        }
    }

    /// <summary>The VCPUs that exist now, with their ids (for binding interrupts to them).</summary>
    public IReadOnlyList<(uint Id, Vcpu Vcpu)> LiveVcpus
    {
        get
        {
            lock (_lock)
                return [.. Enumerable.Range(0, _vcpus.Length).Where(i => _vcpus[i] is not null).Select(i => ((uint)i, _vcpus[i]!))];
        }
    }

    /// <summary>Starts the bootstrap processor at <paramref name="entry"/>.</summary>
    public void StartBootstrap(ulong entry) => Start(0, entry);

    /// <summary>A STARTUP packet: create processor <paramref name="id"/> at <paramref name="entry"/> on a new thread.</summary>
    public void StartApplicationProcessor(uint id, ulong entry)
    {
        if (id >= _loops.Length)
        {
            _log($"the guest started processor {id}, which this machine does not have ({_loops.Length} processors): ignored");
            return;
        }
        Start(id, entry);
    }

    private void Start(uint id, ulong entry)
    {
        VcpuLoop loop;
        lock (_lock)
        {
            if (_stopping || _loops[id] is not null)
                return;
            loop = new VcpuLoop(() => Vcpu.Create(_guest, entry), vcpu => Created(id, vcpu), _bus, _trace,
                $"zxvm-vcpu{id}", StartApplicationProcessor, vcpu => Closing(id));
            _loops[id] = loop;
        }
        loop.Completion.ContinueWith(t => _ended(id, t.Result), TaskScheduler.Default);
        loop.Start();
    }

    private void Created(uint id, Vcpu vcpu)
    {
        lock (_lock)
            _vcpus[id] = vcpu;
        _prepare(id, vcpu);
    }

    private void Closing(uint id)
    {
        lock (_lock)
            _vcpus[id] = null;
    }

    /// <summary>Stops every processor (and refuses new ones); <see cref="Completion"/> tells when all have ended.</summary>
    public void Stop()
    {
        VcpuLoop?[] loops;
        lock (_lock)
        {
            _stopping = true;
            loops = [.. _loops];
        }
        foreach (VcpuLoop? loop in loops)
            loop?.Stop();
    }

    /// <summary>Completes when every processor started has ended.</summary>
    public Task Completion
    {
        get
        {
            lock (_lock)
                return Task.WhenAll(_loops.Where(l => l is not null).Select(l => (Task)l!.Completion));
        }
    }
}
