using System.Text;

namespace Zxvm;

/// <summary>
/// The virtio-blk backing file: the user's <c>--disk</c>, or for the embedded guest a 1 MiB scratch
/// disk in the temp directory (with a greeting in sector 0), deleted at exit, so the default run
/// shows disk I/O.
/// </summary>
internal sealed class DiskImage : IDisposable
{
    private const int ScratchSize = 1 << 20;
    private readonly string? _deleteOnDispose;

    private DiskImage(FileStream stream, string? deleteOnDispose)
    {
        Stream = stream;
        _deleteOnDispose = deleteOnDispose;
    }

    public FileStream Stream { get; }

    public static DiskImage? Open(string? path, bool scratchForEmbeddedGuest)
    {
        if (path is not null)
        {
            FileStream stream;
            try
            {
                stream = InputFiles.OpenRegular("--disk", path, FileAccess.ReadWrite);
            }
            catch (IOException) when (File.Exists(path) && !Directory.Exists(path) && !CanWrite(path))
            {
                stream = InputFiles.OpenRegular("--disk", path, FileAccess.Read); // a read-only disk
            }
            if (stream.Length < 512)
            {
                stream.Dispose();
                throw new IOException($"--disk: {path} is smaller than one 512-byte sector");
            }
            return new DiskImage(stream, null);
        }
        if (!scratchForEmbeddedGuest)
            return null;
        string scratch = Path.Combine(Path.GetTempPath(), $"zxvm-scratch-{Environment.ProcessId}.img");
        var file = new FileStream(scratch, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        file.SetLength(ScratchSize);
        file.Write(Encoding.ASCII.GetBytes("hello from the host disk\n"));
        file.Flush();
        return new DiskImage(file, scratch);
    }

    private static bool CanWrite(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        Stream.Dispose();
        if (_deleteOnDispose is not null)
            File.Delete(_deleteOnDispose);
    }
}
