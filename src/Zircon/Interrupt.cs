using Zircon.Kernel;

namespace Zircon;

/// <summary>Trigger mode of a physical interrupt (<c>ZX_INTERRUPT_MODE_*</c>).</summary>
public enum InterruptMode : uint
{
    /// <summary><c>ZX_INTERRUPT_MODE_DEFAULT</c>: the platform's mode for the line.</summary>
    Default = ZxInterruptOptions.ModeDefault,

    /// <summary><c>ZX_INTERRUPT_MODE_EDGE_LOW</c>.</summary>
    EdgeLow = ZxInterruptOptions.ModeEdgeLow,

    /// <summary><c>ZX_INTERRUPT_MODE_EDGE_HIGH</c>.</summary>
    EdgeHigh = ZxInterruptOptions.ModeEdgeHigh,

    /// <summary><c>ZX_INTERRUPT_MODE_LEVEL_LOW</c>: masked while being handled, unmasked on wait/ack.</summary>
    LevelLow = ZxInterruptOptions.ModeLevelLow,

    /// <summary><c>ZX_INTERRUPT_MODE_LEVEL_HIGH</c>: masked while being handled, unmasked on wait/ack.</summary>
    LevelHigh = ZxInterruptOptions.ModeLevelHigh,
}

/// <summary>
/// An interrupt (<c>ZX_OBJ_TYPE_INTERRUPT</c>): virtual (fired by <see cref="Trigger"/>) or physical
/// (on a host interrupt line, see <see cref="HostInterruptLine"/>). It is delivered in one of two
/// ways: to a thread blocked in <see cref="Wait"/>, or, once bound with <see cref="Bind"/>, as
/// <see cref="ZxPacketType.Interrupt"/> packets on a <see cref="Port"/> created with
/// <see cref="PortOptions.BindToInterrupt"/>, each acknowledged with <see cref="Ack"/>.
/// </summary>
/// <remarks>
/// Interrupts are not waited on with the <c>zx_object_wait_*</c> family (they assert no signals),
/// so this type is not a <see cref="WaitableObject{TSelf}"/>. Closing the last handle destroys the
/// interrupt. Default rights: INSPECT, DUPLICATE, TRANSFER, WAIT, READ, WRITE, SIGNAL.
/// </remarks>
public sealed class Interrupt : ZxObject<Interrupt>
{
    private Interrupt(uint handle)
        : base(handle, ownsHandle: true)
    {
    }

    /// <summary>
    /// <c>zx_interrupt_create(ZX_HANDLE_INVALID, 0, ZX_INTERRUPT_VIRTUAL)</c>: a virtual interrupt,
    /// fired only by <see cref="Trigger"/>; it behaves as edge-triggered. Needs no resource.
    /// </summary>
    /// <exception cref="ZxException">NO_MEMORY.</exception>
    public static Interrupt CreateVirtual()
    {
        ZxStatus status = Syscalls.InterruptCreate(ZxHandleValues.Invalid, 0, ZxInterruptOptions.Virtual, out uint handle);
        ZxException.ThrowIfError(status, "zx_interrupt_create(ZX_INTERRUPT_VIRTUAL)");
        return new Interrupt(handle);
    }

    /// <summary>
    /// <c>zx_interrupt_create(resource, line, mode)</c>: a physical interrupt on host interrupt line
    /// <paramref name="line"/> (raised by a device, another process, or
    /// <see cref="HostInterruptLine.Raise"/>). <paramref name="resource"/> must be an IRQ resource
    /// covering the line or the root resource (<see cref="Resource.Root"/>).
    /// </summary>
    /// <param name="resource">An IRQ or the root resource.</param>
    /// <param name="line">The host interrupt line, 0 .. <see cref="HostInterruptLine.Count"/>-1.</param>
    /// <param name="mode">The trigger mode.</param>
    /// <param name="remapIrq"><c>ZX_INTERRUPT_REMAP_IRQ</c>: remap the number through the platform.</param>
    /// <exception cref="ZxException">
    /// BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED or OUT_OF_RANGE for the resource; INVALID_ARGS for a bad
    /// line or mode.
    /// </exception>
    public static Interrupt CreatePhysical(Resource resource, uint line, InterruptMode mode = InterruptMode.Default, bool remapIrq = false)
    {
        ArgumentNullException.ThrowIfNull(resource);
        uint options = (uint)mode | (remapIrq ? ZxInterruptOptions.RemapIrq : 0);
        ZxException.ThrowIfError(Syscalls.InterruptCreate(resource.Handle, line, options, out uint handle), "zx_interrupt_create");
        return new Interrupt(handle);
    }

    /// <summary>
    /// Takes ownership of a raw interrupt handle. On failure the handle is left with the caller.
    /// </summary>
    /// <exception cref="ZxException">BAD_HANDLE, or WRONG_TYPE if it is not an interrupt.</exception>
    public static Interrupt FromHandle(uint handle)
    {
        CheckAdoptable(handle, ZxObjectType.Interrupt);
        return new Interrupt(handle);
    }

    /// <summary>
    /// <c>zx_interrupt_bind(interrupt, port, key, ZX_INTERRUPT_BIND)</c>: from now on each firing
    /// queues one interrupt packet with <paramref name="key"/> on <paramref name="port"/> (created
    /// with <see cref="PortOptions.BindToInterrupt"/>), and the next one waits for <see cref="Ack"/>.
    /// If the interrupt already fired while unbound, the packet is queued at once. Needs ZX_RIGHT_READ
    /// on the interrupt and ZX_RIGHT_WRITE on the port.
    /// </summary>
    /// <exception cref="ZxException">
    /// WRONG_TYPE if the port was not created to take interrupts, ALREADY_BOUND, BAD_STATE while a
    /// thread is in <see cref="Wait"/>, CANCELED after <see cref="Destroy"/>, ACCESS_DENIED, BAD_HANDLE.
    /// </exception>
    public void Bind(Port port, ulong key)
    {
        ArgumentNullException.ThrowIfNull(port);
        ZxException.ThrowIfError(Syscalls.InterruptBind(Handle, port.Handle, key, ZxInterruptOptions.Bind), "zx_interrupt_bind");
    }

    /// <summary>
    /// <c>zx_interrupt_bind(interrupt, port, 0, ZX_INTERRUPT_UNBIND)</c>: stops delivering to
    /// <paramref name="port"/> and removes an interrupt packet still queued there. Needs ZX_RIGHT_READ
    /// on the interrupt and ZX_RIGHT_WRITE on the port.
    /// </summary>
    /// <exception cref="ZxException">NOT_FOUND if not bound to this port, CANCELED after <see cref="Destroy"/>, ACCESS_DENIED, BAD_HANDLE.</exception>
    public void Unbind(Port port)
    {
        ArgumentNullException.ThrowIfNull(port);
        ZxException.ThrowIfError(Syscalls.InterruptBind(Handle, port.Handle, 0, ZxInterruptOptions.Unbind), "zx_interrupt_bind(ZX_INTERRUPT_UNBIND)");
    }

    /// <summary>
    /// <c>zx_interrupt_bind_vcpu(interrupt, vcpu, 0)</c>: routes this physical interrupt's host line
    /// straight into the guest, delivering vector = line number to <paramref name="vcpu"/> (and to
    /// every other VCPU of the same guest bound before) with no host user-space work. The guest
    /// acknowledges these vectors with an EOI to its local APIC. Needs READ on the interrupt and
    /// WRITE on the VCPU; binding the same VCPU again is a no-op.
    /// </summary>
    /// <exception cref="ZxException">
    /// NOT_SUPPORTED for a virtual interrupt; ALREADY_BOUND when bound to a port; INVALID_ARGS for a
    /// VCPU of another guest or a line outside 16..255; BAD_STATE while a thread is in <see cref="Wait"/>;
    /// CANCELED after <see cref="Destroy"/>.
    /// </exception>
    public void BindVcpu(Vcpu vcpu)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        ZxException.ThrowIfError(Syscalls.InterruptBindVcpu(Handle, vcpu.Handle, 0), "zx_interrupt_bind_vcpu");
    }

    /// <summary>
    /// <c>zx_interrupt_wait</c>: blocks until the interrupt fires and returns the timestamp of that
    /// firing (the value given to <see cref="Trigger"/>, or the monotonic time a physical line was
    /// raised). Entering the wait acknowledges the previous firing. Only one thread may wait, and
    /// only on an interrupt not bound to a port. Needs ZX_RIGHT_WAIT.
    /// </summary>
    /// <exception cref="ZxException">
    /// CANCELED when the interrupt is destroyed (or its handle closed) during or before the wait,
    /// BAD_STATE when bound to a port or another thread is waiting, ACCESS_DENIED, BAD_HANDLE.
    /// </exception>
    public long Wait()
    {
        ZxException.ThrowIfError(Syscalls.InterruptWait(Handle, out long timestamp), "zx_interrupt_wait");
        return timestamp;
    }

    /// <summary>
    /// Awaitable <c>zx_interrupt_wait</c>: completes with the timestamp of the next firing (or at
    /// once, synchronously, if the interrupt already fired), with no thread blocked meanwhile and no
    /// allocation per wait. The rules of <see cref="Wait"/> apply: one wait at a time, entering it
    /// acknowledges the previous firing, not while bound to a port or VCPU. Needs ZX_RIGHT_WAIT.
    /// </summary>
    /// <param name="cancellationToken">
    /// Withdraws the wait: the task fails with <see cref="OperationCanceledException"/> and the
    /// interrupt is idle again, so a firing after that is kept for the next wait (a firing that won
    /// the race completes the task normally instead).
    /// </param>
    /// <returns>The firing's timestamp, as <see cref="Wait"/> returns it.</returns>
    /// <exception cref="ZxException">
    /// (In the task) CANCELED when the interrupt is destroyed (or its last handle closed) before or
    /// during the wait; BAD_STATE when bound or another wait is in progress; ACCESS_DENIED, BAD_HANDLE.
    /// </exception>
    /// <exception cref="OperationCanceledException">(In the task) <paramref name="cancellationToken"/> was canceled first.</exception>
    public ValueTask<long> WaitAsync(CancellationToken cancellationToken = default) =>
        Syscalls.InterruptWaitAsync(Handle, cancellationToken);

    /// <summary><c>zx_interrupt_wait</c> returning the status instead of throwing. Needs ZX_RIGHT_WAIT.</summary>
    public ZxStatus TryWait(out long timestamp) => Syscalls.InterruptWait(Handle, out timestamp);

    /// <summary>
    /// <c>zx_interrupt_ack</c>: acknowledges the packet taken from the bound port, so the next firing
    /// (or one that happened meanwhile) is delivered. Needs ZX_RIGHT_WRITE.
    /// </summary>
    /// <exception cref="ZxException">BAD_STATE if not bound to a port, CANCELED after <see cref="Destroy"/>, ACCESS_DENIED, BAD_HANDLE.</exception>
    public void Ack() => ZxException.ThrowIfError(Syscalls.InterruptAck(Handle), "zx_interrupt_ack");

    /// <summary><c>zx_interrupt_ack</c> returning the status instead of throwing. Needs ZX_RIGHT_WRITE.</summary>
    public ZxStatus TryAck() => Syscalls.InterruptAck(Handle);

    /// <summary>
    /// <c>zx_interrupt_trigger(interrupt, 0, timestamp)</c>: fires a virtual interrupt, delivering
    /// <paramref name="timestamp"/> to the waiter or in the port packet. Firings before the previous
    /// one was acknowledged are coalesced. Needs ZX_RIGHT_SIGNAL.
    /// </summary>
    /// <exception cref="ZxException">BAD_STATE on a physical interrupt, CANCELED after <see cref="Destroy"/>, ACCESS_DENIED, BAD_HANDLE.</exception>
    public void Trigger(long timestamp) =>
        ZxException.ThrowIfError(Syscalls.InterruptTrigger(Handle, 0, timestamp), "zx_interrupt_trigger");

    /// <summary><c>zx_interrupt_trigger</c> returning the status instead of throwing. Needs ZX_RIGHT_SIGNAL.</summary>
    public ZxStatus TryTrigger(long timestamp) => Syscalls.InterruptTrigger(Handle, 0, timestamp);

    /// <summary>
    /// <c>zx_interrupt_destroy</c>: stops the interrupt for good; a thread in <see cref="Wait"/> wakes
    /// with CANCELED, a queued interrupt packet is removed, and later calls fail with CANCELED. The
    /// handle stays open (dispose it as usual). Needs no right (only the type is checked). Closing the
    /// last handle destroys the interrupt too.
    /// </summary>
    /// <exception cref="ZxException">
    /// NOT_FOUND when bound to a port whose packet was already taken but not acknowledged (the
    /// interrupt is destroyed all the same), BAD_HANDLE.
    /// </exception>
    public void Destroy() => ZxException.ThrowIfError(Syscalls.InterruptDestroy(Handle), "zx_interrupt_destroy");

    /// <summary><c>zx_interrupt_destroy</c> returning the status (OK or NOT_FOUND, see <see cref="Destroy"/>) instead of throwing.</summary>
    public ZxStatus TryDestroy() => Syscalls.InterruptDestroy(Handle);

    private protected override Interrupt Wrap(uint handle) => new(handle);
}
