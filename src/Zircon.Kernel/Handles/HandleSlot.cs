using System.Runtime.CompilerServices;

namespace Zircon.Kernel.Handles;

/// <summary>
/// One slot of the handle table, reused by every handle that ever lives at its index (so a
/// duplicate allocates nothing). Changed only under the table lock; read without a lock as a
/// sequence lock whose sequence number is the handle id: <see cref="_id"/> is 0 while the slot is
/// empty or changing, and the id of the handle it holds otherwise. Ids are never reused, so a
/// reader that sees the same non-zero id before and after reading the other fields read them all
/// from that one handle (the argument is in docs/decisions.md, "Handle table").
/// </summary>
internal sealed class HandleSlot
{
    private ulong _id;
    private uint _value;
    private uint _rights; // ZxRights, kept as uint for Volatile.Read
    private Dispatcher? _dispatcher;

    /// <summary>Lock-free read: the handle with <paramref name="value"/> if this slot holds it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRead(uint value, out Handle handle)
    {
        // Every read is an acquire, so none of them can be satisfied after the next one: the
        // second id read comes after the field reads.
        ulong id = Volatile.Read(ref _id);
        uint current = Volatile.Read(ref _value);
        Dispatcher? dispatcher = Volatile.Read(ref _dispatcher);
        var rights = (ZxRights)Volatile.Read(ref _rights);
        if (id == 0 || current != value || dispatcher is null || Volatile.Read(ref _id) != id)
        {
            handle = default;
            return false;
        }
        handle = new Handle(dispatcher, rights, value, id);
        return true;
    }

    /// <summary>Whether the handle with this id is still here (it was not closed or replaced).</summary>
    public bool Holds(ulong id) => Volatile.Read(ref _id) == id;

    /// <summary>Under the table lock, on an empty slot: publishes a new handle.</summary>
    public void Fill(Dispatcher dispatcher, ZxRights rights, uint value, ulong id)
    {
        // The id is 0 here, so readers ignore the fields until the release store of the id.
        _dispatcher = dispatcher;
        _rights = (uint)rights;
        _value = value;
        Volatile.Write(ref _id, id);
    }

    /// <summary>
    /// Under the table lock: empties the slot and returns what it held. The id is cleared with a
    /// full fence before any field changes, so a reader that sees a later field value also sees
    /// an id other than the one it started with.
    /// </summary>
    public Handle Empty()
    {
        var held = new Handle(_dispatcher!, (ZxRights)_rights, _value, _id);
        Interlocked.Exchange(ref _id, 0);
        _dispatcher = null; // the object may die with its last handle
        _value = 0;
        _rights = 0;
        return held;
    }
}
