namespace Zircon;

/// <summary>Signal bits (<c>zircon/types.h</c>).</summary>
[Flags]
public enum ZxSignals : uint
{
    None = 0,
    ObjectReadable = 1u << 0,
    ObjectWritable = 1u << 1,
    ObjectPeerClosed = 1u << 2,
    ObjectSignaled = 1u << 3,

    /// <summary>Reported to a waiter whose handle was closed during the wait.</summary>
    HandleClosed = 1u << 23,

    User0 = 1u << 24,
    User1 = 1u << 25,
    User2 = 1u << 26,
    User3 = 1u << 27,
    User4 = 1u << 28,
    User5 = 1u << 29,
    User6 = 1u << 30,
    User7 = 1u << 31,
    UserAll = 0xFF00_0000,

    /// <summary><c>ZX_EVENT_SIGNALED</c>.</summary>
    EventSignaled = ObjectSignaled,

    /// <summary><c>ZX_VMO_ZERO_CHILDREN</c>: asserted on a VMO with no children.</summary>
    VmoZeroChildren = ObjectSignaled,
}
