using Zircon.Kernel;

namespace Zircon;

/// <summary>
/// An event (<c>ZX_OBJ_TYPE_EVENT</c>): a signal state and nothing else. Set
/// <see cref="ZxSignals.EventSignaled"/> or user signals with
/// <see cref="WaitableObject{TSelf}.Signal"/>; wait with <see cref="WaitableObject{TSelf}.WaitOne"/>
/// (blocking), <see cref="WaitableObject{TSelf}.WaitOneAsync"/> (awaitable, cancelable) or through
/// a port with <see cref="WaitableObject{TSelf}.RegisterWait"/> (<c>zx_object_wait_async</c>).
/// </summary>
/// <remarks>Default rights: DUPLICATE, TRANSFER, WAIT, INSPECT, SIGNAL.</remarks>
public sealed class Event : WaitableObject<Event>
{
    private Event(uint handle)
        : base(handle, ownsHandle: true)
    {
    }

    /// <summary><c>zx_event_create(0)</c>: a new event with no signal asserted.</summary>
    /// <exception cref="ZxException">NO_MEMORY.</exception>
    public static Event Create()
    {
        ZxException.ThrowIfError(Syscalls.EventCreate(0, out uint handle), "zx_event_create");
        return new Event(handle);
    }

    /// <summary>
    /// Takes ownership of a raw event handle. On failure the handle is left with the caller.
    /// </summary>
    /// <exception cref="ZxException">BAD_HANDLE, or WRONG_TYPE if it is not an event.</exception>
    public static Event FromHandle(uint handle)
    {
        CheckAdoptable(handle, ZxObjectType.Event);
        return new Event(handle);
    }

    private protected override Event Wrap(uint handle) => new(handle);
}
