using Zircon.Kernel.Handles;
using Zircon.Kernel.Ports;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary><c>zx_port_create</c>: options 0 or ZX_PORT_BIND_TO_INTERRUPT.</summary>
    public static ZxStatus PortCreate(uint options, out uint port)
    {
        port = ZxHandleValues.Invalid;
        if ((options & ~ZxPortOptions.BindToInterrupt) != 0)
            return ZxStatus.ErrInvalidArgs;
        var dispatcher = new PortDispatcher(options);
        return Handles.Add(dispatcher, dispatcher.DefaultRights, out port);
    }

    /// <summary><c>zx_port_queue</c>: needs WRITE; the packet's type becomes ZX_PKT_TYPE_USER.</summary>
    public static ZxStatus PortQueue(uint port, in ZxPortPacket packet)
    {
        ZxStatus status = Handles.Get(port, ZxRights.Write, out PortDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        return dispatcher.QueueUser(packet);
    }

    /// <summary><c>zx_port_wait</c>: needs READ; <paramref name="deadline"/> is absolute monotonic time.</summary>
    public static ZxStatus PortWait(uint port, long deadline, out ZxPortPacket packet)
    {
        ZxStatus status = Handles.Get(port, ZxRights.Read, out PortDispatcher dispatcher);
        if (status != ZxStatus.Ok)
        {
            packet = default;
            return status;
        }
        return dispatcher.Wait(deadline, out packet);
    }

    /// <summary>
    /// .NET extension of <c>zx_port_wait</c>: waits without blocking a thread and without
    /// allocating per packet. The task faults with <see cref="ZxException"/> for a bad handle
    /// (BAD_HANDLE / WRONG_TYPE / ACCESS_DENIED) or a port whose last handle closed (CANCELED), and
    /// with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public static ValueTask<ZxPortPacket> PortWaitAsync(uint port, CancellationToken cancellationToken)
    {
        ZxStatus status = Handles.Get(port, ZxRights.Read, out PortDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return ValueTask.FromException<ZxPortPacket>(new ZxException(status, "zx_port_wait"));
        return dispatcher.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// <c>zx_port_cancel</c>: port needs WRITE; <paramref name="source"/> needs WAIT and must be
    /// waitable (the code's check; the docs say WRITE).
    /// </summary>
    public static ZxStatus PortCancel(uint port, uint source, ulong key)
    {
        ZxStatus status = Handles.Get(port, ZxRights.Write, out PortDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        status = Handles.Get(source, ZxRights.Wait, out Dispatcher sourceDispatcher, out Handle sourceHandle);
        if (status != ZxStatus.Ok)
            return status;
        if (!sourceDispatcher.IsWaitable)
            return ZxStatus.ErrNotSupported;
        return dispatcher.Cancel(sourceHandle, key);
    }
}
