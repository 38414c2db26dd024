namespace Zircon.Linux.Libc;

/// <summary>
/// Plain <c>read(2)</c>/<c>write(2)</c> on a descriptor the process does not own (standard input,
/// output, error). A .NET <see cref="FileStream"/> over a regular file keeps a file position of its
/// own and writes with <c>pwrite</c> there; two of them over one open file description (the shell's
/// <c>&gt;f 2&gt;&amp;1</c>) overwrite each other's lines. <c>write(2)</c> advances the description's
/// shared offset, so writes land in the order they are made, whichever descriptor they go through.
/// </summary>
public static unsafe class UnbufferedDescriptor
{
    /// <summary>errno of a write to a pipe or socket nobody reads any more (SIGPIPE is ignored by .NET).</summary>
    public const int EPIPE = 32;

    /// <summary>errno of I/O on a terminal that hung up.</summary>
    public const int EIO = 5;

    /// <summary>
    /// Writes all of <paramref name="data"/> (retrying short writes and EINTR).
    /// Returns 0, or the errno that stopped it (e.g. <see cref="EPIPE"/>).
    /// </summary>
    public static int WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            nint n;
            // SAFETY: p points at data.Length readable bytes for the duration of the call.
            fixed (byte* p = data)
                n = LibcNative.write(fd, p, (nuint)data.Length);
            if (n < 0)
            {
                int errno = Errno.Last;
                if (errno == LibcNative.EINTR)
                    continue;
                return errno;
            }
            data = data[(int)n..];
        }
        return 0;
    }

    /// <summary>Reads at most <paramref name="buffer"/>.Length bytes: the count, 0 at end of input, or -errno.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        while (true)
        {
            nint n;
            // SAFETY: p points at buffer.Length writable bytes for the duration of the call.
            fixed (byte* p = buffer)
                n = LibcNative.read(fd, p, (nuint)buffer.Length);
            if (n >= 0)
                return (int)n;
            int errno = Errno.Last;
            if (errno != LibcNative.EINTR)
                return -errno;
        }
    }
}
