namespace Zircon;

/// <summary>Zircon status codes (<c>zircon/errors.h</c>), with Zircon's exact numbers.</summary>
public enum ZxStatus
{
    /// <summary><c>ZX_OK</c>: success.</summary>
    Ok = 0,
    /// <summary><c>ZX_ERR_INTERNAL</c>: the system hit a condition it cannot handle (an internal bug).</summary>
    ErrInternal = -1,
    /// <summary><c>ZX_ERR_NOT_SUPPORTED</c>: the operation is not supported, implemented or enabled.</summary>
    ErrNotSupported = -2,
    /// <summary><c>ZX_ERR_NO_RESOURCES</c>: a resource limit was reached (other than memory).</summary>
    ErrNoResources = -3,
    /// <summary><c>ZX_ERR_NO_MEMORY</c>: memory could not be allocated.</summary>
    ErrNoMemory = -4,
    /// <summary><c>ZX_ERR_INTERNAL_INTR_RETRY</c>: internal: a system call was interrupted and will be retried.</summary>
    ErrInternalIntrRetry = -6,
    /// <summary><c>ZX_ERR_INVALID_ARGS</c>: an argument is invalid (including a bad user pointer).</summary>
    ErrInvalidArgs = -10,
    /// <summary><c>ZX_ERR_BAD_HANDLE</c>: a handle is not valid in this process.</summary>
    ErrBadHandle = -11,
    /// <summary><c>ZX_ERR_WRONG_TYPE</c>: the handle refers to an object of the wrong type.</summary>
    ErrWrongType = -12,
    /// <summary><c>ZX_ERR_BAD_SYSCALL</c>: the system call number is invalid.</summary>
    ErrBadSyscall = -13,
    /// <summary><c>ZX_ERR_OUT_OF_RANGE</c>: an argument is outside the valid range.</summary>
    ErrOutOfRange = -14,
    /// <summary><c>ZX_ERR_BUFFER_TOO_SMALL</c>: a caller buffer is too small.</summary>
    ErrBufferTooSmall = -15,
    /// <summary><c>ZX_ERR_BAD_STATE</c>: the object is not in a state that permits the operation.</summary>
    ErrBadState = -20,
    /// <summary><c>ZX_ERR_TIMED_OUT</c>: the deadline passed first.</summary>
    ErrTimedOut = -21,
    /// <summary><c>ZX_ERR_SHOULD_WAIT</c>: the operation cannot complete now; wait and retry.</summary>
    ErrShouldWait = -22,
    /// <summary><c>ZX_ERR_CANCELED</c>: the operation was canceled (e.g. its handle closed or the object destroyed).</summary>
    ErrCanceled = -23,
    /// <summary><c>ZX_ERR_PEER_CLOSED</c>: the other end of a pair is closed.</summary>
    ErrPeerClosed = -24,
    /// <summary><c>ZX_ERR_NOT_FOUND</c>: the requested entity was not found.</summary>
    ErrNotFound = -25,
    /// <summary><c>ZX_ERR_ALREADY_EXISTS</c>: the entity already exists.</summary>
    ErrAlreadyExists = -26,
    /// <summary><c>ZX_ERR_ALREADY_BOUND</c>: the object is already bound.</summary>
    ErrAlreadyBound = -27,
    /// <summary><c>ZX_ERR_UNAVAILABLE</c>: the resource is temporarily unavailable.</summary>
    ErrUnavailable = -28,
    /// <summary><c>ZX_ERR_ACCESS_DENIED</c>: the handle lacks a right the operation needs.</summary>
    ErrAccessDenied = -30,
    /// <summary><c>ZX_ERR_IO</c>: an I/O error.</summary>
    ErrIo = -40,
    /// <summary><c>ZX_ERR_IO_REFUSED</c>: the device refused the I/O.</summary>
    ErrIoRefused = -41,
    /// <summary><c>ZX_ERR_IO_DATA_INTEGRITY</c>: the data failed an integrity check.</summary>
    ErrIoDataIntegrity = -42,
    /// <summary><c>ZX_ERR_IO_DATA_LOSS</c>: data was lost.</summary>
    ErrIoDataLoss = -43,
    /// <summary><c>ZX_ERR_IO_NOT_PRESENT</c>: the device is not present.</summary>
    ErrIoNotPresent = -44,
    /// <summary><c>ZX_ERR_IO_OVERRUN</c>: more data arrived than could be held.</summary>
    ErrIoOverrun = -45,
    /// <summary><c>ZX_ERR_IO_MISSED_DEADLINE</c>: an I/O deadline was missed.</summary>
    ErrIoMissedDeadline = -46,
    /// <summary><c>ZX_ERR_IO_INVALID</c>: the I/O request is invalid for the device.</summary>
    ErrIoInvalid = -47,
    /// <summary><c>ZX_ERR_BAD_PATH</c>: a path is malformed.</summary>
    ErrBadPath = -50,
    /// <summary><c>ZX_ERR_NOT_DIR</c>: not a directory.</summary>
    ErrNotDir = -51,
    /// <summary><c>ZX_ERR_NOT_FILE</c>: not a file.</summary>
    ErrNotFile = -52,
    /// <summary><c>ZX_ERR_FILE_BIG</c>: the file is too big.</summary>
    ErrFileBig = -53,
    /// <summary><c>ZX_ERR_NO_SPACE</c>: no space left.</summary>
    ErrNoSpace = -54,
    /// <summary><c>ZX_ERR_NOT_EMPTY</c>: the directory is not empty.</summary>
    ErrNotEmpty = -55,
    /// <summary><c>ZX_ERR_STOP</c>: a callback asks to stop (not an error).</summary>
    ErrStop = -60,
    /// <summary><c>ZX_ERR_NEXT</c>: a callback asks to go on to the next item (not an error).</summary>
    ErrNext = -61,
    /// <summary><c>ZX_ERR_ASYNC</c>: the operation will complete asynchronously (not an error).</summary>
    ErrAsync = -62,
    /// <summary><c>ZX_ERR_PROTOCOL_NOT_SUPPORTED</c>: the protocol is not supported.</summary>
    ErrProtocolNotSupported = -70,
    /// <summary><c>ZX_ERR_ADDRESS_UNREACHABLE</c>: the address is unreachable.</summary>
    ErrAddressUnreachable = -71,
    /// <summary><c>ZX_ERR_ADDRESS_IN_USE</c>: the address is in use.</summary>
    ErrAddressInUse = -72,
    /// <summary><c>ZX_ERR_NOT_CONNECTED</c>: not connected.</summary>
    ErrNotConnected = -73,
    /// <summary><c>ZX_ERR_CONNECTION_REFUSED</c>: the connection was refused.</summary>
    ErrConnectionRefused = -74,
    /// <summary><c>ZX_ERR_CONNECTION_RESET</c>: the connection was reset.</summary>
    ErrConnectionReset = -75,
    /// <summary><c>ZX_ERR_CONNECTION_ABORTED</c>: the connection was aborted.</summary>
    ErrConnectionAborted = -76,
    /// <summary><c>ZX_ERR_INTERNAL_INTR_KILLED</c>: internal: the thread was killed during a system call.</summary>
    ErrInternalIntrKilled = -502,
}

/// <summary>Zircon's spelling of status codes, as <c>zx_status_get_string</c> prints them.</summary>
public static class ZxStatusNames
{
    /// <summary>Returns e.g. <c>ZX_ERR_BAD_HANDLE</c>, or <c>(UNKNOWN)</c> for numbers Zircon does not define.</summary>
    public static string ToZirconName(this ZxStatus status) => status switch
    {
        ZxStatus.Ok => "ZX_OK",
        ZxStatus.ErrInternal => "ZX_ERR_INTERNAL",
        ZxStatus.ErrNotSupported => "ZX_ERR_NOT_SUPPORTED",
        ZxStatus.ErrNoResources => "ZX_ERR_NO_RESOURCES",
        ZxStatus.ErrNoMemory => "ZX_ERR_NO_MEMORY",
        ZxStatus.ErrInternalIntrRetry => "ZX_ERR_INTERNAL_INTR_RETRY",
        ZxStatus.ErrInvalidArgs => "ZX_ERR_INVALID_ARGS",
        ZxStatus.ErrBadHandle => "ZX_ERR_BAD_HANDLE",
        ZxStatus.ErrWrongType => "ZX_ERR_WRONG_TYPE",
        ZxStatus.ErrBadSyscall => "ZX_ERR_BAD_SYSCALL",
        ZxStatus.ErrOutOfRange => "ZX_ERR_OUT_OF_RANGE",
        ZxStatus.ErrBufferTooSmall => "ZX_ERR_BUFFER_TOO_SMALL",
        ZxStatus.ErrBadState => "ZX_ERR_BAD_STATE",
        ZxStatus.ErrTimedOut => "ZX_ERR_TIMED_OUT",
        ZxStatus.ErrShouldWait => "ZX_ERR_SHOULD_WAIT",
        ZxStatus.ErrCanceled => "ZX_ERR_CANCELED",
        ZxStatus.ErrPeerClosed => "ZX_ERR_PEER_CLOSED",
        ZxStatus.ErrNotFound => "ZX_ERR_NOT_FOUND",
        ZxStatus.ErrAlreadyExists => "ZX_ERR_ALREADY_EXISTS",
        ZxStatus.ErrAlreadyBound => "ZX_ERR_ALREADY_BOUND",
        ZxStatus.ErrUnavailable => "ZX_ERR_UNAVAILABLE",
        ZxStatus.ErrAccessDenied => "ZX_ERR_ACCESS_DENIED",
        ZxStatus.ErrIo => "ZX_ERR_IO",
        ZxStatus.ErrIoRefused => "ZX_ERR_IO_REFUSED",
        ZxStatus.ErrIoDataIntegrity => "ZX_ERR_IO_DATA_INTEGRITY",
        ZxStatus.ErrIoDataLoss => "ZX_ERR_IO_DATA_LOSS",
        ZxStatus.ErrIoNotPresent => "ZX_ERR_IO_NOT_PRESENT",
        ZxStatus.ErrIoOverrun => "ZX_ERR_IO_OVERRUN",
        ZxStatus.ErrIoMissedDeadline => "ZX_ERR_IO_MISSED_DEADLINE",
        ZxStatus.ErrIoInvalid => "ZX_ERR_IO_INVALID",
        ZxStatus.ErrBadPath => "ZX_ERR_BAD_PATH",
        ZxStatus.ErrNotDir => "ZX_ERR_NOT_DIR",
        ZxStatus.ErrNotFile => "ZX_ERR_NOT_FILE",
        ZxStatus.ErrFileBig => "ZX_ERR_FILE_BIG",
        ZxStatus.ErrNoSpace => "ZX_ERR_NO_SPACE",
        ZxStatus.ErrNotEmpty => "ZX_ERR_NOT_EMPTY",
        ZxStatus.ErrStop => "ZX_ERR_STOP",
        ZxStatus.ErrNext => "ZX_ERR_NEXT",
        ZxStatus.ErrAsync => "ZX_ERR_ASYNC",
        ZxStatus.ErrProtocolNotSupported => "ZX_ERR_PROTOCOL_NOT_SUPPORTED",
        ZxStatus.ErrAddressUnreachable => "ZX_ERR_ADDRESS_UNREACHABLE",
        ZxStatus.ErrAddressInUse => "ZX_ERR_ADDRESS_IN_USE",
        ZxStatus.ErrNotConnected => "ZX_ERR_NOT_CONNECTED",
        ZxStatus.ErrConnectionRefused => "ZX_ERR_CONNECTION_REFUSED",
        ZxStatus.ErrConnectionReset => "ZX_ERR_CONNECTION_RESET",
        ZxStatus.ErrConnectionAborted => "ZX_ERR_CONNECTION_ABORTED",
        ZxStatus.ErrInternalIntrKilled => "ZX_ERR_INTERNAL_INTR_KILLED",
        _ => "(UNKNOWN)",
    };
}
