using Zircon.Vmm.Machine;

namespace Zircon.Vmm.Boot;

/// <summary>
/// The bytes of a kernel file, read where they are needed. A vmlinux is mostly its PT_LOAD
/// segments (45 of Debian's 53 MB), so zxvm reads those straight from the file into guest RAM
/// (<see cref="FromFile"/>) instead of first into a buffer as large as the file: a buffer that
/// size costs a page fault per 4 KiB and a second copy, and showed as most of zxvm's start-up time
/// and a quarter of its memory in the Linux boot benchmark. Tests pass bytes (<see cref="FromArray"/>).
/// </summary>
public abstract class KernelSource
{
    public abstract long Length { get; }

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>.</summary>
    /// <exception cref="BootImageException">The file ended early (it changed since it was checked) or cannot be read.</exception>
    public abstract void Read(long offset, Span<byte> destination);

    /// <summary>A new array with <paramref name="count"/> bytes from <paramref name="offset"/>.</summary>
    public byte[] ReadArray(long offset, int count)
    {
        var bytes = new byte[count];
        Read(offset, bytes);
        return bytes;
    }

    public static KernelSource FromArray(byte[] bytes) => new ArraySource(bytes ?? throw new ArgumentNullException(nameof(bytes)));

    /// <summary>
    /// The file at <paramref name="path"/>, open from now on (for the process's life: a VMM boots one
    /// kernel), so the bytes loaded are those of the file that was checked even if the path changes.
    /// </summary>
    /// <exception cref="IOException">It cannot be opened (FileNotFoundException and the like).</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read it.</exception>
    public static KernelSource FromFile(string path)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path);
        return new FileSource(path, handle, RandomAccess.GetLength(handle));
    }

    private sealed class ArraySource(byte[] bytes) : KernelSource
    {
        public override long Length => bytes.Length;

        public override void Read(long offset, Span<byte> destination)
        {
            if (offset < 0 || offset > bytes.Length || destination.Length > bytes.Length - offset)
                throw new BootImageException("the kernel file ends early");
            bytes.AsSpan((int)offset, destination.Length).CopyTo(destination);
        }
    }

    private sealed class FileSource(string path, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long length) : KernelSource
    {
        public override long Length => length;

        public override void Read(long offset, Span<byte> destination)
        {
            try
            {
                while (destination.Length > 0)
                {
                    int n = RandomAccess.Read(handle, destination, offset);
                    if (n == 0)
                        throw new BootImageException($"the kernel file {path} ends early (did it shrink while zxvm started?)");
                    destination = destination[n..];
                    offset += n;
                }
            }
            catch (IOException e)
            {
                throw new BootImageException($"cannot read the kernel file {path}: {e.Message}");
            }
        }
    }
}
