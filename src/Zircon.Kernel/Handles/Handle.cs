namespace Zircon.Kernel.Handles;

/// <summary>
/// One entry of the handle table: a reference to an object with a set of rights. Immutable, so
/// lookups can read it without a lock; duplicate/replace make new entries.
/// </summary>
public sealed class Handle
{
    internal Handle(Dispatcher dispatcher, ZxRights rights)
    {
        Dispatcher = dispatcher;
        Rights = rights;
    }

    /// <summary>The object the handle refers to.</summary>
    public Dispatcher Dispatcher { get; }

    /// <summary>The rights this handle grants.</summary>
    public ZxRights Rights { get; }

    /// <summary>The user-visible value; set once when the handle enters the table.</summary>
    public uint Value { get; internal set; }

    /// <summary>Whether the handle has every right in <paramref name="rights"/>.</summary>
    public bool HasRights(ZxRights rights) => (Rights & rights) == rights;
}
