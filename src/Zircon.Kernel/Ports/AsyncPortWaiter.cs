using System.Threading.Tasks.Sources;
using Zircon.Kernel.Threading;

namespace Zircon.Kernel.Ports;

/// <summary>
/// An asynchronous <c>zx_port_wait</c>: pooled (<see cref="WaiterPool{T}"/>) and completed through
/// a <see cref="PooledCompletion{TResult}"/>, so an awaited wait costs no allocation and no
/// blocked thread.
/// </summary>
internal sealed class AsyncPortWaiter : PortWaiter, IValueTaskSource<ZxPortPacket>
{
    private PooledCompletion<ZxPortPacket> _completion = PooledCompletion<ZxPortPacket>.Create();
    private PortDispatcher? _port;

    public static AsyncPortWaiter Rent(PortDispatcher port)
    {
        AsyncPortWaiter waiter = WaiterPool<AsyncPortWaiter>.Rent();
        waiter._port = port;
        return waiter;
    }

    public ValueTask<ZxPortPacket> AsValueTask() => new(this, _completion.Version);

    /// <summary>Arranges for cancellation of <paramref name="token"/> to end the wait (call after linking).</summary>
    public void RegisterCancellation(CancellationToken token) =>
        _completion.RegisterCancellation(token, static state => ((AsyncPortWaiter)state!).OnCanceled(), this);

    private void OnCanceled()
    {
        PortDispatcher? port = _port;
        if (port is not null && port.TryUnlinkWaiter(this))
            _completion.SetException(new OperationCanceledException(_completion.Token));
    }

    internal override void Wake()
    {
        if (Status == ZxStatus.Ok)
            _completion.SetResult(Packet);
        else
            _completion.SetException(new ZxException(Status, "zx_port_wait"));
    }

    public ZxPortPacket GetResult(short token)
    {
        try
        {
            return _completion.GetResultAndReset(token);
        }
        finally
        {
            _port = null;
            WaiterPool<AsyncPortWaiter>.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _completion.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
