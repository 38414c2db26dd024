namespace Zxvm;

/// <summary>
/// Opening the files a user names (<c>--image</c>, <c>--disk</c>): anything that cannot be one is
/// refused with one clear line naming the option, the file and the reason — no such file, a
/// directory, not a regular file (a device, a pipe, a socket), empty, unreadable, larger than the
/// guest's RAM — and an image is never read past what guest RAM can hold (so <c>/dev/zero</c> or a
/// file that grows while being read cannot make zxvm read without end).
/// </summary>
internal static class InputFiles
{
    /// <summary>Opens <paramref name="path"/> if it is a regular, non-empty file; <see cref="FileProblemException"/> with the reason otherwise.</summary>
    public static FileStream OpenRegular(string option, string path, FileAccess access)
    {
        if (Directory.Exists(path))
            throw new FileProblemException($"{option}: {path} is a directory, not a file");
        if (!File.Exists(path))
            throw new FileProblemException($"{option}: no such file: {path}");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, access, FileShare.Read, bufferSize: 0);
        }
        catch (UnauthorizedAccessException)
        {
            throw new FileProblemException($"{option}: cannot open {path}: permission denied");
        }
        catch (IOException e)
        {
            throw new FileProblemException($"{option}: cannot open {path}: {e.Message}");
        }
        // Devices, pipes and sockets either cannot seek or report no size (fstat's st_size is 0
        // for them; .NET does not tell the file type apart), and an empty file is no use either.
        if (!stream.CanSeek || stream.Length == 0)
        {
            stream.Dispose();
            throw new FileProblemException($"{option}: {path} is empty or not a regular file (a device, a pipe, a socket)");
        }
        return stream;
    }

    /// <summary>The bytes of an image file, refused before reading if it cannot fit in <paramref name="limit"/> bytes of guest RAM.</summary>
    public static byte[] ReadImage(string path, ulong limit)
    {
        const string Option = "--image";
        using FileStream stream = OpenRegular(Option, path, FileAccess.Read);
        long length = stream.Length;
        if ((ulong)length > limit)
            throw new FileProblemException($"{Option}: {path} ({MiB(length)}) does not fit in the guest's {MiB((long)limit)} of RAM");
        // Read what the size promised and one byte more: a file growing meanwhile is refused, never followed.
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        if (stream.ReadByte() >= 0)
            throw new FileProblemException($"{Option}: {path} grew while it was being read");
        return bytes;
    }

    private static string MiB(long bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MiB" : $"{bytes} bytes";
}
