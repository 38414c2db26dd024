using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Zircon.Kernel.Threading;

/// <summary>
/// What every awaited wait of this kernel shares (an awaited <c>zx_port_wait</c>, an awaited
/// <c>zx_interrupt_wait</c>): a reusable <see cref="IValueTaskSource{TResult}"/> core whose
/// continuations never run inside the completer's lock, an optional cancellation registration,
/// and a reset that makes the owner ready to go back to its pool once the awaiter has read the
/// result. A mutable struct: keep it in a field of the owner and never copy it.
/// </summary>
internal struct PooledCompletion<TResult>
{
    private ManualResetValueTaskSourceCore<TResult> _core;
    private CancellationTokenRegistration _registration;

    /// <summary>A core whose continuations run on the thread pool, never inline in the completer.</summary>
    public static PooledCompletion<TResult> Create() => new() { _core = new() { RunContinuationsAsynchronously = true } };

    /// <summary>The token registered with <see cref="RegisterCancellation"/> (default when none).</summary>
    public CancellationToken Token { get; private set; }

    /// <summary>The version the <see cref="ValueTask{TResult}"/> for this use must carry.</summary>
    public readonly short Version => _core.Version;

    /// <summary>Calls <paramref name="onCanceled"/>(<paramref name="owner"/>) when <paramref name="token"/> fires (nothing for a token that cannot).</summary>
    public void RegisterCancellation(CancellationToken token, Action<object?> onCanceled, object owner)
    {
        if (!token.CanBeCanceled)
            return;
        Token = token;
        _registration = token.UnsafeRegister(onCanceled, owner);
    }

    public void SetResult(TResult result) => _core.SetResult(result);

    public void SetException(Exception error) => _core.SetException(error);

    /// <summary>
    /// The result (or the error) for the awaiter, after which the core is reset for the next use.
    /// Disposing the registration waits for a running cancellation callback, so afterwards none
    /// can reach the owner; the owner may then go back to its pool.
    /// </summary>
    public TResult GetResultAndReset(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _registration.Dispose();
            _registration = default;
            Token = default;
            _core.Reset();
        }
    }

    public readonly ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

/// <summary>A small process-wide pool of waiter objects, so a wait loop allocates nothing per wait.</summary>
internal static class WaiterPool<T>
    where T : class, new()
{
    private const int MaxPooled = 64;
    private static readonly ConcurrentQueue<T> s_pool = new();

    public static T Rent() => s_pool.TryDequeue(out T? item) ? item : new T();

    /// <summary>Keeps <paramref name="item"/> for reuse unless the pool is full (then the GC takes it).</summary>
    public static void Return(T item)
    {
        if (s_pool.Count < MaxPooled)
            s_pool.Enqueue(item);
    }
}
