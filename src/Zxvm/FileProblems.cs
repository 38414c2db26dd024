using Zircon.Linux.Libc;

namespace Zxvm;

/// <summary>A file named on the command line cannot be used; the message names the option, the path and why.</summary>
public sealed class FileProblemException(string message) : Exception(message)
{
    /// <summary>The file is there but not ours to open this way (EACCES, EPERM, EROFS).</summary>
    public bool PermissionDenied { get; init; }
}

/// <summary>Opens files named on the command line, saying precisely what is wrong when it cannot.</summary>
internal static class FileProblems
{
    /// <summary>.NET's HResult for an errno it has no exception type for is the errno: EROFS.</summary>
    private const int ReadOnlyFileSystem = 30;

    /// <summary>
    /// Refuses directories, devices, FIFOs and absent files (by <c>stat</c>, without opening: a FIFO
    /// would block), then runs <paramref name="open"/>, turning .NET's exceptions into one line that
    /// tells absence from permission.
    /// </summary>
    public static T Open<T>(string path, string option, Func<T> open, bool mayCreate = false)
    {
        FileKind kind = FileKinds.Of(path, out int errno);
        string? problem = kind switch
        {
            FileKind.Regular => null,
            FileKind.Missing => mayCreate ? null : $"no such file: {path}",
            FileKind.Directory => $"{path} is a directory, not a file",
            FileKind.CharacterDevice => $"{path} is a character device, not a regular file",
            FileKind.BlockDevice => $"{path} is a block device, not a regular file",
            FileKind.Fifo => $"{path} is a FIFO, not a regular file",
            FileKind.Socket => $"{path} is a socket, not a regular file",
            _ => errno == 13 ? $"permission denied: {path}" : $"cannot look at {path} (errno {errno})",
        };
        if (kind == FileKind.Unknown && errno == 13)
            throw new FileProblemException($"{option}: {problem}") { PermissionDenied = true };
        if (problem is not null)
            throw new FileProblemException($"{option}: {problem}");
        try
        {
            return open();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileProblemException($"{option}: no such file: {path}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new FileProblemException($"{option}: permission denied: {path}") { PermissionDenied = true };
        }
        catch (IOException e) when (e.HResult == ReadOnlyFileSystem)
        {
            throw new FileProblemException($"{option}: {path} is on a read-only file system") { PermissionDenied = true };
        }
        catch (IOException e)
        {
            throw new FileProblemException($"{option}: cannot open {path}: {e.Message}");
        }
    }
}
