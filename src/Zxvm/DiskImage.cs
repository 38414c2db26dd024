using System.Text;

namespace Zxvm;

/// <summary><c>--disk FILE[,ro]</c>: the file and how it is attached.</summary>
public sealed record DiskSpec(string Path, bool ReadOnly)
{
    /// <summary>Parses <c>FILE</c>, <c>FILE,ro</c> or <c>FILE,rw</c> (a path may itself contain commas).</summary>
    public static DiskSpec Parse(string text)
    {
        if (text.EndsWith(",ro", StringComparison.Ordinal))
            return new DiskSpec(text[..^3], ReadOnly: true);
        if (text.EndsWith(",rw", StringComparison.Ordinal))
            return new DiskSpec(text[..^3], ReadOnly: false);
        return new DiskSpec(text, ReadOnly: false);
    }

    public override string ToString() => ReadOnly ? $"{Path},ro" : Path;
}

/// <summary>
/// The virtio-blk backing file: the user's <c>--disk</c>, or for the embedded guest a 1 MiB scratch
/// disk in the temp directory (with a greeting in sector 0), deleted at exit, so the default run
/// shows disk I/O. A disk is a regular file of whole 512-byte sectors; it is opened read-write
/// unless <c>,ro</c> asks for read-only (then the guest is told, VIRTIO_BLK_F_RO). A file that
/// cannot be written is refused rather than quietly attached read-only.
/// </summary>
internal sealed class DiskImage : IDisposable
{
    public const int SectorSize = 512;
    private const int ScratchSize = 1 << 20;
    private const string Option = "--disk";
    private readonly string? _deleteOnDispose;

    private DiskImage(FileStream stream, string? deleteOnDispose, bool readOnly)
    {
        Stream = stream;
        _deleteOnDispose = deleteOnDispose;
        ReadOnly = readOnly;
    }

    public FileStream Stream { get; }

    public bool ReadOnly { get; }

    public long Sectors => Stream.Length / SectorSize;

    /// <exception cref="FileProblemException">The file is absent, not a regular file, not writable without ,ro, or not whole sectors.</exception>
    public static DiskImage? Open(DiskSpec? spec, bool scratchForEmbeddedGuest)
    {
        if (spec is not null)
            return OpenUserDisk(spec);
        return scratchForEmbeddedGuest ? CreateScratch() : null;
    }

    private static DiskImage OpenUserDisk(DiskSpec spec)
    {
        string path = spec.Path;
        FileStream stream;
        try
        {
            stream = FileProblems.Open(path, Option, () => new FileStream(path, FileMode.Open, spec.ReadOnly ? FileAccess.Read : FileAccess.ReadWrite, FileShare.Read));
        }
        catch (FileProblemException e) when (e.PermissionDenied && !spec.ReadOnly && IsReadOnlyForUs(path))
        {
            // Attaching it read-only without a word made the guest fail later, puzzlingly.
            throw new FileProblemException($"{Option}: {path} is read-only for zxvm ({e.Message[(Option.Length + 2)..]}); attach it read-only with --disk {path},ro") { PermissionDenied = true };
        }
        long length = stream.Length;
        string? problem = length switch
        {
            0 => "is empty",
            < SectorSize => $"is {length} bytes, smaller than one {SectorSize}-byte sector",
            _ when length % SectorSize != 0 => $"is {length} bytes, not a whole number of {SectorSize}-byte sectors (the guest could not reach the last {length % SectorSize} bytes)",
            _ => null,
        };
        if (problem is not null)
        {
            stream.Dispose();
            throw new FileProblemException($"{Option}: {path} {problem}");
        }
        return new DiskImage(stream, null, spec.ReadOnly);
    }

    /// <summary>Whether the file opens for reading but not for writing (the case ,ro is for).</summary>
    private static bool IsReadOnlyForUs(string path)
    {
        try
        {
            using var reading = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static DiskImage CreateScratch()
    {
        string scratch = Path.Combine(Path.GetTempPath(), $"zxvm-scratch-{Environment.ProcessId}.img");
        var file = new FileStream(scratch, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        file.SetLength(ScratchSize);
        file.Write(Encoding.ASCII.GetBytes("hello from the host disk\n"));
        file.Flush();
        return new DiskImage(file, scratch, readOnly: false);
    }

    public void Dispose()
    {
        Stream.Dispose();
        if (_deleteOnDispose is not null)
            File.Delete(_deleteOnDispose);
    }
}
