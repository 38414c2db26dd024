namespace Zircon.Linux.Kvm;

/// <summary>The register sets KVM shares through the kvm_run page (KVM_SYNC_X86_*).</summary>
[Flags]
public enum KvmRegisterSets : ulong
{
    /// <summary>No register set.</summary>
    None = 0,
    /// <summary><see cref="kvm_regs"/>: general-purpose registers, RIP, RFLAGS.</summary>
    Regs = 1,
    /// <summary><see cref="kvm_sregs"/>: segments, descriptor tables, control registers, EFER.</summary>
    Sregs = 2,
    /// <summary><see cref="kvm_vcpu_events"/>: exception/interrupt/NMI state.</summary>
    Events = 4,
    /// <summary>Every register set KVM can synchronize through kvm_run.</summary>
    All = Regs | Sregs | Events,
}

/// <summary>KVM_GET/SET_MP_STATE values for x86.</summary>
public enum KvmMpState : uint
{
    /// <summary><c>KVM_MP_STATE_RUNNABLE</c>: the VCPU runs.</summary>
    Runnable = 0,
    /// <summary><c>KVM_MP_STATE_UNINITIALIZED</c>: an application processor waiting for INIT.</summary>
    Uninitialized = 1,
    /// <summary><c>KVM_MP_STATE_INIT_RECEIVED</c>: INIT received, waiting for SIPI.</summary>
    InitReceived = 2,
    /// <summary><c>KVM_MP_STATE_HALTED</c>: halted until an interrupt.</summary>
    Halted = 3,
    /// <summary><c>KVM_MP_STATE_SIPI_RECEIVED</c>: SIPI received.</summary>
    SipiReceived = 4,
}

public sealed unsafe partial class KvmVcpu
{
    // Set after an ioctl changed event state behind the synced copy (KVM_INTERRUPT, KVM_NMI, ...).
    private bool _eventsStale;

    /// <summary>
    /// Which register sets KVM copies into the page at every exit (kvm_valid_regs). All by default;
    /// a set left out goes stale and must be <see cref="Refresh"/>ed before it is read.
    /// </summary>
    public KvmRegisterSets SyncedSets
    {
        get => (KvmRegisterSets)RunPage->kvm_valid_regs;
        set => RunPage->kvm_valid_regs = (ulong)(value & KvmRegisterSets.All);
    }

    /// <summary>
    /// The general-purpose registers, RIP and RFLAGS in the shared page, as of the last exit. After
    /// changing them call <see cref="MarkDirty"/> so KVM loads them on the next run. Valid on the
    /// VCPU thread until <see cref="Dispose"/>.
    /// </summary>
    // SAFETY: the refs point into the live kvm_run mapping; documented as valid on the VCPU thread until Dispose.
    public ref kvm_regs Regs => ref RunPage->s.regs;

    /// <summary>The segment and control registers in the shared page; see <see cref="Regs"/>.</summary>
    public ref kvm_sregs Sregs => ref RunPage->s.sregs;

    /// <summary>
    /// The event state in the shared page; see <see cref="Regs"/>. Prefer <see cref="QueueException"/>:
    /// writing back a copy older than an <see cref="InjectInterrupt"/> or <see cref="InjectNmi"/> of
    /// the same stop would cancel that injection.
    /// </summary>
    public ref kvm_vcpu_events Events => ref RunPage->s.events;

    /// <summary>Marks register sets edited in the page so KVM loads them at the start of the next run.</summary>
    public void MarkDirty(KvmRegisterSets sets) => RunPage->kvm_dirty_regs |= (ulong)(sets & KvmRegisterSets.All);

    /// <summary>Drops edits of <paramref name="sets"/> not yet loaded by KVM (a parked VCPU's state is set again when it starts).</summary>
    public void DiscardEdits(KvmRegisterSets sets) => RunPage->kvm_dirty_regs &= ~(ulong)(sets & KvmRegisterSets.All);

    /// <summary>The sets marked dirty and not yet loaded by KVM.</summary>
    public KvmRegisterSets DirtySets => (KvmRegisterSets)RunPage->kvm_dirty_regs;

    /// <summary>
    /// Reloads <paramref name="sets"/> into the page from KVM with GET ioctls (about 3.5 µs each here),
    /// for sets not in <see cref="SyncedSets"/> or changed by an ioctl since the last exit.
    /// </summary>
    /// <returns><see cref="ZxStatus.ErrBadState"/> if a requested set has unsaved edits (dirty).</returns>
    public ZxStatus Refresh(KvmRegisterSets sets)
    {
        // SAFETY: VCPU thread, mapping live; the GET ioctls write exactly the struct they point at.
        kvm_run* run = RunPage;
        if ((run->kvm_dirty_regs & (ulong)sets) != 0)
            return ZxStatus.ErrBadState;
        ZxStatus status = ZxStatus.Ok;
        if ((sets & KvmRegisterSets.Regs) != 0)
        {
            status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_GET_REGS, &run->s.regs, out _);
            if (_pending != PendingCompletion.None)
                _regsAtExit = run->s.regs;
        }
        if (status == ZxStatus.Ok && (sets & KvmRegisterSets.Sregs) != 0)
            status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_GET_SREGS, &run->s.sregs, out _);
        if (status == ZxStatus.Ok && (sets & KvmRegisterSets.Events) != 0)
        {
            status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_GET_VCPU_EVENTS, &run->s.events, out _);
            if (status == ZxStatus.Ok)
                _eventsStale = false;
        }
        return status;
    }

    // Loads dirty synced events now, before an event ioctl whose effect they would otherwise
    // overwrite at the next run.
    private ZxStatus FlushDirtyEvents()
    {
        // SAFETY: VCPU thread, mapping live; KVM only reads the events struct pointed at.
        kvm_run* run = RunPage;
        if ((run->kvm_dirty_regs & KvmConstants.KVM_SYNC_X86_EVENTS) == 0)
            return ZxStatus.Ok;
        ZxStatus status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_SET_VCPU_EVENTS, &run->s.events, out _);
        if (status == ZxStatus.Ok)
            run->kvm_dirty_regs &= ~KvmConstants.KVM_SYNC_X86_EVENTS;
        return status;
    }

    /// <summary>
    /// Installs the CPUID leaves the guest sees (KVM_SET_CPUID2). Call before the first run; KVM
    /// refuses to change CPUID after the VCPU has run (ErrUnavailable or ErrInvalidArgs).
    /// </summary>
    public ZxStatus SetCpuid(KvmCpuid cpuid) => cpuid.Install(_fd);

    /// <summary>The CPUID leaves currently installed (KVM_GET_CPUID2).</summary>
    public ZxStatus GetCpuid(out KvmCpuid? cpuid) => KvmCpuid.Query(_fd, KvmIoctls.KVM_GET_CPUID2, out cpuid);

    /// <summary>Writes MSRs (KVM_SET_MSRS), e.g. STAR/LSTAR/FMASK for guests that use SYSCALL.</summary>
    /// <returns><see cref="ZxStatus.ErrInvalidArgs"/> if KVM rejected one (it stops at the first it rejects).</returns>
    public ZxStatus SetMsrs(ReadOnlySpan<kvm_msr_entry> entries)
    {
        int done;
        ZxStatus status = MsrIoctl(KvmIoctls.KVM_SET_MSRS, entries, default, out done);
        return status != ZxStatus.Ok ? status : done == entries.Length ? ZxStatus.Ok : ZxStatus.ErrInvalidArgs;
    }

    /// <summary>Reads MSRs (KVM_GET_MSRS): fill in each entry's index, get its data back.</summary>
    public ZxStatus GetMsrs(Span<kvm_msr_entry> entries)
    {
        int done;
        ZxStatus status = MsrIoctl(KvmIoctls.KVM_GET_MSRS, entries, entries, out done);
        return status != ZxStatus.Ok ? status : done == entries.Length ? ZxStatus.Ok : ZxStatus.ErrInvalidArgs;
    }

    private ZxStatus MsrIoctl(nuint request, ReadOnlySpan<kvm_msr_entry> input, Span<kvm_msr_entry> output, out int done)
    {
        done = 0;
        if (input.Length > 256)
            return ZxStatus.ErrOutOfRange;
        int size = sizeof(kvm_msrs) + input.Length * sizeof(kvm_msr_entry);
        // SAFETY: at most 8 + 256 * 16 bytes on the stack, holding the header and nmsrs entries.
        byte* buffer = stackalloc byte[size];
        ((kvm_msrs*)buffer)->nmsrs = (uint)input.Length;
        ((kvm_msrs*)buffer)->pad = 0;
        var entries = new Span<kvm_msr_entry>(buffer + sizeof(kvm_msrs), input.Length);
        input.CopyTo(entries);
        ZxStatus status = KvmNative.Ioctl(_fd, request, buffer, out done);
        if (status == ZxStatus.Ok && !output.IsEmpty)
            entries.CopyTo(output);
        return status;
    }

    /// <summary>KVM_GET_MP_STATE: e.g. <see cref="KvmMpState.Halted"/> while the in-kernel LAPIC holds the VCPU in HLT.</summary>
    public ZxStatus GetMpState(out KvmMpState state)
    {
        var mp = new kvm_mp_state();
        // SAFETY: mp is a local of the size the ioctl encodes.
        ZxStatus status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_GET_MP_STATE, &mp, out _);
        state = (KvmMpState)mp.mp_state;
        return status;
    }

    /// <summary>KVM_SET_MP_STATE (e.g. park an application processor until a STARTUP).</summary>
    public ZxStatus SetMpState(KvmMpState state)
    {
        var mp = new kvm_mp_state { mp_state = (uint)state };
        // SAFETY: mp is a local of the size the ioctl encodes.
        return KvmNative.Ioctl(_fd, KvmIoctls.KVM_SET_MP_STATE, &mp, out _);
    }
}
