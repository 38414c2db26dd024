using Zircon.Kernel;

namespace Zircon;

/// <summary>Options of <see cref="Port.Create"/> (<c>zx_port_create</c>).</summary>
[Flags]
public enum PortOptions : uint
{
    /// <summary>A port for user, signal and guest-trap packets.</summary>
    None = 0,

    /// <summary>
    /// <c>ZX_PORT_BIND_TO_INTERRUPT</c>: interrupts can be bound to the port, and their packets are
    /// dequeued before any other packet.
    /// </summary>
    BindToInterrupt = ZxPortOptions.BindToInterrupt,
}

/// <summary>
/// A port (<c>ZX_OBJ_TYPE_PORT</c>): a queue of <see cref="ZxPortPacket"/>s that user code,
/// signal registrations (<see cref="WaitableObject{TSelf}.RegisterWait"/>), interrupts and guest traps
/// feed, and any number of threads or asynchronous waiters drain; each packet goes to exactly one
/// waiter. A port itself is not waitable.
/// </summary>
/// <remarks>Default rights: DUPLICATE, TRANSFER, INSPECT, READ, WRITE.</remarks>
public sealed class Port : ZxObject<Port>
{
    private Port(uint handle)
        : base(handle, ownsHandle: true)
    {
    }

    /// <summary><c>zx_port_create</c>: a new port.</summary>
    /// <param name="options">
    /// <see cref="PortOptions.BindToInterrupt"/> for a port that <see cref="Interrupt.Bind"/> accepts.
    /// </param>
    /// <exception cref="ZxException">INVALID_ARGS for unknown options, NO_MEMORY.</exception>
    public static Port Create(PortOptions options = PortOptions.None)
    {
        ZxException.ThrowIfError(Syscalls.PortCreate((uint)options, out uint handle), "zx_port_create");
        return new Port(handle);
    }

    /// <summary>
    /// Takes ownership of a raw port handle (for example one received from C code). On failure the
    /// handle is left with the caller.
    /// </summary>
    /// <exception cref="ZxException">BAD_HANDLE, or WRONG_TYPE if it is not a port.</exception>
    public static Port FromHandle(uint handle)
    {
        CheckAdoptable(handle, ZxObjectType.Port);
        return new Port(handle);
    }

    /// <summary>
    /// <c>zx_port_queue</c>: queues a copy of <paramref name="packet"/> as a user packet (its type is
    /// forced to <see cref="ZxPacketType.User"/>; key, status and payload are kept). Needs
    /// ZX_RIGHT_WRITE. See <see cref="PortPackets"/> for building packets.
    /// </summary>
    /// <exception cref="ZxException">
    /// SHOULD_WAIT when the port already holds its limit of pending user packets, ACCESS_DENIED,
    /// BAD_HANDLE, NO_MEMORY.
    /// </exception>
    public void Queue(in ZxPortPacket packet) =>
        ZxException.ThrowIfError(Syscalls.PortQueue(Handle, in packet), "zx_port_queue");

    /// <summary>
    /// <c>zx_port_queue</c> returning the status (OK, SHOULD_WAIT when full, ...) instead of
    /// throwing. Needs ZX_RIGHT_WRITE.
    /// </summary>
    public ZxStatus TryQueue(in ZxPortPacket packet) => Syscalls.PortQueue(Handle, in packet);

    /// <summary>
    /// <c>zx_port_wait</c>: blocks the calling thread until a packet arrives or the absolute
    /// monotonic <paramref name="deadline"/> passes (<see cref="ZxTime.InfinitePast"/> polls; see
    /// <see cref="ZxClock"/>). Needs ZX_RIGHT_READ.
    /// </summary>
    /// <exception cref="ZxException">TIMED_OUT at the deadline, ACCESS_DENIED, BAD_HANDLE.</exception>
    public ZxPortPacket Wait(long deadline = ZxTime.Infinite)
    {
        ZxException.ThrowIfError(Syscalls.PortWait(Handle, deadline, out ZxPortPacket packet), "zx_port_wait");
        return packet;
    }

    /// <summary>
    /// <c>zx_port_wait</c> returning the status (OK, TIMED_OUT, ...) instead of throwing. Needs
    /// ZX_RIGHT_READ.
    /// </summary>
    public ZxStatus TryWait(long deadline, out ZxPortPacket packet) => Syscalls.PortWait(Handle, deadline, out packet);

    /// <summary>
    /// Waits for a packet without blocking a thread (the .NET form of <c>zx_port_wait</c>). Needs
    /// ZX_RIGHT_READ. Completes synchronously when a packet is already queued, and does not allocate
    /// per packet: this returns the kernel's pooled <see cref="ValueTask{TResult}"/> as it is, so
    /// await it exactly once (or call <see cref="ValueTask{TResult}.AsTask"/>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait; the packet, if any arrives later, stays queued.</param>
    /// <returns>
    /// The packet. Faults with <see cref="ZxException"/> for a bad handle (BAD_HANDLE, WRONG_TYPE,
    /// ACCESS_DENIED) or when the port's last handle is closed (CANCELED), and with
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </returns>
    public ValueTask<ZxPortPacket> WaitAsync(CancellationToken cancellationToken = default) =>
        Syscalls.PortWaitAsync(Handle, cancellationToken);

    /// <summary>
    /// <c>zx_port_cancel</c>: withdraws the <see cref="WaitableObject{TSelf}.RegisterWait"/> registrations
    /// made through <paramref name="source"/>'s handle with <paramref name="key"/> on this port, and
    /// removes the signal packets they already queued. User packets are never removed. Needs
    /// ZX_RIGHT_WRITE on the port and ZX_RIGHT_WAIT on <paramref name="source"/>.
    /// </summary>
    /// <returns>True if anything was removed, false if nothing matched (<c>ZX_ERR_NOT_FOUND</c>).</returns>
    /// <exception cref="ZxException">ACCESS_DENIED, BAD_HANDLE, WRONG_TYPE.</exception>
    public bool Cancel<TSource>(WaitableObject<TSource> source, ulong key)
        where TSource : WaitableObject<TSource>
    {
        ArgumentNullException.ThrowIfNull(source);
        ZxStatus status = Syscalls.PortCancel(Handle, source.Handle, key);
        if (status == ZxStatus.ErrNotFound)
            return false;
        ZxException.ThrowIfError(status, "zx_port_cancel");
        return true;
    }

    private protected override Port Wrap(uint handle) => new(handle);
}
