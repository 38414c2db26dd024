namespace Zircon.Linux.Kvm;

public sealed unsafe partial class KvmVcpu
{
    /// <summary>
    /// Makes the VCPU thread's current or next <see cref="Run"/> return <see cref="KvmExitKind.Intr"/>
    /// soon. Thread-safe, callable from any thread at any time, also after <see cref="Dispose"/> or
    /// after the VCPU thread exited (then it does nothing). Kicks coalesce: several kicks before
    /// the VCPU thread notices give one return.
    /// <para>
    /// Contract for a cross-thread caller (zx_vcpu_interrupt): record the work first, then Kick; the
    /// VCPU thread checks for work after every Run. A Run that returns for another reason (an I/O
    /// exit, say) may absorb the kick; the check after it still sees the work.
    /// </para>
    /// </summary>
    public void Kick()
    {
        if (Interlocked.Exchange(ref _kickRequested, 1) != 0)
            return;
        bool added = false;
        try
        {
            _run.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        try
        {
            // immediate_exit covers a VCPU thread that is about to enter KVM_RUN; the signal covers
            // one inside it (running the guest or halted in the kernel).
            // SAFETY: the reference taken above keeps the mapping alive for this write.
            Volatile.Write(ref RunPage->immediate_exit, 1);
            // A full fence: the VCPU thread publishes its id and then (in the kernel, after a
            // locked operation) reads immediate_exit; this thread writes immediate_exit and then
            // reads the id. Without the fence x86 may move the read before the write, and a kick
            // racing the first Run could see neither (no id to signal, immediate_exit read as 0).
            Interlocked.MemoryBarrier();
            int tid = Volatile.Read(ref _threadId);
            if (tid != 0)
                KvmNative.tgkill(KvmKickSignal.ProcessId, tid, KvmKickSignal.Number);
        }
        finally
        {
            _run.DangerousRelease();
        }
    }

    /// <summary>
    /// <c>kvm_run.request_interrupt_window</c>: when set, KVM exits with
    /// <see cref="KvmExitKind.IrqWindowOpen"/> as soon as the guest can take an external interrupt
    /// (RFLAGS.IF=1, no STI/MOV-SS shadow). Stays set until cleared.
    /// </summary>
    public bool RequestInterruptWindow
    {
        get => RunPage->request_interrupt_window != 0;
        set => RunPage->request_interrupt_window = value ? (byte)1 : (byte)0;
    }

    /// <summary><c>kvm_run.ready_for_interrupt_injection</c> at the last exit: <see cref="InjectInterrupt"/> would be taken now.</summary>
    public bool ReadyForInterruptInjection => RunPage->ready_for_interrupt_injection != 0;

    /// <summary><c>kvm_run.if_flag</c>: the guest's RFLAGS.IF at the last exit.</summary>
    public bool InterruptsEnabled => RunPage->if_flag != 0;

    /// <summary>
    /// KVM_INTERRUPT: queues external interrupt <paramref name="vector"/> for the next entry. Without an
    /// irqchip it is injected when the guest can take it (check <see cref="ReadyForInterruptInjection"/>
    /// first, else use <see cref="RequestInterruptWindow"/>). With the split irqchip it is an ExtINT
    /// through LINT0, taken only while LVT0 is unmasked in ExtINT mode (as <see cref="EnableLapic"/>
    /// sets it); a second one before the first is taken gives <see cref="ZxStatus.ErrAlreadyExists"/>.
    /// </summary>
    public ZxStatus InjectInterrupt(byte vector)
    {
        ZxStatus status = FlushDirtyEvents();
        if (status != ZxStatus.Ok)
            return status;
        var irq = new kvm_interrupt { irq = vector };
        // SAFETY: irq is a local of the size the ioctl encodes.
        status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_INTERRUPT, &irq, out _);
        _eventsStale = true;
        return status;
    }

    /// <summary>KVM_NMI: queues an NMI (taken when NMIs are not blocked).</summary>
    public ZxStatus InjectNmi()
    {
        ZxStatus status = FlushDirtyEvents();
        if (status != ZxStatus.Ok)
            return status;
        status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_NMI, 0, out _);
        _eventsStale = true;
        return status;
    }

    /// <summary>
    /// Injects exception <paramref name="vector"/> (0..31 except 2) at the next entry, with
    /// <paramref name="errorCode"/> if given, through the synced event state (no ioctl unless that
    /// state is stale). An injected exception goes in before any pending interrupt, including one
    /// from the in-kernel LAPIC.
    /// </summary>
    public ZxStatus QueueException(byte vector, uint? errorCode = null)
    {
        if (vector > 31 || vector == 2)
            return ZxStatus.ErrInvalidArgs;
        if ((_eventsStale || (SyncedSets & KvmRegisterSets.Events) == 0) && (DirtySets & KvmRegisterSets.Events) == 0)
        {
            ZxStatus status = Refresh(KvmRegisterSets.Events);
            if (status != ZxStatus.Ok)
                return status;
        }
        ref kvm_vcpu_events events = ref Events;
        // "injected" (not "pending"): without KVM_CAP_EXCEPTION_PAYLOAD that is what KVM honours,
        // and a later regs load (which drops pending exceptions) leaves it alone.
        events.exception.injected = 1;
        events.exception.pending = 0;
        events.exception.nr = vector;
        events.exception.has_error_code = errorCode.HasValue ? (byte)1 : (byte)0;
        events.exception.error_code = errorCode ?? 0;
        MarkDirty(KvmRegisterSets.Events);
        return ZxStatus.Ok;
    }

    /// <summary>KVM_GET_VCPU_EVENTS into <paramref name="events"/> (a fresh copy, not the synced one).</summary>
    public ZxStatus GetVcpuEvents(out kvm_vcpu_events events)
    {
        kvm_vcpu_events copy;
        // SAFETY: copy is a local of the size the ioctl encodes.
        ZxStatus status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_GET_VCPU_EVENTS, &copy, out _);
        events = copy;
        return status;
    }

    /// <summary>KVM_SET_VCPU_EVENTS now (flushes dirty synced events first so they cannot overwrite this later).</summary>
    public ZxStatus SetVcpuEvents(in kvm_vcpu_events events)
    {
        ZxStatus status = FlushDirtyEvents();
        if (status != ZxStatus.Ok)
            return status;
        kvm_vcpu_events copy = events;
        // SAFETY: copy is a local of the size the ioctl encodes.
        status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_SET_VCPU_EVENTS, &copy, out _);
        _eventsStale = true;
        return status;
    }

    /// <summary>KVM_GET_LAPIC (split irqchip only).</summary>
    public ZxStatus GetLapic(out kvm_lapic_state lapic)
    {
        kvm_lapic_state copy;
        // SAFETY: copy is a local of the size the ioctl encodes.
        ZxStatus status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_GET_LAPIC, &copy, out _);
        lapic = copy;
        return status;
    }

    /// <summary>KVM_SET_LAPIC (split irqchip only).</summary>
    public ZxStatus SetLapic(in kvm_lapic_state lapic)
    {
        kvm_lapic_state copy = lapic;
        // SAFETY: copy is a local of the size the ioctl encodes.
        return KvmNative.Ioctl(_fd, KvmIoctls.KVM_SET_LAPIC, &copy, out _);
    }

    /// <summary>
    /// Software-enables the in-kernel LAPIC for a guest that never programs it: SVR = 0x1FF,
    /// LINT0 = ExtINT (so <see cref="InjectInterrupt"/> works), LINT1 = NMI. Without this an
    /// MSI to this VCPU is silently dropped. Split irqchip only (else ErrBadState).
    /// </summary>
    public ZxStatus EnableLapic()
    {
        if (Vm.IrqchipMode != KvmIrqchipMode.Split)
            return ZxStatus.ErrBadState;
        ZxStatus status = GetLapic(out kvm_lapic_state lapic);
        if (status != ZxStatus.Ok)
            return status;
        lapic.SetRegister(KvmLapic.SvrOffset, KvmLapic.SvrEnabled);
        lapic.SetRegister(KvmLapic.Lvt0Offset, KvmLapic.LvtExtInt);
        lapic.SetRegister(KvmLapic.Lvt1Offset, KvmLapic.LvtNmi);
        return SetLapic(lapic);
    }
}
