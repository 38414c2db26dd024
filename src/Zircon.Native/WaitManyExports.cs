using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary><c>zx_object_wait_many</c>.</summary>
public static class WaitManyExports
{
    // SAFETY: `items` points to `count` readable and writable zx_wait_item_t (checked non-NULL when count > 0).
    /// <summary>
    /// <c>zx_status_t zx_object_wait_many(zx_wait_item_t* items, size_t count, zx_time_t deadline)</c>.
    /// The items are copied in before the wait and their pending fields copied out after it (on OK,
    /// TIMED_OUT and CANCELED), so the caller's array is not touched while the thread sleeps.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_object_wait_many")]
    public static unsafe int ObjectWaitMany(ZxWaitItem* items, nuint count, long deadline)
    {
        try
        {
            if (count > ZxWaitMany.MaxItems)
                return (int)ZxStatus.ErrOutOfRange;
            if (items == null && count != 0)
                return ExportStatus.InvalidArgs;
            Span<ZxWaitItem> local = stackalloc ZxWaitItem[(int)count];
            // A bad array is refused before the wait: nothing is waited for, nothing is lost.
            if (!UserMemory.TryReadBytes((byte*)items, MemoryMarshal.AsBytes(local)) ||
                !UserMemory.CanWrite(items, (nuint)local.Length * (nuint)sizeof(ZxWaitItem)))
                return ExportStatus.InvalidArgs;
            ZxStatus status = Syscalls.ObjectWaitMany(local, deadline);
            if (status is ZxStatus.Ok or ZxStatus.ErrTimedOut or ZxStatus.ErrCanceled)
            {
                for (int i = 0; i < local.Length; i++)
                {
                    if (!UserMemory.TryWrite(&items[i].Pending, local[i].Pending))
                        return ExportStatus.InvalidArgs;
                }
            }
            return (int)status;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_object_wait_many");
        }
    }
}
