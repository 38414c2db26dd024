namespace Zircon.Kernel;

// TEMPORARY: signatures of syscalls not yet implemented. Each moves to its own file when done.
public static partial class Syscalls
{
    /// <summary><c>zx_port_create</c>.</summary>
    public static ZxStatus PortCreate(uint options, out uint port) => throw new NotImplementedException();

    /// <summary><c>zx_port_queue</c>.</summary>
    public static ZxStatus PortQueue(uint port, in ZxPortPacket packet) => throw new NotImplementedException();

    /// <summary><c>zx_port_wait</c>.</summary>
    public static ZxStatus PortWait(uint port, long deadline, out ZxPortPacket packet) => throw new NotImplementedException();

    /// <summary>
    /// .NET extension: waits for a packet without blocking a thread. The task faults with
    /// <see cref="ZxException"/> for a bad handle (BAD_HANDLE/WRONG_TYPE/ACCESS_DENIED) or a port
    /// whose last handle closed (CANCELED), and with OperationCanceledException on cancellation.
    /// </summary>
    public static ValueTask<ZxPortPacket> PortWaitAsync(uint port, CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary><c>zx_port_cancel</c>.</summary>
    public static ZxStatus PortCancel(uint port, uint source, ulong key) => throw new NotImplementedException();

    /// <summary><c>zx_object_wait_one</c>.</summary>
    public static ZxStatus ObjectWaitOne(uint handle, ZxSignals signals, long deadline, out ZxSignals observed) => throw new NotImplementedException();

    /// <summary><c>zx_object_wait_async</c>.</summary>
    public static ZxStatus ObjectWaitAsync(uint handle, uint port, ulong key, ZxSignals signals, uint options) => throw new NotImplementedException();

    /// <summary><c>zx_object_signal</c>.</summary>
    public static ZxStatus ObjectSignal(uint handle, ZxSignals clearMask, ZxSignals setMask) => throw new NotImplementedException();

    /// <summary><c>zx_event_create</c>.</summary>
    public static ZxStatus EventCreate(uint options, out uint @event) => throw new NotImplementedException();

    /// <summary><c>zx_interrupt_create</c>.</summary>
    public static ZxStatus InterruptCreate(uint sourceResource, uint sourceNumber, uint options, out uint interrupt) => throw new NotImplementedException();

    /// <summary><c>zx_interrupt_bind</c>.</summary>
    public static ZxStatus InterruptBind(uint interrupt, uint port, ulong key, uint options) => throw new NotImplementedException();

    /// <summary><c>zx_interrupt_bind_vcpu</c>.</summary>
    public static ZxStatus InterruptBindVcpu(uint interrupt, uint vcpu, uint options) => throw new NotImplementedException();

    /// <summary><c>zx_interrupt_wait</c>.</summary>
    public static ZxStatus InterruptWait(uint interrupt, out long timestamp) => throw new NotImplementedException();

    /// <summary><c>zx_interrupt_ack</c>.</summary>
    public static ZxStatus InterruptAck(uint interrupt) => throw new NotImplementedException();

    /// <summary><c>zx_interrupt_trigger</c>.</summary>
    public static ZxStatus InterruptTrigger(uint interrupt, uint options, long timestamp) => throw new NotImplementedException();

    /// <summary><c>zx_interrupt_destroy</c>.</summary>
    public static ZxStatus InterruptDestroy(uint interrupt) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_create</c>.</summary>
    public static ZxStatus VmoCreate(ulong size, uint options, out uint vmo) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_read</c>.</summary>
    public static ZxStatus VmoRead(uint vmo, Span<byte> buffer, ulong offset) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_write</c>.</summary>
    public static ZxStatus VmoWrite(uint vmo, ReadOnlySpan<byte> buffer, ulong offset) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_get_size</c>.</summary>
    public static ZxStatus VmoGetSize(uint vmo, out ulong size) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_replace_as_executable</c>.</summary>
    public static ZxStatus VmoReplaceAsExecutable(uint vmo, uint vmex, out uint result) => throw new NotImplementedException();

    /// <summary><c>zx_vmar_root_self</c>.</summary>
    public static uint VmarRootSelf() => throw new NotImplementedException();

    /// <summary><c>zx_vmar_map</c>.</summary>
    public static ZxStatus VmarMap(uint vmar, uint options, ulong vmarOffset, uint vmo, ulong vmoOffset, ulong length, out ulong mappedAddress) => throw new NotImplementedException();

    /// <summary><c>zx_vmar_unmap</c>.</summary>
    public static ZxStatus VmarUnmap(uint vmar, ulong address, ulong length) => throw new NotImplementedException();
}
