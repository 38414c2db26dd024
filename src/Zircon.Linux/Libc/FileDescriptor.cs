using Microsoft.Win32.SafeHandles;

namespace Zircon.Linux.Libc;

/// <summary>An owned Linux file descriptor, closed exactly once.</summary>
public sealed class FileDescriptor : SafeHandleZeroOrMinusOneIsInvalid
{
    public FileDescriptor(int fd)
        : base(ownsHandle: true) => SetHandle(fd);

    /// <summary>The raw descriptor number (valid while this object is alive and not disposed).</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => LibcNative.close((int)handle) == 0;
}
