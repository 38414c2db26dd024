using Zircon.Vmm.Bus;
using Zircon.Vmm.Exits;

namespace Zircon.Vmm.Vcpus;

/// <summary>
/// One VCPU's thread: creates the VCPU (they are thread-bound), then resumes it and carries out
/// the <see cref="ExitHandler"/>'s decision for each exit, until stopped or the guest faults.
/// Other threads steer it through <see cref="Pause"/>, <see cref="Continue"/> and <see cref="Stop"/>,
/// which kick the VCPU out of the guest (<c>zx_vcpu_kick</c>).
/// </summary>
public sealed class VcpuLoop
{
    private readonly Func<Vcpu> _createVcpu;
    private readonly Action<Vcpu> _beforeFirstResume;
    private readonly AddressSpaceBus _bus;
    private readonly Action<string>? _trace;
    private readonly string _threadName;
    private readonly Action<uint, ulong>? _startProcessor;
    private readonly Action<Vcpu>? _beforeClose;
    private readonly TaskCompletionSource<VcpuOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _continue = new(true);
    private readonly Lock _stateLock = new();
    private VcpuRunState _state = VcpuRunState.Created;
    private Vcpu? _vcpu;

    /// <param name="createVcpu">Creates the VCPU; runs on the loop's thread.</param>
    /// <param name="beforeFirstResume">Binds interrupts, sets registers; runs on the loop's thread.</param>
    /// <param name="bus">The devices exits are served by.</param>
    /// <param name="trace">Receives one line per exit when tracing.</param>
    /// <param name="threadName">The name of the loop's thread.</param>
    /// <param name="startProcessor">Called on this thread for a STARTUP packet (id, entry); null refuses them as unhandled exits.</param>
    /// <param name="beforeClose">Called on this thread just before the VCPU is closed.</param>
    public VcpuLoop(Func<Vcpu> createVcpu, Action<Vcpu> beforeFirstResume, AddressSpaceBus bus, Action<string>? trace = null,
        string threadName = "zxvm-vcpu0", Action<uint, ulong>? startProcessor = null, Action<Vcpu>? beforeClose = null)
    {
        _threadName = threadName;
        _startProcessor = startProcessor;
        _beforeClose = beforeClose;
        _createVcpu = createVcpu;
        _beforeFirstResume = beforeFirstResume;
        _bus = bus;
        _trace = trace;
    }

    public VcpuRunState State
    {
        get
        {
            lock (_stateLock)
                return _state;
        }
    }

    /// <summary>Completes when the thread ends.</summary>
    public Task<VcpuOutcome> Completion => _completion.Task;

    /// <summary>Number of exits served (for --verbose and benchmarks).</summary>
    public long ExitCount { get; private set; }

    public void Start()
    {
        lock (_stateLock)
        {
            if (_state != VcpuRunState.Created)
                throw new InvalidOperationException($"VCPU loop already {_state}");
            _state = VcpuRunState.Running;
        }
        new Thread(Run) { Name = _threadName, IsBackground = true }.Start();
    }

    /// <summary>Leaves the guest and waits for <see cref="Continue"/>.</summary>
    public void Pause()
    {
        lock (_stateLock)
        {
            if (_state != VcpuRunState.Running)
                return;
            _state = VcpuRunState.Paused;
            _continue.Reset();
        }
        Volatile.Read(ref _vcpu)?.TryKick(); // the VCPU may be closing on its thread right now: nothing to kick then
    }

    public void Continue()
    {
        lock (_stateLock)
        {
            if (_state != VcpuRunState.Paused)
                return;
            _state = VcpuRunState.Running;
            _continue.Set();
        }
    }

    /// <summary>Asks the loop to end; <see cref="Completion"/> tells when it has.</summary>
    public void Stop()
    {
        lock (_stateLock)
        {
            if (_state is VcpuRunState.Stopping or VcpuRunState.Stopped)
                return;
            if (_state == VcpuRunState.Created)
            {
                // Never started: no thread will complete the loop, so do it here.
                _state = VcpuRunState.Stopped;
                _completion.SetResult(VcpuOutcome.Stopped);
                return;
            }
            _state = VcpuRunState.Stopping;
            _continue.Set();
        }
        Volatile.Read(ref _vcpu)?.TryKick(); // the VCPU may be closing on its thread right now: nothing to kick then
    }

    private void Run()
    {
        VcpuOutcome outcome = VcpuOutcome.Stopped;
        try
        {
            Vcpu vcpu = _createVcpu();
            Volatile.Write(ref _vcpu, vcpu);
            _beforeFirstResume(vcpu);
            outcome = Serve(vcpu);
        }
        catch (Exception e)
        {
            // The top of the VCPU thread: a failing call or a device model bug ends the machine
            // with one line, never an unhandled exception.
            outcome = VcpuOutcome.Fault(e is ZxException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            Vcpu? closing = Interlocked.Exchange(ref _vcpu, null);
            if (closing is not null)
            {
                try
                {
                    _beforeClose?.Invoke(closing);
                }
                catch (Exception e)
                {
                    if (!outcome.Faulted)
                        outcome = VcpuOutcome.Fault($"{e.GetType().Name}: {e.Message}");
                }
                closing.Dispose();
            }
            lock (_stateLock)
                _state = VcpuRunState.Stopped;
            _completion.SetResult(outcome);
        }
    }

    private VcpuOutcome Serve(Vcpu vcpu)
    {
        while (true)
        {
            switch (State)
            {
                case VcpuRunState.Stopping:
                    return VcpuOutcome.Stopped;
                case VcpuRunState.Paused:
                    _continue.Wait();
                    continue;
            }
            ZxStatus status = vcpu.TryResume(out ZxPortPacket packet);
            if (status == ZxStatus.ErrCanceled)
                continue; // kicked: the state says what to do
            if (status != ZxStatus.Ok)
                return VcpuOutcome.Fault(DescribeResumeFailure(status, packet) + DescribeGuestRip(vcpu));
            ExitCount++;
            ExitAction action = ExitHandler.Decide(packet, _bus);
            if (action.Kind == ExitActionKind.StartProcessor && _startProcessor is not null)
            {
                _trace?.Invoke(ExitTrace.Describe(packet, action, action.Value));
                _startProcessor((uint)Math.Min(action.Offset, uint.MaxValue), action.Value);
                continue;
            }
            bool served = ExitExecutor.Execute(vcpu, action, out ulong value, out string? error);
            _trace?.Invoke(ExitTrace.Describe(packet, action, value));
            if (!served)
                return VcpuOutcome.Fault(error!);
        }
    }

    /// <summary>": emulation failure at guest RIP 0x..." after a failed resume (ZX_INFO_VCPU_FAULT), or "".</summary>
    internal static string DescribeGuestRip(Vcpu vcpu)
    {
        try
        {
            return vcpu.LastFault is ZxInfoVcpuFault fault ? DescribeFault(fault) : "";
        }
        catch (ZxException)
        {
            return "";
        }
    }

    internal static string DescribeFault(ZxInfoVcpuFault fault)
    {
        string what = fault.Reason switch
        {
            ZxVcpuFaultReason.TripleFault => "triple fault",
            ZxVcpuFaultReason.EmulationFailure => "emulation failure",
            ZxVcpuFaultReason.EntryFailure => "VM entry failure",
            _ => "unknown exit",
        };
        return $"; {what} at guest RIP 0x{fault.Rip:x}";
    }

    /// <summary>
    /// What a failed <c>zx_vcpu_resume</c> means for the user of a VMM. For an access nothing serves,
    /// the kernel describes it in <paramref name="packet"/> (GUEST_IO or GUEST_MEM, key = guest RIP;
    /// docs/decisions.md), so the line names the port or address and the instruction's RIP.
    /// </summary>
    internal static string DescribeResumeFailure(ZxStatus status, in ZxPortPacket packet = default)
    {
        string call = $"zx_vcpu_resume: {status.ToZirconName()}";
        if (status is ZxStatus.ErrNotFound or ZxStatus.ErrOutOfRange && DescribeAccess(packet) is { } access)
        {
            return status == ZxStatus.ErrNotFound
                ? $"the guest {access} at RIP 0x{packet.Key:x}: no device or RAM there ({call})"
                : $"the guest {access} at RIP 0x{packet.Key:x}: beyond its physical address space ({call})";
        }
        return status switch
        {
            ZxStatus.ErrNotFound => $"the guest accessed a port or memory address with no device or RAM ({call})",
            ZxStatus.ErrNotSupported => $"the guest crashed: a triple fault or an instruction the hypervisor cannot run ({call})",
            ZxStatus.ErrOutOfRange => $"the guest accessed memory beyond its physical address space ({call})",
            ZxStatus.ErrBadState => $"the guest's state became invalid ({call})",
            _ => $"the guest stopped: zx_vcpu_resume returned {status.ToZirconName()}",
        };
    }

    private static string? DescribeAccess(in ZxPortPacket packet)
    {
        switch ((ZxPacketType)((uint)packet.Type & ZxPortPacket.TypeMask))
        {
            case ZxPacketType.GuestIo:
                ZxPacketGuestIo io = packet.GuestIo;
                string bytes = io.AccessSize == 1 ? "1 byte" : $"{io.AccessSize} bytes";
                return io.Input
                    ? $"read I/O port 0x{io.Port:x} ({bytes})"
                    : $"wrote 0x{io.U32:x} to I/O port 0x{io.Port:x} ({bytes})";
            case ZxPacketType.GuestMem:
                return $"accessed guest-physical address 0x{packet.GuestMem.Addr:x}";
            default:
                return null;
        }
    }
}
