using Zircon.Kernel.Objects;
using Zircon.Kernel.Ports;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    private const uint PhysicalInterruptOptions = ZxInterruptOptions.RemapIrq | ZxInterruptOptions.ModeMask;

    /// <summary>
    /// <c>zx_interrupt_create</c>. With ZX_INTERRUPT_VIRTUAL (and nothing else) the resource and
    /// number are ignored. Otherwise a physical interrupt on host line <paramref name="sourceNumber"/>,
    /// which needs the root resource or an IRQ resource covering the line.
    /// </summary>
    public static ZxStatus InterruptCreate(uint sourceResource, uint sourceNumber, uint options, out uint interrupt)
    {
        interrupt = ZxHandleValues.Invalid;
        if ((options & ZxInterruptOptions.Virtual) != 0)
        {
            if (options != ZxInterruptOptions.Virtual)
                return ZxStatus.ErrInvalidArgs;
            InterruptDispatcher created = InterruptDispatcher.CreateVirtual();
            return Handles.Add(created, created.DefaultRights, out interrupt);
        }

        ZxStatus status = Handles.Get(sourceResource, ZxRights.None, out ResourceDispatcher resource);
        if (status != ZxStatus.Ok)
            return status;
        if (!resource.IsKindOrRoot(ZxResourceKind.Irq))
            return ZxStatus.ErrWrongType;
        if (!resource.Grants(ZxResourceKind.Irq, sourceNumber))
            return ZxStatus.ErrOutOfRange;
        if ((options & ~PhysicalInterruptOptions) != 0)
            return ZxStatus.ErrInvalidArgs;
        // Host lines are eventfds, so every mode is delivered as edges; EDGE_BOTH is rejected as in the target era.
        if ((options & ZxInterruptOptions.ModeMask) > ZxInterruptOptions.ModeLevelHigh)
            return ZxStatus.ErrInvalidArgs;
        status = InterruptDispatcher.CreatePhysical(sourceNumber, out InterruptDispatcher? physical);
        if (status != ZxStatus.Ok)
            return status;
        status = Handles.Add(physical!, physical!.DefaultRights, out interrupt);
        if (status != ZxStatus.Ok)
            physical.Destroy();
        return status;
    }

    /// <summary><c>zx_interrupt_bind</c>: options BIND or UNBIND; interrupt needs READ, port WRITE.</summary>
    public static ZxStatus InterruptBind(uint interrupt, uint port, ulong key, uint options)
    {
        if (options != ZxInterruptOptions.Bind && options != ZxInterruptOptions.Unbind)
            return ZxStatus.ErrInvalidArgs;
        ZxStatus status = Handles.Get(interrupt, ZxRights.Read, out InterruptDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        status = Handles.Get(port, ZxRights.Write, out PortDispatcher portDispatcher);
        if (status != ZxStatus.Ok)
            return status;
        return options == ZxInterruptOptions.Bind ? dispatcher.Bind(portDispatcher, key) : dispatcher.Unbind(portDispatcher);
    }

    /// <summary><c>zx_interrupt_wait</c>: needs WAIT.</summary>
    public static ZxStatus InterruptWait(uint interrupt, out long timestamp)
    {
        timestamp = 0;
        ZxStatus status = Handles.Get(interrupt, ZxRights.Wait, out InterruptDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        return dispatcher.Wait(out timestamp);
    }

    /// <summary><c>zx_interrupt_ack</c>: needs WRITE.</summary>
    public static ZxStatus InterruptAck(uint interrupt)
    {
        ZxStatus status = Handles.Get(interrupt, ZxRights.Write, out InterruptDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        return dispatcher.Ack();
    }

    /// <summary><c>zx_interrupt_trigger</c>: options must be 0 (checked first); needs SIGNAL; virtual only.</summary>
    public static ZxStatus InterruptTrigger(uint interrupt, uint options, long timestamp)
    {
        if (options != 0)
            return ZxStatus.ErrInvalidArgs;
        ZxStatus status = Handles.Get(interrupt, ZxRights.Signal, out InterruptDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        return dispatcher.Trigger(timestamp);
    }

    /// <summary><c>zx_interrupt_destroy</c>: no right needed (the code's check), only the type.</summary>
    public static ZxStatus InterruptDestroy(uint interrupt)
    {
        ZxStatus status = Handles.Get(interrupt, ZxRights.None, out InterruptDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        return dispatcher.Destroy();
    }
}
