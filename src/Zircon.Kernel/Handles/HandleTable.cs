using System.Runtime.CompilerServices;

namespace Zircon.Kernel.Handles;

/// <summary>
/// The process's handle table. Values are shaped like Zircon's: a slot index and a generation,
/// shifted left by two with the low two bits set and XOR-ed with a per-process mixer, so every
/// valid value is odd, and a closed handle's value is not handed out again for a long time.
/// Lookups are lock-free (each slot is a sequence lock, see <see cref="HandleSlot"/>); changes
/// take a lock. Slots are reused in place, so duplicating and closing allocate nothing; a handle's
/// identity outside the table is its never-reused <see cref="Handle.Id"/>, not a reference.
/// </summary>
public sealed class HandleTable
{
    private const int IndexBits = 18;
    private const uint IndexMask = (1u << IndexBits) - 1;
    private const uint GenerationMask = (1u << 12) - 1;
    private const int MaxHandles = 1 << IndexBits;

    // Shared by every table, so an id names one handle in the whole process (a dispatcher's
    // observers compare ids without knowing the table). 2^64 ids never run out.
    private static ulong s_lastId;

    private readonly Lock _lock = new();
    private readonly uint _mixer;
    // Grown by copying: the slot objects are shared by the old and new arrays, so a reader still
    // holding the old array sees every change.
    private HandleSlot?[] _slots = new HandleSlot?[1024];
    private uint[] _generations = new uint[1024];
    private readonly Queue<int> _free = new();
    private int _used;
    private int _count;

    /// <summary>An empty table with its own random handle-value mixer.</summary>
    public HandleTable()
    {
        // The low two bits of the mixer are zero so the fixed bits survive the XOR. The mixer makes
        // handle values unpredictable from one process to the next, as Zircon's are; it guards no
        // secret, so the runtime's OS-seeded generator serves: RandomNumberGenerator would load
        // OpenSSL into every process that makes a handle table (about 4 MiB of zxvm's RSS).
        _mixer = (uint)Random.Shared.Next(int.MaxValue) << 2 & 0x3FFF_FFFC;
    }

    /// <summary>Number of live handles.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Puts a new handle to <paramref name="dispatcher"/> in the table.</summary>
    public ZxStatus Add(Dispatcher dispatcher, ZxRights rights, out uint value)
    {
        ulong id = Interlocked.Increment(ref s_lastId);
        lock (_lock)
        {
            if (!TryAllocateSlotLocked(out int index))
            {
                value = ZxHandleValues.Invalid;
                return ZxStatus.ErrNoResources;
            }
            value = Encode(index, _generations[index]);
            dispatcher.IncrementHandleCount();
            _slots[index]!.Fill(dispatcher, rights, value, id);
            _count++;
        }
        return ZxStatus.Ok;
    }

    /// <summary>Finds the handle with this value; false means BAD_HANDLE.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(uint value, out Handle handle)
    {
        HandleSlot? slot = SlotOf(value);
        if (slot is null)
        {
            handle = default;
            return false;
        }
        return slot.TryRead(value, out handle);
    }

    /// <summary>
    /// The lookup every syscall uses, with Zircon's fixed order: BAD_HANDLE, then WRONG_TYPE, then
    /// ACCESS_DENIED.
    /// </summary>
    /// <remarks>
    /// Inlined into each syscall, so the type test is compiled for the concrete <typeparamref name="T"/>
    /// (one method-table compare for a sealed type) instead of the shared generic code's lookup.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ZxStatus Get<T>(uint value, ZxRights rights, out T dispatcher)
        where T : Dispatcher => Get(value, rights, out dispatcher, out _);

    /// <summary>As <see cref="Get{T}(uint, ZxRights, out T)"/>, also returning the handle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ZxStatus Get<T>(uint value, ZxRights rights, out T dispatcher, out Handle handle)
        where T : Dispatcher
    {
        // Callers read the outputs only when the status is OK.
        dispatcher = null!;
        if (!TryGet(value, out handle))
            return ZxStatus.ErrBadHandle;
        if (handle.Dispatcher is not T typed)
            return ZxStatus.ErrWrongType;
        if (!handle.HasRights(rights))
            return ZxStatus.ErrAccessDenied;
        dispatcher = typed;
        return ZxStatus.Ok;
    }

    /// <summary>
    /// Whether the handle <paramref name="handle"/> names is still in the table (not closed, not
    /// replaced). Exact: ids are never reused, so a later handle with the same value is not it.
    /// </summary>
    public bool IsLive(in Handle handle) => SlotOf(handle.Value)?.Holds(handle.Id) == true;

    /// <summary>
    /// Removes the handle from the table; the caller must call <see cref="Release"/> with it.
    /// False (BAD_HANDLE) if no handle has this value.
    /// </summary>
    public bool Remove(uint value, out Handle handle)
    {
        lock (_lock)
        {
            if (!TryGet(value, out handle))
                return false;
            int index = (int)(Decode(value) & IndexMask);
            handle = _slots[index]!.Empty();
            _generations[index] = (_generations[index] + 1) & GenerationMask;
            _free.Enqueue(index);
            _count--;
            return true;
        }
    }

    /// <summary>
    /// Tells the object a handle to it is gone: waits through that handle are canceled and, for
    /// the last handle, the object's on-zero-handles action runs. Called without the table lock.
    /// </summary>
    public static void Release(in Handle handle)
    {
        handle.Dispatcher.OnHandleRemoved(handle.Id);
    }

    /// <summary>Removes and releases a handle: <c>zx_handle_close</c> on one value.</summary>
    public ZxStatus Close(uint value)
    {
        if (value == ZxHandleValues.Invalid)
            return ZxStatus.Ok;
        if (!Remove(value, out Handle handle))
            return ZxStatus.ErrBadHandle;
        Release(handle);
        return ZxStatus.Ok;
    }

    /// <summary>
    /// Atomically replaces <paramref name="old"/> by a new handle to the same object with
    /// <paramref name="rights"/> (<c>zx_handle_replace</c> once the rights were checked).
    /// BAD_HANDLE if <paramref name="old"/> was closed or replaced meanwhile.
    /// </summary>
    public ZxStatus Replace(in Handle old, ZxRights rights, out uint value)
    {
        ulong id = Interlocked.Increment(ref s_lastId);
        Handle removed;
        lock (_lock)
        {
            int oldIndex = (int)(Decode(old.Value) & IndexMask);
            HandleSlot slot = _slots[oldIndex]!;
            if (!slot.Holds(old.Id))
            {
                value = ZxHandleValues.Invalid;
                return ZxStatus.ErrBadHandle;
            }
            removed = slot.Empty();
            // Reuse the old slot's index with a bumped generation, so the old value dies at once.
            _generations[oldIndex] = (_generations[oldIndex] + 1) & GenerationMask;
            value = Encode(oldIndex, _generations[oldIndex]);
            removed.Dispatcher.IncrementHandleCount();
            slot.Fill(removed.Dispatcher, rights, value, id);
        }
        Release(removed);
        return ZxStatus.Ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private HandleSlot? SlotOf(uint value)
    {
        if ((value & ZxHandleValues.FixedBitsMask) != ZxHandleValues.FixedBitsMask)
            return null;
        uint index = Decode(value) & IndexMask;
        HandleSlot?[] slots = Volatile.Read(ref _slots);
        return index < (uint)slots.Length ? Volatile.Read(ref slots[index]) : null;
    }

    private bool TryAllocateSlotLocked(out int index)
    {
        if (_free.Count > 0)
        {
            // First-freed slots are reused first, so a just-closed value (same index, next
            // generation) is not reissued while older free slots remain.
            index = _free.Dequeue();
            return true;
        }
        if (_used == _slots.Length)
        {
            if (_slots.Length >= MaxHandles)
            {
                index = -1;
                return false;
            }
            Array.Resize(ref _generations, _slots.Length * 2);
            var grown = new HandleSlot?[_slots.Length * 2];
            Array.Copy(_slots, grown, _slots.Length);
            Volatile.Write(ref _slots, grown);
        }
        index = _used++;
        // Published by a release store, so a reader that finds the slot finds it constructed.
        Volatile.Write(ref _slots[index], new HandleSlot());
        return true;
    }

    private uint Encode(int index, uint generation) => _mixer ^ ((((uint)index | (generation << IndexBits)) << 2) | ZxHandleValues.FixedBitsMask);

    private uint Decode(uint value) => (value ^ _mixer) >> 2;
}
