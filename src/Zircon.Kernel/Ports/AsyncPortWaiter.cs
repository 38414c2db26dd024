using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Zircon.Kernel.Ports;

/// <summary>
/// An asynchronous <c>zx_port_wait</c>: a pooled <see cref="IValueTaskSource{TResult}"/>, so an
/// awaited wait costs no allocation and no blocked thread.
/// </summary>
internal sealed class AsyncPortWaiter : PortWaiter, IValueTaskSource<ZxPortPacket>
{
    private const int MaxPooled = 64;
    private static readonly ConcurrentQueue<AsyncPortWaiter> s_pool = new();

    private ManualResetValueTaskSourceCore<ZxPortPacket> _core = new() { RunContinuationsAsynchronously = true };
    private PortDispatcher? _port;
    private CancellationTokenRegistration _registration;

    public static AsyncPortWaiter Rent(PortDispatcher port)
    {
        if (!s_pool.TryDequeue(out AsyncPortWaiter? waiter))
            waiter = new AsyncPortWaiter();
        waiter._port = port;
        return waiter;
    }

    public ValueTask<ZxPortPacket> AsValueTask() => new(this, _core.Version);

    /// <summary>Arranges for cancellation of <paramref name="token"/> to end the wait (call after linking).</summary>
    public void RegisterCancellation(CancellationToken token)
    {
        if (token.CanBeCanceled)
            _registration = token.UnsafeRegister(static state => ((AsyncPortWaiter)state!).OnCanceled(), this);
    }

    private void OnCanceled()
    {
        PortDispatcher? port = _port;
        if (port is not null && port.TryUnlinkWaiter(this))
            _core.SetException(new OperationCanceledException());
    }

    internal override void Wake()
    {
        if (Status == ZxStatus.Ok)
            _core.SetResult(Packet);
        else
            _core.SetException(new ZxException(Status, "zx_port_wait"));
    }

    public ZxPortPacket GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _registration.Dispose();
            _registration = default;
            _port = null;
            _core.Reset();
            if (s_pool.Count < MaxPooled)
                s_pool.Enqueue(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
