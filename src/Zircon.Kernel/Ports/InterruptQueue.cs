using Zircon.Kernel.Objects;

namespace Zircon.Kernel.Ports;

/// <summary>What <see cref="PortDispatcher.QueueInterrupt"/> did.</summary>
internal enum InterruptQueueResult
{
    /// <summary>Queued, or handed to a waiting thread.</summary>
    Queued,

    /// <summary>The interrupt's previous packet is still unread; nothing changed.</summary>
    AlreadyQueued,

    /// <summary>The port has no handles left; the packet was dropped.</summary>
    PortClosed,
}

/// <summary>
/// A port's FIFO of interrupt packets (at most one per interrupt): an intrusive doubly linked list
/// through fields of <see cref="InterruptDispatcher"/>, so queuing, reading and withdrawing a
/// packet are O(1) and allocate nothing. Not thread-safe: the port's lock guards it and the links.
/// </summary>
internal sealed class InterruptQueue
{
    private InterruptDispatcher? _head;
    private InterruptDispatcher? _tail;

    public int Count { get; private set; }

    public void Enqueue(InterruptDispatcher interrupt)
    {
        interrupt.PortQueued = true;
        interrupt.PortNext = null;
        interrupt.PortPrevious = _tail;
        if (_tail is null)
            _head = interrupt;
        else
            _tail.PortNext = interrupt;
        _tail = interrupt;
        Count++;
    }

    public InterruptDispatcher? Dequeue()
    {
        InterruptDispatcher? first = _head;
        if (first is not null)
            Unlink(first);
        return first;
    }

    /// <summary>Removes <paramref name="interrupt"/> if it is queued here; returns whether it was.</summary>
    public bool Remove(InterruptDispatcher interrupt)
    {
        if (!interrupt.PortQueued)
            return false;
        Unlink(interrupt);
        return true;
    }

    public void Clear()
    {
        for (InterruptDispatcher? i = _head; i is not null;)
        {
            InterruptDispatcher? next = i.PortNext;
            i.PortNext = i.PortPrevious = null;
            i.PortQueued = false;
            i = next;
        }
        _head = _tail = null;
        Count = 0;
    }

    private void Unlink(InterruptDispatcher interrupt)
    {
        if (interrupt.PortPrevious is null)
            _head = interrupt.PortNext;
        else
            interrupt.PortPrevious.PortNext = interrupt.PortNext;
        if (interrupt.PortNext is null)
            _tail = interrupt.PortPrevious;
        else
            interrupt.PortNext.PortPrevious = interrupt.PortPrevious;
        interrupt.PortNext = interrupt.PortPrevious = null;
        interrupt.PortQueued = false;
        Count--;
    }
}
