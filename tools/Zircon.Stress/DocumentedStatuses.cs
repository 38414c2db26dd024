namespace Zircon.Stress;

/// <summary>
/// The statuses Zircon documents for each call (the syscall reference pages' error lists, with
/// OK), plus the few this project documents in docs/decisions.md (port_wait's CANCELED when the
/// port closes under a waiter, vcpu_create's NO_RESOURCES past 64 VCPUs). Any other status from a
/// fuzzed call is a failure.
/// </summary>
internal static class DocumentedStatuses
{
    private const ZxStatus Ok = ZxStatus.Ok, BadHandle = ZxStatus.ErrBadHandle, WrongType = ZxStatus.ErrWrongType,
        AccessDenied = ZxStatus.ErrAccessDenied, InvalidArgs = ZxStatus.ErrInvalidArgs, NoMemory = ZxStatus.ErrNoMemory,
        BadState = ZxStatus.ErrBadState, Canceled = ZxStatus.ErrCanceled, NotFound = ZxStatus.ErrNotFound,
        OutOfRange = ZxStatus.ErrOutOfRange, AlreadyBound = ZxStatus.ErrAlreadyBound, TimedOut = ZxStatus.ErrTimedOut,
        ShouldWait = ZxStatus.ErrShouldWait, NotSupported = ZxStatus.ErrNotSupported, BufferTooSmall = ZxStatus.ErrBufferTooSmall,
        AlreadyExists = ZxStatus.ErrAlreadyExists, NoResources = ZxStatus.ErrNoResources;

    public static readonly IReadOnlyDictionary<string, ZxStatus[]> ByCall = new Dictionary<string, ZxStatus[]>
    {
        ["zx_handle_close"] = [Ok, BadHandle],
        ["zx_handle_close_many"] = [Ok, BadHandle],
        ["zx_handle_duplicate"] = [Ok, BadHandle, InvalidArgs, AccessDenied, NoMemory],
        ["zx_handle_replace"] = [Ok, BadHandle, InvalidArgs, NoMemory],
        ["zx_object_get_info"] = [Ok, BadHandle, WrongType, AccessDenied, InvalidArgs, NoMemory, BufferTooSmall, NotSupported],
        ["zx_object_signal"] = [Ok, BadHandle, InvalidArgs, AccessDenied],
        ["zx_object_wait_one"] = [Ok, InvalidArgs, BadHandle, AccessDenied, Canceled, TimedOut, NotSupported],
        ["zx_object_wait_async"] = [Ok, InvalidArgs, BadHandle, AccessDenied, WrongType, NoMemory, NotSupported],
        ["zx_event_create"] = [Ok, InvalidArgs, NoMemory],
        ["zx_port_create"] = [Ok, InvalidArgs, NoMemory],
        ["zx_port_queue"] = [Ok, BadHandle, InvalidArgs, WrongType, AccessDenied, ShouldWait],
        ["zx_port_wait"] = [Ok, BadHandle, InvalidArgs, WrongType, AccessDenied, TimedOut, Canceled],
        ["zx_port_cancel"] = [Ok, BadHandle, WrongType, AccessDenied, NotFound, InvalidArgs],
        ["zx_interrupt_create"] = [Ok, BadHandle, WrongType, AccessDenied, InvalidArgs, NoMemory, OutOfRange, AlreadyBound],
        ["zx_interrupt_bind"] = [Ok, BadHandle, WrongType, Canceled, BadState, AccessDenied, AlreadyBound, InvalidArgs, NotFound],
        ["zx_interrupt_bind_vcpu"] = [Ok, BadHandle, WrongType, Canceled, BadState, AccessDenied, AlreadyBound, InvalidArgs, NotSupported],
        ["zx_interrupt_ack"] = [Ok, BadHandle, WrongType, BadState, Canceled, AccessDenied],
        ["zx_interrupt_trigger"] = [Ok, BadHandle, WrongType, BadState, Canceled, AccessDenied, InvalidArgs],
        ["zx_interrupt_destroy"] = [Ok, BadHandle, WrongType, NotFound, AccessDenied],
        ["zx_interrupt_wait"] = [Ok, BadHandle, WrongType, AccessDenied, Canceled, BadState],
        ["zx_vmo_create"] = [Ok, InvalidArgs, NoMemory, OutOfRange],
        ["zx_vmo_read"] = [Ok, BadHandle, WrongType, AccessDenied, OutOfRange, InvalidArgs, NoMemory, BadState],
        ["zx_vmo_write"] = [Ok, BadHandle, WrongType, AccessDenied, OutOfRange, InvalidArgs, NoMemory, BadState],
        ["zx_vmo_get_size"] = [Ok, BadHandle, WrongType, InvalidArgs],
        ["zx_vmo_replace_as_executable"] = [Ok, BadHandle, WrongType, AccessDenied, NoMemory],
        ["zx_vmar_map"] = [Ok, BadHandle, WrongType, BadState, AccessDenied, InvalidArgs, NotSupported, NoMemory, NoResources, AlreadyExists, OutOfRange],
        ["zx_vmar_unmap"] = [Ok, BadHandle, WrongType, InvalidArgs, NotFound, AccessDenied, BadState],
        ["zx_guest_create"] = [Ok, AccessDenied, BadHandle, WrongType, InvalidArgs, NoMemory, NotSupported],
        ["zx_guest_set_trap"] = [Ok, AccessDenied, AlreadyExists, BadHandle, InvalidArgs, NoMemory, OutOfRange, WrongType],
        ["zx_vcpu_create"] = [Ok, AccessDenied, BadHandle, BadState, InvalidArgs, NoMemory, WrongType, NoResources],
        ["zx_vcpu_resume"] = [Ok, AccessDenied, BadHandle, BadState, InvalidArgs, NoMemory, WrongType, Canceled, NotSupported, NotFound, OutOfRange],
        ["zx_vcpu_interrupt"] = [Ok, AccessDenied, BadHandle, OutOfRange, WrongType],
        ["zx_vcpu_kick"] = [Ok, AccessDenied, BadHandle, WrongType, BadState],
        ["zx_vcpu_read_state"] = [Ok, AccessDenied, BadHandle, BadState, InvalidArgs, WrongType],
        ["zx_vcpu_write_state"] = [Ok, AccessDenied, BadHandle, BadState, InvalidArgs, WrongType],
        ["zx_nanosleep"] = [Ok],
    };

    public static bool IsDocumented(string call, ZxStatus status) => Array.IndexOf(ByCall[call], status) >= 0;
}
