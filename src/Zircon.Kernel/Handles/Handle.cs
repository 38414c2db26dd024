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

    public Dispatcher Dispatcher { get; }

    public ZxRights Rights { get; }

    /// <summary>The user-visible value; set once when the handle enters the table.</summary>
    public uint Value { get; internal set; }

    public bool HasRights(ZxRights rights) => (Rights & rights) == rights;
}
