using Microsoft.Win32.SafeHandles;

namespace Zircon.Linux.Libc;

/// <summary>An owned Linux file descriptor, closed exactly once.</summary>
public sealed class FileDescriptor : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>Owns <paramref name="fd"/>; it is closed on dispose.</summary>
    public FileDescriptor(int fd)
        : base(ownsHandle: true) => SetHandle(fd);

    /// <summary>The raw descriptor number (valid while this object is alive and not disposed).</summary>
    public int Fd => (int)handle;

    /// <summary>Closes the descriptor.</summary>
    protected override bool ReleaseHandle() => LibcNative.close((int)handle) == 0;
}
