using System.Runtime.CompilerServices;

namespace Zircon.Kernel.Handles;

/// <summary>
/// The process's handle table. Values are shaped like Zircon's: a slot index and a generation,
/// shifted left by two with the low two bits set and XOR-ed with a per-process mixer, so every
/// valid value is odd, and a closed handle's value is not handed out again for a long time.
/// Lookups are lock-free (slots hold immutable <see cref="Handle"/> objects); changes take a lock.
/// </summary>
public sealed class HandleTable
{
    private const int IndexBits = 18;
    private const uint IndexMask = (1u << IndexBits) - 1;
    private const uint GenerationMask = (1u << 12) - 1;
    private const int MaxHandles = 1 << IndexBits;

    private readonly Lock _lock = new();
    private readonly uint _mixer;
    private Handle?[] _slots = new Handle?[1024];
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
        var handle = new Handle(dispatcher, rights);
        lock (_lock)
        {
            if (!TryAllocateSlotLocked(out int index))
            {
                value = ZxHandleValues.Invalid;
                return ZxStatus.ErrNoResources;
            }
            value = Encode(index, _generations[index]);
            handle.Value = value;
            dispatcher.IncrementHandleCount();
            Volatile.Write(ref _slots[index], handle);
            _count++;
        }
        return ZxStatus.Ok;
    }

    /// <summary>Finds the handle with this value, or null (BAD_HANDLE).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Handle? Get(uint value)
    {
        if ((value & ZxHandleValues.FixedBitsMask) != ZxHandleValues.FixedBitsMask)
            return null;
        uint index = Decode(value) & IndexMask;
        Handle?[] slots = Volatile.Read(ref _slots);
        if (index >= (uint)slots.Length)
            return null;
        Handle? handle = Volatile.Read(ref slots[index]);
        return handle is not null && handle.Value == value ? handle : null;
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

    /// <summary>As <see cref="Get{T}(uint, ZxRights, out T)"/>, also returning the handle entry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ZxStatus Get<T>(uint value, ZxRights rights, out T dispatcher, out Handle handle)
        where T : Dispatcher
    {
        // Callers read the outputs only when the status is OK.
        dispatcher = null!;
        handle = Get(value)!;
        if (handle is null)
            return ZxStatus.ErrBadHandle;
        if (handle.Dispatcher is not T typed)
            return ZxStatus.ErrWrongType;
        if (!handle.HasRights(rights))
            return ZxStatus.ErrAccessDenied;
        dispatcher = typed;
        return ZxStatus.Ok;
    }

    /// <summary>Removes the handle from the table and returns it; the caller must call <see cref="Release"/>.</summary>
    public Handle? Remove(uint value)
    {
        lock (_lock)
        {
            Handle? handle = Get(value);
            if (handle is null)
                return null;
            int index = (int)(Decode(value) & IndexMask);
            Volatile.Write(ref _slots[index], null);
            _generations[index] = (_generations[index] + 1) & GenerationMask;
            _free.Enqueue(index);
            _count--;
            return handle;
        }
    }

    /// <summary>
    /// Tells the object a handle to it is gone: waits through that handle are canceled and, for
    /// the last handle, the object's on-zero-handles action runs. Called without the table lock.
    /// </summary>
    public static void Release(Handle handle)
    {
        handle.Dispatcher.OnHandleRemoved(handle);
    }

    /// <summary>Removes and releases a handle: <c>zx_handle_close</c> on one value.</summary>
    public ZxStatus Close(uint value)
    {
        if (value == ZxHandleValues.Invalid)
            return ZxStatus.Ok;
        Handle? handle = Remove(value);
        if (handle is null)
            return ZxStatus.ErrBadHandle;
        Release(handle);
        return ZxStatus.Ok;
    }

    /// <summary>
    /// Atomically replaces <paramref name="value"/> by a new handle to the same object with
    /// <paramref name="rights"/> (<c>zx_handle_replace</c> once the rights were checked).
    /// </summary>
    public ZxStatus Replace(Handle old, ZxRights rights, out uint value)
    {
        var replacement = new Handle(old.Dispatcher, rights);
        lock (_lock)
        {
            int oldIndex = (int)(Decode(old.Value) & IndexMask);
            if (!ReferenceEquals(_slots[oldIndex], old))
            {
                value = ZxHandleValues.Invalid;
                return ZxStatus.ErrBadHandle;
            }
            // Reuse the old slot's index with a bumped generation, so the old value dies at once.
            _generations[oldIndex] = (_generations[oldIndex] + 1) & GenerationMask;
            value = Encode(oldIndex, _generations[oldIndex]);
            replacement.Value = value;
            replacement.Dispatcher.IncrementHandleCount();
            Volatile.Write(ref _slots[oldIndex], replacement);
        }
        Release(old);
        return ZxStatus.Ok;
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
            var grown = new Handle?[_slots.Length * 2];
            Array.Copy(_slots, grown, _slots.Length);
            Volatile.Write(ref _slots, grown);
        }
        index = _used++;
        return true;
    }

    private uint Encode(int index, uint generation) => _mixer ^ ((((uint)index | (generation << IndexBits)) << 2) | ZxHandleValues.FixedBitsMask);

    private uint Decode(uint value) => (value ^ _mixer) >> 2;
}
