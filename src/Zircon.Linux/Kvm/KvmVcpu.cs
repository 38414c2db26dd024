using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zircon.Linux.Libc;

namespace Zircon.Linux.Kvm;

/// <summary>
/// One KVM VCPU: its descriptor and its mmap'd <c>kvm_run</c> page.
/// <para>
/// Threading: every method runs on the VCPU's own thread (the thread that calls <see cref="Run"/>;
/// Zircon and KVM both want one thread per VCPU), except <see cref="Kick"/>, which any thread may
/// call at any time, even after <see cref="Dispose"/>.
/// </para>
/// </summary>
public sealed unsafe partial class KvmVcpu : IDisposable
{
    private enum PendingCompletion : byte { None, IoIn, MmioRead }

    private readonly FileDescriptor _fd;
    private readonly KvmRunMapping _run;

    // What the last exit left for the caller to complete before the next Run.
    private PendingCompletion _pending;
    private kvm_run_io _pendingIo;
    private kvm_regs _regsAtExit; // registers as that exit left them, to tell the caller's edits apart

    // The thread that last entered Run (0 before the first Run), and the Kick handshake flag.
    private int _threadId;
    private int _kickRequested;

    private KvmVcpu(KvmVm vm, uint id, FileDescriptor fd, KvmRunMapping run)
    {
        Vm = vm;
        Id = id;
        _fd = fd;
        _run = run;
    }

    /// <summary>The VM this VCPU belongs to.</summary>
    public KvmVm Vm { get; }

    /// <summary>The VCPU id given to KVM_CREATE_VCPU, which is also its initial APIC id.</summary>
    public uint Id { get; }

    // SAFETY: every member that dereferences this runs on the VCPU thread while the VCPU is not
    // disposed (Run holds a reference; Kick takes its own), so the mapping is live. Use after
    // Dispose on the VCPU thread throws instead of touching unmapped memory.
    private kvm_run* RunPage => _run.IsClosed ? throw new ObjectDisposedException(nameof(KvmVcpu)) : _run.Run;

    internal static ZxStatus Create(KvmVm vm, uint id, out KvmVcpu? vcpu)
    {
        vcpu = null;
        ZxStatus status = KvmKickSignal.EnsureInitialized();
        if (status != ZxStatus.Ok)
            return status;
        status = KvmNative.Ioctl(vm.Descriptor, KvmIoctls.KVM_CREATE_VCPU, id, out int raw);
        if (status != ZxStatus.Ok)
            return status;
        var fd = new FileDescriptor(raw);
        status = KvmRunMapping.Map(fd, (nuint)vm.System.VcpuMmapSize, out KvmRunMapping? run);
        if (status != ZxStatus.Ok)
        {
            fd.Dispose();
            return status;
        }
        var candidate = new KvmVcpu(vm, id, fd, run!);
        // Start with every register set shared through the page, and fill the page now so that
        // Regs/Sregs/Events are meaningful before the first run.
        candidate.SyncedSets = KvmRegisterSets.All;
        status = candidate.Refresh(KvmRegisterSets.All);
        if (status != ZxStatus.Ok)
        {
            candidate.Dispose();
            return status;
        }
        vcpu = candidate;
        return ZxStatus.Ok;
    }

    /// <summary>
    /// Enters the guest (KVM_RUN) until it exits to user space, and decodes why.
    /// </summary>
    /// <returns>
    /// <see cref="ZxStatus.Ok"/> with <paramref name="exit"/> describing the exit (a
    /// <see cref="Kick"/> gives <see cref="KvmExitKind.Intr"/>); otherwise the failure of KVM_RUN
    /// (e.g. <see cref="ZxStatus.ErrInvalidArgs"/> for register state KVM refused).
    /// </returns>
    public ZxStatus Run(out KvmExit exit) => RunCore(completeOnly: false, out exit);

    private ZxStatus RunCore(bool completeOnly, out KvmExit exit)
    {
        exit = default;
        bool added = false;
        try
        {
            _run.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return ZxStatus.ErrBadHandle;
        }
        try
        {
            ZxStatus status = PrepareThread();
            if (status != ZxStatus.Ok)
                return status;
            if (_pending != PendingCompletion.None && (DirtySets & KvmRegisterSets.Regs) != 0)
            {
                status = CompleteBeforeLoadingEditedRegs();
                if (status != ZxStatus.Ok)
                    return status;
            }
            _pending = PendingCompletion.None;
            if (completeOnly)
                Volatile.Write(ref RunPage->immediate_exit, 1);
            status = KvmNative.IoctlRaw(_fd, KvmIoctls.KVM_RUN, 0, out _, out int errno);
            bool interrupted = status != ZxStatus.Ok && errno == KvmNative.EINTR;

            // Consume the kick signals sent so far, and only then clear the kick handshake, before
            // the caller looks at its own pending work. In this order a Kick that lands after the
            // clear keeps its signal pending, and the next Run returns at once (see Kick). The
            // other order lost kicks: one sent between the clear and the drain had its signal
            // swallowed while its handshake stayed set, so every later Kick took itself for a
            // duplicate and the guest ran on for good (seen on SVM in the KVM rig).
            EndKickHandshake(interrupted);
            _eventsStale = false;

            if (interrupted)
            {
                exit = new KvmExit(KvmExitKind.Intr, KvmConstants.KVM_EXIT_INTR);
                return ZxStatus.Ok;
            }
            if (status != ZxStatus.Ok)
                return status;
            exit = Decode();
            return ZxStatus.Ok;
        }
        finally
        {
            _run.DangerousRelease();
        }
    }

    /// <summary>After a KVM_RUN: drains the kick signals sent so far (if it was interrupted), then clears the kick handshake.</summary>
    private void EndKickHandshake(bool interrupted)
    {
        if (interrupted)
            KvmKickSignal.Drain();
        Interlocked.Exchange(ref _kickRequested, 0);
        Volatile.Write(ref RunPage->immediate_exit, 0);
    }

    /// <summary>
    /// KVM finishes an IN or MMIO read inside its instruction emulator on the next KVM_RUN, and that
    /// completion is lost (the destination register keeps its old value) when the same KVM_RUN
    /// also loads registers marked dirty (measured: both IN and MMIO reads read 0). So when the
    /// caller edited registers at such an exit, let KVM complete first in a KVM_RUN that enters
    /// no guest code (immediate_exit), then reapply the caller's edits on top: a register whose
    /// value the caller changed keeps the caller's value, every other register takes the completed
    /// one. An edit that writes back the value a register already had cannot be told from no edit
    /// and is lost; callers that emulate the read in registers should call
    /// <see cref="CompletePendingExit"/> at the exit instead (the kernel does).
    /// </summary>
    private ZxStatus CompleteBeforeLoadingEditedRegs()
    {
        // SAFETY: called from RunCore, which holds a reference on the kvm_run mapping.
        kvm_run* run = RunPage;
        kvm_regs edited = run->s.regs;
        run->kvm_dirty_regs &= ~KvmConstants.KVM_SYNC_X86_REGS;
        ulong valid = run->kvm_valid_regs;
        run->kvm_valid_regs = valid | KvmConstants.KVM_SYNC_X86_REGS;
        Volatile.Write(ref run->immediate_exit, 1);
        ZxStatus status = KvmNative.IoctlRaw(_fd, KvmIoctls.KVM_RUN, 0, out _, out int errno);
        run->kvm_valid_regs = valid;
        // Keep a kick that arrived meanwhile: the real run must still return at once.
        Volatile.Write(ref run->immediate_exit, Volatile.Read(ref _kickRequested) != 0 ? (byte)1 : (byte)0);
        if (status != ZxStatus.Ok && errno != KvmNative.EINTR)
        {
            run->s.regs = edited;
            run->kvm_dirty_regs |= KvmConstants.KVM_SYNC_X86_REGS;
            return status;
        }
        Span<ulong> merged = RegsAsSpan(ref run->s.regs); // now the completed registers
        ReadOnlySpan<ulong> mine = RegsAsSpan(ref edited);
        ReadOnlySpan<ulong> atExit = RegsAsSpan(ref _regsAtExit);
        for (int i = 0; i < merged.Length; i++)
        {
            if (mine[i] != atExit[i])
                merged[i] = mine[i];
        }
        run->kvm_dirty_regs |= KvmConstants.KVM_SYNC_X86_REGS;
        _pending = PendingCompletion.None;
        return ZxStatus.Ok;
    }

    private static Span<ulong> RegsAsSpan(ref kvm_regs regs) =>
        MemoryMarshal.CreateSpan(ref Unsafe.As<kvm_regs, ulong>(ref regs), sizeof(kvm_regs) / sizeof(ulong));

    /// <summary>
    /// Supplies the value of the IN that the last exit reported (one element of the exit's size; the
    /// low bytes of <paramref name="value"/>). KVM writes it into AL/AX/EAX and advances RIP on the
    /// next <see cref="Run"/>. An IN left uncompleted reads 0.
    /// </summary>
    /// <returns><see cref="ZxStatus.ErrBadState"/> unless the last exit was an IN;
    /// <see cref="ZxStatus.ErrNotSupported"/> for a string IN (use the span overload).</returns>
    public ZxStatus CompleteIoIn(uint value)
    {
        if (_pending != PendingCompletion.IoIn)
            return ZxStatus.ErrBadState;
        if (_pendingIo.count != 1)
            return ZxStatus.ErrNotSupported;
        // SAFETY: value is a local of 4 bytes and size is 1, 2 or 4.
        return CompleteIoIn(new ReadOnlySpan<byte>(&value, _pendingIo.size));
    }

    /// <summary>Supplies all elements of the last IN exit (<c>size * count</c> bytes).</summary>
    public ZxStatus CompleteIoIn(ReadOnlySpan<byte> data)
    {
        if (_pending != PendingCompletion.IoIn)
            return ZxStatus.ErrBadState;
        if (data.Length != _pendingIo.size * (int)_pendingIo.count)
            return ZxStatus.ErrInvalidArgs;
        data.CopyTo(IoData(_pendingIo));
        return ZxStatus.Ok;
    }

    /// <summary>
    /// Supplies the value of the MMIO read that the last exit reported (the low <c>Length</c> bytes of
    /// <paramref name="value"/>). KVM writes it into the destination and advances RIP on the next
    /// <see cref="Run"/>. A read left uncompleted reads 0.
    /// </summary>
    /// <returns><see cref="ZxStatus.ErrBadState"/> unless the last exit was an MMIO read.</returns>
    public ZxStatus CompleteMmioRead(ulong value)
    {
        if (_pending != PendingCompletion.MmioRead)
            return ZxStatus.ErrBadState;
        kvm_run* run = RunPage;
        // SAFETY: value is a local of 8 bytes and at most 8 bytes are copied out of it.
        new ReadOnlySpan<byte>(&value, 8)[..(int)Math.Min(run->mmio.len, 8u)].CopyTo(run->mmio.data);
        return ZxStatus.Ok;
    }

    /// <summary>
    /// Lets KVM finish an exit that needs completing (an IN or MMIO read: writes the register and
    /// advances RIP) without running guest code: KVM_RUN with <c>immediate_exit</c> set. Afterwards
    /// the synced registers show the completed state. Costs one KVM_RUN (about 4 µs here).
    /// An access KVM split into fragments (a read across a page end, a 16-byte load) exits once
    /// per MMIO fragment before immediate_exit is honoured: those fragments are completed (reads
    /// load 0) in turn, a few at most.
    /// </summary>
    public ZxStatus CompletePendingExit()
    {
        const int MaxFragments = 8; // an access of up to 64 bytes, in 8-byte fragments
        for (int i = 0; i <= MaxFragments; i++)
        {
            ZxStatus status = RunCore(completeOnly: true, out KvmExit exit);
            if (status != ZxStatus.Ok)
                return status;
            if (exit.Kind == KvmExitKind.Intr)
                return ZxStatus.Ok;
            if (exit.Kind != KvmExitKind.Mmio)
                return ZxStatus.ErrInternal;
        }
        return ZxStatus.ErrInternal;
    }

    // The VCPU thread keeps the kick signal blocked, except inside KVM_RUN (KVM_SET_SIGNAL_MASK).
    private ZxStatus PrepareThread()
    {
        int tid = KvmKickSignal.CurrentThreadId;
        if (tid == _threadId)
            return ZxStatus.Ok;
        ulong mask = KvmKickSignal.BlockOnCurrentThread();
        var sigmask = new kvm_signal_mask { len = sizeof(ulong), sigset = mask };
        // SAFETY: sigmask is a local holding the 4-byte length followed by the 8-byte kernel sigset.
        ZxStatus status = KvmNative.Ioctl(_fd, KvmIoctls.KVM_SET_SIGNAL_MASK, &sigmask, out _);
        if (status != ZxStatus.Ok)
            return status;
        Volatile.Write(ref _threadId, tid);
        return ZxStatus.Ok;
    }

    private Span<byte> IoData(in kvm_run_io io)
    {
        int length = io.size * (int)io.count;
        if (io.data_offset + (ulong)length > _run.Length)
            return default;
        // SAFETY: the range was just checked to lie inside the mapping KVM reported.
        return new Span<byte>((byte*)RunPage + io.data_offset, length);
    }

    private KvmExit Decode()
    {
        // SAFETY: called from RunCore (reference held); only the union member exit_reason names is read.
        kvm_run* run = RunPage;
        uint reason = run->exit_reason;
        switch (reason)
        {
            case KvmConstants.KVM_EXIT_IO:
            {
                kvm_run_io io = run->io;
                bool isOut = io.direction == KvmConstants.KVM_EXIT_IO_OUT;
                Span<byte> data = IoData(io);
                uint value = 0;
                // SAFETY: value is a local of 4 bytes and at most 4 bytes are copied into it.
                if (isOut)
                    data[..Math.Min(Math.Min((int)io.size, data.Length), 4)].CopyTo(new Span<byte>(&value, 4));
                else
                {
                    // An IN the caller never completes reads 0, not a stale value.
                    data.Clear();
                    _pending = PendingCompletion.IoIn;
                    _pendingIo = io;
                    _regsAtExit = run->s.regs;
                }
                return new KvmExit(KvmExitKind.Io, reason) { Io = new KvmIoExit(io.port, io.size, isOut, io.count, value) };
            }
            case KvmConstants.KVM_EXIT_MMIO:
            {
                bool isWrite = run->mmio.is_write != 0;
                uint length = Math.Min(run->mmio.len, 8u);
                ulong value = 0;
                // SAFETY: value is a local of 8 bytes and length is clamped to 8.
                if (isWrite)
                    ((ReadOnlySpan<byte>)run->mmio.data)[..(int)length].CopyTo(new Span<byte>(&value, 8));
                else
                {
                    ((Span<byte>)run->mmio.data).Clear();
                    _pending = PendingCompletion.MmioRead;
                    _regsAtExit = run->s.regs;
                }
                return new KvmExit(KvmExitKind.Mmio, reason) { Mmio = new KvmMmioExit(run->mmio.phys_addr, length, isWrite, value) };
            }
            case KvmConstants.KVM_EXIT_HLT:
                return new KvmExit(KvmExitKind.Hlt, reason);
            case KvmConstants.KVM_EXIT_SHUTDOWN:
                return new KvmExit(KvmExitKind.Shutdown, reason);
            case KvmConstants.KVM_EXIT_IRQ_WINDOW_OPEN:
                return new KvmExit(KvmExitKind.IrqWindowOpen, reason);
            case KvmConstants.KVM_EXIT_INTR:
                return new KvmExit(KvmExitKind.Intr, reason);
            case KvmConstants.KVM_EXIT_NMI:
                return new KvmExit(KvmExitKind.Nmi, reason);
            case KvmConstants.KVM_EXIT_INTERNAL_ERROR:
            {
                ref kvm_run_internal e = ref run->@internal;
                return new KvmExit(KvmExitKind.InternalError, reason)
                {
                    Internal = new KvmInternalErrorExit(e.suberror, e.ndata, e.data[0], e.data[1], e.data[2]),
                };
            }
            case KvmConstants.KVM_EXIT_FAIL_ENTRY:
                return new KvmExit(KvmExitKind.FailEntry, reason) { HardwareReason = run->fail_entry.hardware_entry_failure_reason };
            case KvmConstants.KVM_EXIT_UNKNOWN:
                return new KvmExit(KvmExitKind.Unknown, reason) { HardwareReason = run->hw_hardware_exit_reason };
            case KvmConstants.KVM_EXIT_SYSTEM_EVENT:
                return new KvmExit(KvmExitKind.SystemEvent, reason)
                {
                    SystemEvent = new KvmSystemEventExit(run->system_event.type, run->system_event.data[0]),
                };
            case KvmConstants.KVM_EXIT_DEBUG:
            {
                kvm_run_debug d = run->debug;
                return new KvmExit(KvmExitKind.Debug, reason) { Debug = new KvmDebugExit(d.exception, d.pc, d.dr6, d.dr7) };
            }
            case KvmConstants.KVM_EXIT_EXCEPTION:
                return new KvmExit(KvmExitKind.Exception, reason)
                {
                    ExceptionInfo = run->ex.exception | ((ulong)run->ex.error_code << 32),
                };
            default:
                return new KvmExit(KvmExitKind.Other, reason);
        }
    }

    /// <summary>
    /// Unmaps the kvm_run page and closes the VCPU descriptor. Safe against a concurrent
    /// <see cref="Kick"/>: the page goes away only after the kick is done with it.
    /// </summary>
    public void Dispose()
    {
        _run.Dispose();
        _fd.Dispose();
    }
}
