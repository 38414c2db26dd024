using System.Runtime.InteropServices;

namespace Zircon.Linux.Libc;

/// <summary>What a path names, as <c>stat(2)</c> sees it (symbolic links followed).</summary>
public enum FileKind
{
    /// <summary>Nothing there (ENOENT, ENOTDIR).</summary>
    Missing,
    /// <summary>A regular file (S_IFREG).</summary>
    Regular,
    /// <summary>A directory (S_IFDIR).</summary>
    Directory,
    /// <summary>A character device such as /dev/zero (S_IFCHR).</summary>
    CharacterDevice,
    /// <summary>A block device (S_IFBLK).</summary>
    BlockDevice,
    /// <summary>A named pipe (S_IFIFO).</summary>
    Fifo,
    /// <summary>A Unix socket (S_IFSOCK).</summary>
    Socket,

    /// <summary>stat failed for another reason (e.g. EACCES on a directory on the way).</summary>
    Unknown,
}

/// <summary>Tells files from directories, devices and FIFOs without opening them (opening a FIFO blocks).</summary>
public static unsafe partial class FileKinds
{
    private const int StatBufferSize = 256; // x86-64 struct stat is 144 bytes
    private const int ModeOffset = 24;      // st_dev, st_ino, st_nlink (8 bytes each), then st_mode
    private const uint S_IFMT = 0xF000;

    /// <summary>The kind of file at <paramref name="path"/>; <paramref name="errno"/> when stat failed.</summary>
    public static FileKind Of(string path, out int errno)
    {
        byte* buffer = stackalloc byte[StatBufferSize];
        // SAFETY: buffer has room for the kernel's struct stat on x86-64.
        if (stat(path, buffer) != 0)
        {
            errno = Errno.Last;
            return errno is 2 or 20 ? FileKind.Missing : FileKind.Unknown; // ENOENT, ENOTDIR
        }
        errno = 0;
        uint mode = *(uint*)(buffer + ModeOffset);
        return (mode & S_IFMT) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int stat(string path, byte* buffer);
}
