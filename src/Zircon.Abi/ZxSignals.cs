namespace Zircon;

/// <summary>Signal bits (<c>zircon/types.h</c>).</summary>
[Flags]
public enum ZxSignals : uint
{
    /// <summary>No signal.</summary>
    None = 0,
    /// <summary><c>__ZX_OBJECT_READABLE</c> (bit 0).</summary>
    ObjectReadable = 1u << 0,
    /// <summary><c>__ZX_OBJECT_WRITABLE</c> (bit 1).</summary>
    ObjectWritable = 1u << 1,
    /// <summary><c>__ZX_OBJECT_PEER_CLOSED</c> (bit 2).</summary>
    ObjectPeerClosed = 1u << 2,
    /// <summary><c>__ZX_OBJECT_SIGNALED</c> (bit 3): an event's EVENT_SIGNALED, a VMO's ZERO_CHILDREN.</summary>
    ObjectSignaled = 1u << 3,

    /// <summary>Reported to a waiter whose handle was closed during the wait.</summary>
    HandleClosed = 1u << 23,

    /// <summary><c>ZX_USER_SIGNAL_0</c>: user signal 0, set and cleared with <c>zx_object_signal</c>.</summary>
    User0 = 1u << 24,
    /// <summary><c>ZX_USER_SIGNAL_1</c>: user signal 1, set and cleared with <c>zx_object_signal</c>.</summary>
    User1 = 1u << 25,
    /// <summary><c>ZX_USER_SIGNAL_2</c>: user signal 2, set and cleared with <c>zx_object_signal</c>.</summary>
    User2 = 1u << 26,
    /// <summary><c>ZX_USER_SIGNAL_3</c>: user signal 3, set and cleared with <c>zx_object_signal</c>.</summary>
    User3 = 1u << 27,
    /// <summary><c>ZX_USER_SIGNAL_4</c>: user signal 4, set and cleared with <c>zx_object_signal</c>.</summary>
    User4 = 1u << 28,
    /// <summary><c>ZX_USER_SIGNAL_5</c>: user signal 5, set and cleared with <c>zx_object_signal</c>.</summary>
    User5 = 1u << 29,
    /// <summary><c>ZX_USER_SIGNAL_6</c>: user signal 6, set and cleared with <c>zx_object_signal</c>.</summary>
    User6 = 1u << 30,
    /// <summary><c>ZX_USER_SIGNAL_7</c>: user signal 7, set and cleared with <c>zx_object_signal</c>.</summary>
    User7 = 1u << 31,
    /// <summary><c>ZX_USER_SIGNAL_ALL</c>: the eight user signals.</summary>
    UserAll = 0xFF00_0000,

    /// <summary><c>ZX_EVENT_SIGNALED</c>.</summary>
    EventSignaled = ObjectSignaled,

    /// <summary><c>ZX_VMO_ZERO_CHILDREN</c>: asserted on a VMO with no children.</summary>
    VmoZeroChildren = ObjectSignaled,
}
