using Zircon.Linux.Libc;

namespace Zircon.Linux.Kvm;

/// <summary>
/// The real-time signal that makes a VCPU thread's <c>KVM_RUN</c> return (see README.md, "Kick").
/// <para>
/// No user-space handler ever runs: a VCPU thread keeps the signal blocked, and
/// <c>KVM_SET_SIGNAL_MASK</c> unblocks it only while the thread is inside <c>KVM_RUN</c>. A signal
/// sent while the guest runs (or halts in the kernel) makes <c>KVM_RUN</c> return <c>EINTR</c>; one
/// sent while the thread is elsewhere stays pending and makes the next <c>KVM_RUN</c> return at
/// once. Either way it is consumed with <c>sigtimedwait</c> afterwards. The process-wide
/// disposition is set to "ignore", so a stray signal (a late kick reaching a thread that reused a
/// dead VCPU thread's id) is dropped instead of killing the process; Linux never ignores a signal
/// the target thread blocks, so kicks still arrive.
/// </para>
/// </summary>
internal static unsafe class KvmKickSignal
{
    private static readonly Lock s_lock = new();
    private static ZxStatus s_status = ZxStatus.ErrBadState;
    private static bool s_initialized;

    [ThreadStatic] private static bool t_blocked;
    [ThreadStatic] private static ulong t_kvmMask;
    [ThreadStatic] private static int t_tid;

    /// <summary>The signal number: SIGRTMAX - 2 (62 on glibc). The .NET runtime uses SIGRTMIN.</summary>
    internal static int Number { get; private set; }

    /// <summary>This process's id, for <c>tgkill</c>.</summary>
    internal static int ProcessId { get; } = KvmNative.getpid();

    /// <summary>Chooses the signal and sets it to "ignored" once per process.</summary>
    internal static ZxStatus EnsureInitialized()
    {
        lock (s_lock)
        {
            if (!s_initialized)
            {
                s_status = Initialize();
                s_initialized = true;
            }
            return s_status;
        }
    }

    private static ZxStatus Initialize()
    {
        int sig = KvmNative.__libc_current_sigrtmax() - 2;
        KvmNative.SigAction current;
        // SAFETY: a null new action only reads the current one into a local of glibc's layout.
        if (KvmNative.sigaction(sig, null, &current) != 0)
            return Errno.LastStatus();
        if (current.Handler != KvmNative.SIG_IGN)
        {
            // Someone else handles this signal: do not take it over.
            if (current.Handler != KvmNative.SIG_DFL)
                return ZxStatus.ErrUnavailable;
            var ignore = new KvmNative.SigAction { Handler = KvmNative.SIG_IGN };
            // SAFETY: both pointers are locals of glibc's struct sigaction layout.
            if (KvmNative.sigaction(sig, &ignore, null) != 0)
                return Errno.LastStatus();
        }
        Number = sig;
        return ZxStatus.Ok;
    }

    /// <summary>The calling thread's Linux thread id (cached per thread).</summary>
    internal static int CurrentThreadId
    {
        get
        {
            if (t_tid == 0)
                t_tid = KvmNative.gettid();
            return t_tid;
        }
    }

    /// <summary>
    /// Blocks the kick signal on the calling thread (once) and returns the signal mask KVM should
    /// use while this thread is inside KVM_RUN: the thread's mask without the kick signal.
    /// </summary>
    internal static ulong BlockOnCurrentThread()
    {
        if (!t_blocked)
        {
            KvmNative.SigSet set = default, old = default;
            set.Word0 = Bit;
            // SAFETY: both sets are locals of glibc's sigset_t layout.
            KvmNative.pthread_sigmask(KvmNative.SIG_BLOCK, &set, &old);
            t_kvmMask = old.Word0 & ~Bit;
            t_blocked = true;
        }
        return t_kvmMask;
    }

    /// <summary>Consumes every pending kick on the calling thread (which keeps it blocked).</summary>
    internal static void Drain()
    {
        KvmNative.SigSet set = default;
        set.Word0 = Bit;
        var zero = new LibcNative.Timespec();
        // SAFETY: set and zero are locals that outlive the call; a null siginfo pointer is allowed.
        while (KvmNative.sigtimedwait(&set, null, &zero) > 0)
        {
        }
    }

    private static ulong Bit => 1UL << (Number - 1);
}
