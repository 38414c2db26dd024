using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Zircon.Kernel.Threading;

/// <summary>
/// A lock for critical sections of a few dozen instructions that never block, allocate or call
/// out (a port's queue). Taking it is one compare-and-swap and releasing it one store, where
/// <see cref="Lock"/> costs two interlocked operations per use; a port pays for it twice per
/// packet (queue, wait). Contention spins, then yields the CPU (never sleeps a millisecond), so a
/// holder preempted on a busy machine gets to run. Not reentrant, not fair. A mutable struct:
/// keep it in a non-readonly field and never copy it.
/// </summary>
internal struct ShortLock
{
    private int _state;

    /// <summary>Takes the lock; dispose the scope (a <c>using</c>) to release it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [UnscopedRef]
    public Scope Hold()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            Contended(ref _state);
        return new Scope(ref _state);
    }

    /// <summary>Whether some thread holds the lock (tests and assertions).</summary>
    public readonly bool IsHeld => Volatile.Read(in _state) != 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Contended(ref int state)
    {
        SpinWait spin = default;
        while (true)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            if (Volatile.Read(ref state) == 0 && Interlocked.CompareExchange(ref state, 1, 0) == 0)
                return;
        }
    }

    /// <summary>The held lock; <see cref="Dispose"/> releases it (a release store).</summary>
    public readonly ref struct Scope
    {
        private readonly ref int _state;

        internal Scope(ref int state) => _state = ref state;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Dispose() => Volatile.Write(ref _state, 0);
    }
}
