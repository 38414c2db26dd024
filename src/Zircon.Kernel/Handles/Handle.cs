namespace Zircon.Kernel.Handles;

/// <summary>
/// What a lookup found in the handle table: the object, the rights and the handle's identity, as
/// one consistent snapshot. A value, not a table entry: the table reuses its entries, so nothing
/// outside it keeps a reference to one (see <see cref="HandleTable"/>). Only lookups make them;
/// <c>default</c> is no handle (its <see cref="Dispatcher"/> is null).
/// </summary>
public readonly struct Handle
{
    internal Handle(Dispatcher dispatcher, ZxRights rights, uint value, ulong id)
    {
        Dispatcher = dispatcher;
        Rights = rights;
        Value = value;
        Id = id;
    }

    /// <summary>The object the handle refers to.</summary>
    public Dispatcher Dispatcher { get; }

    /// <summary>The rights this handle grants.</summary>
    public ZxRights Rights { get; }

    /// <summary>The user-visible value.</summary>
    public uint Value { get; }

    /// <summary>
    /// The handle's identity: a number no other handle of the process ever had or will have
    /// (values repeat once a slot's generation wraps; ids never do). Waits and
    /// <c>zx_port_cancel</c> name the handle they were made through by it.
    /// </summary>
    public ulong Id { get; }

    /// <summary>Whether the handle has every right in <paramref name="rights"/>.</summary>
    public bool HasRights(ZxRights rights) => (Rights & rights) == rights;
}
