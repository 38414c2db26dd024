namespace Zircon;

/// <summary>
/// A Zircon call failed. Thrown by the idiomatic API (and by asynchronous waits); the raw syscall
/// surface never throws and returns <see cref="ZxStatus"/> instead.
/// </summary>
public sealed class ZxException : Exception
{
    /// <summary>An exception for <paramref name="status"/>.</summary>
    public ZxException(ZxStatus status)
        : base(status.ToZirconName()) => Status = status;

    /// <summary>An exception for <paramref name="status"/> returned by <paramref name="operation"/> (a Zircon call name).</summary>
    public ZxException(ZxStatus status, string operation)
        : base($"{operation}: {status.ToZirconName()}") => Status = status;

    /// <summary>The status the failing call returned.</summary>
    public ZxStatus Status { get; }

    /// <summary>Throws unless <paramref name="status"/> is <see cref="ZxStatus.Ok"/>.</summary>
    public static void ThrowIfError(ZxStatus status, string operation)
    {
        if (status != ZxStatus.Ok)
            Throw(status, operation);
    }

    // Kept out of line so callers on hot paths stay small enough to inline.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Throw(ZxStatus status, string operation) => throw new ZxException(status, operation);
}
