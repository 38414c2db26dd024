namespace Zircon.Linux.Libc;

/// <summary>
/// A <c>memfd</c>: zero-filled memory that can be read, written and mapped into this process and
/// (later) into guests, all sharing the same pages.
/// </summary>
public sealed unsafe class SharedMemory : IDisposable
{
    private readonly FileDescriptor _fd;

    private SharedMemory(FileDescriptor fd, ulong size)
    {
        _fd = fd;
        Size = size;
    }

    /// <summary>Size in bytes (what <see cref="Create"/> was given).</summary>
    public ulong Size { get; }

    /// <summary>The memfd, for mapping by other Linux APIs (KVM memory slots).</summary>
    public FileDescriptor Descriptor => _fd;

    /// <summary>Creates zero-filled memory of <paramref name="size"/> bytes.</summary>
    public static ZxStatus Create(string name, ulong size, out SharedMemory? memory)
    {
        memory = null;
        if (size > long.MaxValue)
            return ZxStatus.ErrOutOfRange;
        int fd = LibcNative.memfd_create(name, LibcNative.MFD_CLOEXEC);
        if (fd < 0)
            return Errno.LastStatus();
        var owned = new FileDescriptor(fd);
        if (LibcNative.ftruncate(fd, (long)size) != 0)
        {
            int errno = Errno.Last;
            owned.Dispose();
            return errno is LibcNative.EFBIG or LibcNative.EINVAL ? ZxStatus.ErrOutOfRange : ZxStatus.ErrNoMemory;
        }
        memory = new SharedMemory(owned, size);
        return ZxStatus.Ok;
    }

    /// <summary>Copies bytes at <paramref name="offset"/> into <paramref name="destination"/>. The caller checks bounds.</summary>
    public ZxStatus Read(Span<byte> destination, ulong offset)
    {
        fixed (byte* p = destination)
        {
            // SAFETY: p points to destination.Length writable bytes, pinned for the call.
            return Transfer(p, destination.Length, offset, write: false);
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="offset"/>. The caller checks bounds.</summary>
    public ZxStatus Write(ReadOnlySpan<byte> source, ulong offset)
    {
        fixed (byte* p = source)
        {
            // SAFETY: p points to source.Length readable bytes, pinned for the call.
            return Transfer(p, source.Length, offset, write: true);
        }
    }

    private ZxStatus Transfer(byte* p, int length, ulong offset, bool write)
    {
        int done = 0;
        while (done < length)
        {
            nint n = write
                ? LibcNative.pwrite(_fd.Fd, p + done, (nuint)(length - done), (long)offset + done)
                : LibcNative.pread(_fd.Fd, p + done, (nuint)(length - done), (long)offset + done);
            if (n < 0)
            {
                if (Errno.Last == LibcNative.EINTR)
                    continue;
                return Errno.LastStatus();
            }
            if (n == 0)
                return ZxStatus.ErrOutOfRange;
            done += (int)n;
        }
        return ZxStatus.Ok;
    }

    /// <summary>Closes the memfd (mappings stay valid until unmapped).</summary>
    public void Dispose() => _fd.Dispose();
}
