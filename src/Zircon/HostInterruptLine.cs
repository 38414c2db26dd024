using Zircon.Kernel.Platform;

namespace Zircon;

/// <summary>
/// One host interrupt line: what a physical <see cref="Interrupt"/>
/// (<see cref="Interrupt.CreatePhysical"/>) is created on. Device models and tests raise it with
/// <see cref="Raise"/>; other sources (another process, a VFIO device, KVM) signal the Linux
/// eventfd behind it (<see cref="EventFd"/>). Lines exist for the whole process; this is only a
/// name for one, so it needs no disposing.
/// </summary>
public readonly struct HostInterruptLine : IEquatable<HostInterruptLine>
{
    /// <summary>Number of lines; valid numbers are 0 .. Count-1.</summary>
    public const uint Count = HostInterruptLines.Count;

    /// <summary>Names line <paramref name="number"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is not below <see cref="Count"/>.</exception>
    public HostInterruptLine(uint number)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(number, Count);
        Number = number;
    }

    /// <summary>The line number (the <c>src_num</c> of <c>zx_interrupt_create</c>).</summary>
    public uint Number { get; }

    /// <summary>
    /// The Linux eventfd behind the line; writing an 8-byte count to it raises the line. The
    /// descriptor belongs to the library: do not close it.
    /// </summary>
    /// <exception cref="ZxException">The platform could not provide it.</exception>
    public int EventFd
    {
        get
        {
            ZxException.ThrowIfError(HostInterruptLines.GetEventFd(Number, out int fd), "HostInterruptLines.GetEventFd");
            return fd;
        }
    }

    /// <summary>
    /// Raises the line once (an edge), from any thread: a physical interrupt on it fires with the
    /// current monotonic time as its timestamp.
    /// </summary>
    /// <exception cref="ZxException">The platform refused (e.g. an invalid line).</exception>
    public void Raise() => ZxException.ThrowIfError(HostInterruptLines.Raise(Number), "HostInterruptLines.Raise");

    /// <summary>Raises the line once and returns the status instead of throwing.</summary>
    public ZxStatus TryRaise() => HostInterruptLines.Raise(Number);

    /// <summary>Whether both name the same line.</summary>
    public bool Equals(HostInterruptLine other) => Number == other.Number;

    /// <summary>Whether <paramref name="obj"/> names the same line.</summary>
    public override bool Equals(object? obj) => obj is HostInterruptLine other && Equals(other);

    /// <summary>The line number's hash.</summary>
    public override int GetHashCode() => (int)Number;

    /// <summary>"host interrupt line N".</summary>
    public override string ToString() => $"host interrupt line {Number}";

    /// <summary>Whether both name the same line.</summary>
    public static bool operator ==(HostInterruptLine left, HostInterruptLine right) => left.Equals(right);

    /// <summary>Whether they name different lines.</summary>
    public static bool operator !=(HostInterruptLine left, HostInterruptLine right) => !left.Equals(right);
}
