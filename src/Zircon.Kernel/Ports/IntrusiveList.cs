namespace Zircon.Kernel.Ports;

/// <summary>A node's place in one <see cref="IntrusiveList{T, TLinksOf}"/>: fields of the node itself.</summary>
internal struct IntrusiveLinks<T>
    where T : class
{
    internal T? Next;
    internal T? Previous;
    internal bool Linked;
}

/// <summary>
/// Finds a node's <see cref="IntrusiveLinks{T}"/>. Implemented by an empty struct, so the list's
/// code is compiled for it and the access inlines to a field offset (no interface call).
/// </summary>
internal interface IIntrusiveLinksOf<T>
    where T : class
{
    ref IntrusiveLinks<T> Of(T node);
}

/// <summary>
/// A FIFO doubly linked through fields of its nodes: adding, removing any node and taking the
/// first are O(1) and allocate nothing. A mutable struct kept as a field of its owner (never
/// copied); not thread-safe: the owner's lock guards the list and the nodes' links.
/// </summary>
internal struct IntrusiveList<T, TLinksOf>
    where T : class
    where TLinksOf : struct, IIntrusiveLinksOf<T>
{
    private T? _head;
    private T? _tail;

    public readonly T? First => _head;

    public int Count { readonly get; private set; }

    public static bool IsLinked(T node) => default(TLinksOf).Of(node).Linked;

    public static T? NextOf(T node) => default(TLinksOf).Of(node).Next;

    public void AddLast(T node)
    {
        ref IntrusiveLinks<T> links = ref default(TLinksOf).Of(node);
        links.Linked = true;
        links.Next = null;
        links.Previous = _tail;
        if (_tail is null)
            _head = node;
        else
            default(TLinksOf).Of(_tail).Next = node;
        _tail = node;
        Count++;
    }

    /// <summary>Removes <paramref name="node"/>, which must be in this list.</summary>
    public void Remove(T node)
    {
        ref IntrusiveLinks<T> links = ref default(TLinksOf).Of(node);
        if (links.Previous is null)
            _head = links.Next;
        else
            default(TLinksOf).Of(links.Previous).Next = links.Next;
        if (links.Next is null)
            _tail = links.Previous;
        else
            default(TLinksOf).Of(links.Next).Previous = links.Previous;
        links.Next = links.Previous = null;
        links.Linked = false;
        Count--;
    }

    public T? RemoveFirst()
    {
        T? first = _head;
        if (first is not null)
            Remove(first);
        return first;
    }

    /// <summary>
    /// Empties the list at once: every node is unlinked but keeps its next link, so the caller can
    /// walk the returned chain with <see cref="TakeNext"/> (after releasing its lock, say).
    /// </summary>
    public T? DetachAll()
    {
        T? head = _head;
        for (T? node = head; node is not null; node = NextOf(node))
            default(TLinksOf).Of(node).Linked = false;
        _head = _tail = null;
        Count = 0;
        return head;
    }

    /// <summary>Empties the list and clears every node's links.</summary>
    public void Clear()
    {
        for (T? node = DetachAll(); node is not null;)
            node = TakeNext(node);
    }

    /// <summary>For a chain from <see cref="DetachAll"/>: the node after <paramref name="node"/>, whose links are cleared.</summary>
    public static T? TakeNext(T node)
    {
        ref IntrusiveLinks<T> links = ref default(TLinksOf).Of(node);
        T? next = links.Next;
        links.Next = links.Previous = null;
        return next;
    }
}
