using System.Runtime.InteropServices;

namespace Zircon.Linux.Libc;

/// <summary>The one place errno becomes a Zircon status.</summary>
public static class Errno
{
    /// <summary>The errno of the last failed libc call on this thread.</summary>
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>Maps an errno value to the Zircon status a syscall reports for it.</summary>
    public static ZxStatus ToStatus(int errno) => errno switch
    {
        0 => ZxStatus.Ok,
        1 or 13 => ZxStatus.ErrAccessDenied,       // EPERM, EACCES
        2 or 6 or 19 => ZxStatus.ErrNotFound,       // ENOENT, ENXIO, ENODEV
        4 => ZxStatus.ErrInternalIntrRetry,         // EINTR
        9 => ZxStatus.ErrBadHandle,                 // EBADF
        11 => ZxStatus.ErrShouldWait,               // EAGAIN
        12 => ZxStatus.ErrNoMemory,                 // ENOMEM
        14 or 22 => ZxStatus.ErrInvalidArgs,        // EFAULT, EINVAL
        16 => ZxStatus.ErrUnavailable,              // EBUSY
        17 => ZxStatus.ErrAlreadyExists,            // EEXIST
        24 or 23 or 28 => ZxStatus.ErrNoResources,  // EMFILE, ENFILE, ENOSPC
        27 or 75 => ZxStatus.ErrOutOfRange,         // EFBIG, EOVERFLOW
        34 => ZxStatus.ErrOutOfRange,               // ERANGE
        38 or 95 => ZxStatus.ErrNotSupported,       // ENOSYS, EOPNOTSUPP
        5 => ZxStatus.ErrIo,                        // EIO
        _ => ZxStatus.ErrInternal,
    };

    /// <summary>The status for the last failed libc call on this thread.</summary>
    public static ZxStatus LastStatus() => ToStatus(Last);
}
