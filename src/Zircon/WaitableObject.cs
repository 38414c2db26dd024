using Zircon.Kernel;

namespace Zircon;

/// <summary>
/// Options of <see cref="WaitableObject{TSelf}.RegisterWait"/> (<c>zx_object_wait_async</c>; the
/// name is that of Zircon's <c>ZX_WAIT_ASYNC_*</c> constants).
/// </summary>
[Flags]
public enum WaitAsyncOptions : uint
{
    /// <summary>No options (<c>ZX_WAIT_ASYNC_ONCE</c>): a one-shot registration, packet timestamp 0.</summary>
    None = ZxWaitAsyncOptions.Once,

    /// <summary><c>ZX_WAIT_ASYNC_TIMESTAMP</c>: the signal packet carries the monotonic time of the trigger.</summary>
    Timestamp = ZxWaitAsyncOptions.Timestamp,
}

/// <summary>
/// An object that has a signal state that can be waited on and signalled: the
/// <c>zx_object_wait_one</c> (<see cref="WaitOne"/>, awaitable as <see cref="WaitOneAsync"/>),
/// <c>zx_object_wait_async</c> (<see cref="RegisterWait"/>) and <c>zx_object_signal</c> family.
/// </summary>
/// <remarks>
/// Only <see cref="Event"/> and <see cref="Vmo"/> derive from this. Ports, VMARs and resources are
/// not waitable at all. <see cref="Interrupt"/> handles carry ZX_RIGHT_WAIT, but Zircon documents
/// that interrupts cannot be used with the <c>zx_object_wait_*</c> family and assert no signals, so
/// <see cref="Interrupt"/> deliberately does not derive from this type: wait on an interrupt with
/// <see cref="Interrupt.Wait"/> or through a bound <see cref="Port"/>.
/// </remarks>
/// <typeparam name="TSelf">The concrete handle type.</typeparam>
public abstract class WaitableObject<TSelf> : ZxObject<TSelf>
    where TSelf : WaitableObject<TSelf>
{
    private protected WaitableObject(uint handle, bool ownsHandle)
        : base(handle, ownsHandle)
    {
    }

    /// <summary>
    /// <c>zx_object_signal</c>: clears <paramref name="clear"/>, then sets <paramref name="set"/>.
    /// Needs ZX_RIGHT_SIGNAL. Only user signals (<see cref="ZxSignals.UserAll"/>) may be touched, plus
    /// <see cref="ZxSignals.EventSignaled"/> on an event; other bits are <c>ZX_ERR_INVALID_ARGS</c>.
    /// </summary>
    /// <exception cref="ZxException">INVALID_ARGS, ACCESS_DENIED without SIGNAL, BAD_HANDLE.</exception>
    public void Signal(ZxSignals clear, ZxSignals set) =>
        ZxException.ThrowIfError(Syscalls.ObjectSignal(Handle, clear, set), "zx_object_signal");

    /// <summary><c>zx_object_signal</c> returning the status instead of throwing. Needs ZX_RIGHT_SIGNAL.</summary>
    public ZxStatus TrySignal(ZxSignals clear, ZxSignals set) => Syscalls.ObjectSignal(Handle, clear, set);

    /// <summary>
    /// <c>zx_object_wait_one</c>: blocks until any of <paramref name="signals"/> is asserted or the
    /// absolute monotonic <paramref name="deadline"/> passes (see <see cref="ZxClock"/>). Needs
    /// ZX_RIGHT_WAIT.
    /// </summary>
    /// <returns>The object's whole signal state when the wait ended.</returns>
    /// <exception cref="ZxException">
    /// TIMED_OUT at the deadline, CANCELED if the handle was closed during the wait, ACCESS_DENIED
    /// without WAIT, BAD_HANDLE.
    /// </exception>
    public ZxSignals WaitOne(ZxSignals signals, long deadline = ZxTime.Infinite)
    {
        ZxException.ThrowIfError(Syscalls.ObjectWaitOne(Handle, signals, deadline, out ZxSignals observed), "zx_object_wait_one");
        return observed;
    }

    /// <summary>
    /// <c>zx_object_wait_one</c> returning the status (OK, TIMED_OUT, CANCELED, ...) instead of
    /// throwing; <paramref name="observed"/> is the signal state either way. Needs ZX_RIGHT_WAIT.
    /// </summary>
    public ZxStatus TryWaitOne(ZxSignals signals, long deadline, out ZxSignals observed) =>
        Syscalls.ObjectWaitOne(Handle, signals, deadline, out observed);

    /// <summary>
    /// Awaitable <c>zx_object_wait_one</c>: completes when any of <paramref name="signals"/> is
    /// asserted, with the object's whole signal state at that moment. No thread is blocked while
    /// waiting; a wait already satisfied completes synchronously without allocating. Needs
    /// ZX_RIGHT_WAIT.
    /// </summary>
    /// <param name="signals">The signals that end the wait.</param>
    /// <param name="deadline">An absolute monotonic deadline (<see cref="ZxClock"/>); the default never expires.</param>
    /// <param name="cancellationToken">Withdraws the wait: the task then fails with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The signal state that ended the wait.</returns>
    /// <exception cref="ZxException">
    /// (In the task) TIMED_OUT at the deadline, CANCELED if the handle is closed during the wait;
    /// ACCESS_DENIED without WAIT, BAD_HANDLE.
    /// </exception>
    /// <exception cref="OperationCanceledException">(In the task) <paramref name="cancellationToken"/> was canceled first.</exception>
    public ValueTask<ZxSignals> WaitOneAsync(ZxSignals signals, long deadline = ZxTime.Infinite, CancellationToken cancellationToken = default) =>
        Syscalls.ObjectWaitOneAsync(Handle, signals, deadline, cancellationToken);

    /// <summary>
    /// <c>zx_object_wait_async</c>: registers a one-shot wait whose completion is a packet on a port.
    /// When any of <paramref name="signals"/> is asserted (now or later) one
    /// <see cref="ZxPacketType.SignalOne"/> packet with <paramref name="key"/> is queued on
    /// <paramref name="port"/>. This call returns at once; take the packet with
    /// <see cref="Port.Wait"/> or <see cref="Port.WaitAsync"/>, and withdraw the registration with
    /// <see cref="Port.Cancel"/>. Needs ZX_RIGHT_WAIT on this object and ZX_RIGHT_WRITE on the port.
    /// </summary>
    /// <remarks>
    /// Zircon calls this <c>zx_object_wait_async</c>; in .NET a method named <c>...Async</c> returns
    /// a task, so the registration is <c>RegisterWait</c> and the awaitable wait is
    /// <see cref="WaitOneAsync"/>.
    /// </remarks>
    /// <exception cref="ZxException">INVALID_ARGS for unknown options, ACCESS_DENIED, BAD_HANDLE, WRONG_TYPE.</exception>
    public void RegisterWait(Port port, ulong key, ZxSignals signals, WaitAsyncOptions options = WaitAsyncOptions.None)
    {
        ArgumentNullException.ThrowIfNull(port);
        ZxException.ThrowIfError(Syscalls.ObjectWaitAsync(Handle, port.Handle, key, signals, (uint)options), "zx_object_wait_async");
    }
}
