namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// A VCPU: bound to the thread that created it (resume and state access from any other thread
/// are BAD_STATE), with Zircon's pending-interrupt model: <c>zx_vcpu_interrupt</c> marks a vector
/// pending from any thread and kicks the VCPU; before each entry the VCPU thread injects one
/// event in Zircon's order (NMI, then the highest vector).
/// </summary>
public sealed partial class VcpuDispatcher : Dispatcher
{
    [ThreadStatic]
    private static VcpuDispatcher? t_threadVcpu;

    private readonly IVcpuBackend _backend;
    private readonly int _ownerThreadId;
    private readonly PendingInterrupts _pending = new();
    private int _destroyed;

    // Guards the hand-over of the backend between the owner thread using it (resume, state access)
    // and a close from another thread: it is disposed by whoever finishes last, never under KVM_RUN.
    private readonly Lock _lifetimeLock = new();
    private bool _inUse;
    private bool _backendDisposed;

    // Set by zx_vcpu_kick: the current or next resume returns CANCELED once.
    private int _kickRequested;

    // Tells a wait inside resume (BELL budget) to give up; made once so exits do not allocate.
    private readonly Func<bool> _abandonWait;

    private VcpuDispatcher(GuestDispatcher guest, uint id, IVcpuBackend backend)
    {
        Guest = guest;
        Id = id;
        _backend = backend;
        _ownerThreadId = Environment.CurrentManagedThreadId;
        _abandonWait = () => IsDestroyed || TakeKick();
    }

    /// <inheritdoc/>
    public override ZxObjectType Type => ZxObjectType.Vcpu;

    /// <inheritdoc/>
    public override ZxRights DefaultRights => ZxDefaultRights.Vcpu;

    /// <summary>The guest this VCPU belongs to.</summary>
    public GuestDispatcher Guest { get; }

    /// <summary>The VCPU id (VPID - 1); 0 is the bootstrap processor. Also its APIC id.</summary>
    public uint Id { get; }

    /// <summary>The local APIC id the machine addresses this VCPU's interrupts to.</summary>
    internal uint ApicId => _backend.ApicId;

    private bool OnOwnerThread => Environment.CurrentManagedThreadId == _ownerThreadId;

    /// <summary><c>zx_vcpu_create</c> once options and the guest handle were checked.</summary>
    public static ZxStatus Create(GuestDispatcher guest, ulong entry, out VcpuDispatcher? vcpu)
    {
        vcpu = null;
        if (entry >= GuestAddressSpace.Size)
            return ZxStatus.ErrInvalidArgs;
        if (t_threadVcpu is { IsDestroyed: false })
            return ZxStatus.ErrBadState; // one VCPU per thread
        ZxStatus status = guest.AllocateVcpuId(out uint id);
        if (status != ZxStatus.Ok)
            return status;
        status = guest.TakeVcpuBackend(id, bootstrap: id == 0, entry, out IVcpuBackend? backend);
        if (status != ZxStatus.Ok)
        {
            guest.ReleaseVcpuId(id);
            return status;
        }
        vcpu = new VcpuDispatcher(guest, id, backend!);
        t_threadVcpu = vcpu;
        guest.RegisterLiveVcpu(vcpu);
        return ZxStatus.Ok;
    }

    internal bool IsDestroyed => Volatile.Read(ref _destroyed) != 0;

    /// <summary><c>zx_vcpu_interrupt</c>: any thread; vectors 0..255.</summary>
    public ZxStatus Interrupt(uint vector)
    {
        if (vector > ZxX86.MaxVector)
            return ZxStatus.ErrOutOfRange;
        if (IsDestroyed)
            return ZxStatus.Ok;
        _pending.Add(vector);
        _backend.Kick();
        return ZxStatus.Ok;
    }

    /// <summary><c>zx_vcpu_read_state</c>: ZX_VCPU_STATE only, 136 bytes, on the owner thread.</summary>
    public ZxStatus ReadState(ZxVcpuStateKind kind, Span<byte> buffer)
    {
        if (kind != ZxVcpuStateKind.State || buffer.Length != System.Runtime.InteropServices.Marshal.SizeOf<ZxVcpuState>())
            return ZxStatus.ErrInvalidArgs;
        if (!OnOwnerThread)
            return ZxStatus.ErrBadState;
        if (!EnterBackend())
            return ZxStatus.ErrCanceled;
        GuestRegisters r;
        try
        {
            r = _backend.Registers;
        }
        finally
        {
            LeaveBackend();
        }
        var state = new ZxVcpuState
        {
            Rax = r.Rax, Rcx = r.Rcx, Rdx = r.Rdx, Rbx = r.Rbx, Rsp = r.Rsp, Rbp = r.Rbp, Rsi = r.Rsi, Rdi = r.Rdi,
            R8 = r.R8, R9 = r.R9, R10 = r.R10, R11 = r.R11, R12 = r.R12, R13 = r.R13, R14 = r.R14, R15 = r.R15,
            Rflags = r.Rflags & ZxX86.FlagsUser,
        };
        System.Runtime.InteropServices.MemoryMarshal.Write(buffer, in state);
        return ZxStatus.Ok;
    }

    /// <summary><c>zx_vcpu_write_state</c>: ZX_VCPU_STATE (136 bytes) or ZX_VCPU_IO (8 bytes, access size 1, 2 or 4).</summary>
    public ZxStatus WriteState(ZxVcpuStateKind kind, ReadOnlySpan<byte> buffer)
    {
        switch (kind)
        {
            case ZxVcpuStateKind.State when buffer.Length == System.Runtime.InteropServices.Marshal.SizeOf<ZxVcpuState>():
                if (!OnOwnerThread)
                    return ZxStatus.ErrBadState;
                if (!EnterBackend())
                    return ZxStatus.ErrCanceled;
                try
                {
                    WriteGeneralState(System.Runtime.InteropServices.MemoryMarshal.Read<ZxVcpuState>(buffer));
                }
                finally
                {
                    LeaveBackend();
                }
                return ZxStatus.Ok;
            case ZxVcpuStateKind.Io when buffer.Length == System.Runtime.InteropServices.Marshal.SizeOf<ZxVcpuIo>():
                ZxVcpuIo io = System.Runtime.InteropServices.MemoryMarshal.Read<ZxVcpuIo>(buffer);
                if (io.AccessSize is not (1 or 2 or 4))
                    return ZxStatus.ErrInvalidArgs;
                if (!OnOwnerThread)
                    return ZxStatus.ErrBadState;
                if (!EnterBackend())
                    return ZxStatus.ErrCanceled;
                try
                {
                    return WriteIo(io);
                }
                finally
                {
                    LeaveBackend();
                }
            default:
                return ZxStatus.ErrInvalidArgs;
        }
    }

    private void WriteGeneralState(in ZxVcpuState s)
    {
        GuestRegisters r = _backend.Registers;
        r.Rax = s.Rax; r.Rcx = s.Rcx; r.Rdx = s.Rdx; r.Rbx = s.Rbx; r.Rsp = s.Rsp; r.Rbp = s.Rbp; r.Rsi = s.Rsi; r.Rdi = s.Rdi;
        r.R8 = s.R8; r.R9 = s.R9; r.R10 = s.R10; r.R11 = s.R11; r.R12 = s.R12; r.R13 = s.R13; r.R14 = s.R14; r.R15 = s.R15;
        // RFLAGS changes only when the always-one bit is set in what was supplied (so 0 leaves it alone).
        if ((s.Rflags & ZxX86.FlagsReserved1) != 0)
            r.Rflags = (r.Rflags & ~ZxX86.FlagsUser) | (s.Rflags & ZxX86.FlagsUser);
        _backend.Registers = r;
    }

    private ZxStatus WriteIo(in ZxVcpuIo io)
    {
        // The IN was completed at its exit; as on Zircon, the bytes go into the low bytes of RAX.
        Span<byte> data = stackalloc byte[4];
        ((ReadOnlySpan<byte>)io.Data).CopyTo(data);
        GuestRegisters r = _backend.Registers;
        ulong mask = io.AccessSize == 4 ? 0xFFFF_FFFFUL : (1UL << (io.AccessSize * 8)) - 1;
        r.Rax = (r.Rax & ~mask) | (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data) & mask);
        _backend.Registers = r;
        return ZxStatus.Ok;
    }

    /// <summary>
    /// <c>zx_vcpu_kick</c>: makes the resume in progress (or the next one) return CANCELED, from any
    /// thread. The VMM uses it to pause or stop a VCPU that is running guest code.
    /// </summary>
    public ZxStatus Kick()
    {
        Volatile.Write(ref _kickRequested, 1);
        _backend.Kick();
        return ZxStatus.Ok;
    }

    /// <summary>A STARTUP packet waits for this VCPU's resume: leave the guest (not a zx_vcpu_kick, so no CANCELED).</summary>
    internal void WakeForStartup() => _backend.Kick();

    private bool TakeKick() => Interlocked.Exchange(ref _kickRequested, 0) != 0;

    /// <summary>Drops a kick no resume has consumed (see <c>Syscalls.VcpuWithdrawKick</c>).</summary>
    internal bool WithdrawKick() => TakeKick();

    private bool EnterBackend()
    {
        lock (_lifetimeLock)
        {
            if (IsDestroyed)
                return false;
            _inUse = true;
            return true;
        }
    }

    private void LeaveBackend()
    {
        lock (_lifetimeLock)
        {
            _inUse = false;
            if (IsDestroyed)
                DisposeBackendLocked();
        }
    }

    private void DisposeBackendLocked()
    {
        if (_backendDisposed)
            return;
        _backendDisposed = true;
        Guest.RetireVcpu(Id, _backend);
    }

    /// <inheritdoc/>
    protected override void OnZeroHandles()
    {
        lock (_lifetimeLock)
        {
            if (Interlocked.Exchange(ref _destroyed, 1) != 0)
                return;
            if (_inUse)
                _backend.Kick(); // the VCPU thread leaves the guest and disposes the backend itself
            else
                DisposeBackendLocked();
        }
    }
}
