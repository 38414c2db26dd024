using System.Buffers.Binary;
using Zircon.Vmm.Machine;

namespace Zircon.Vmm.Boot;

/// <summary>Which x86 boot protocol a kernel is entered through.</summary>
public enum LinuxBootProtocol
{
    /// <summary>An ELF vmlinux entered at its PVH entry (32-bit protected mode, hvm_start_info in EBX).</summary>
    Pvh,

    /// <summary>A bzImage entered at its 64-bit entry (boot_params in RSI).</summary>
    BzImage64,
}

/// <summary>A Linux kernel image zxvm can boot: an ELF vmlinux with a PVH note, or a bzImage.</summary>
public abstract class LinuxKernel
{
    /// <summary>x86's COMMAND_LINE_SIZE (2048) less the terminating NUL: what a vmlinux accepts.</summary>
    public const int DefaultMaxCommandLine = 2047;

    public abstract LinuxBootProtocol Protocol { get; }

    /// <summary>Longest command line (bytes, without the NUL) the kernel accepts.</summary>
    public abstract int MaxCommandLine { get; }

    /// <summary>Highest address (exclusive) the initrd may end at.</summary>
    public abstract ulong InitrdLimit { get; }

    /// <summary>First byte and end (exclusive) of the guest-physical memory the kernel needs as loaded (including what it decompresses into or clears).</summary>
    public abstract (ulong Start, ulong End) Footprint { get; }

    /// <summary>One line for --verbose.</summary>
    public abstract string Describe();

    /// <summary>Copies the kernel into RAM at its load address.</summary>
    public abstract void LoadInto(Span<byte> ram);

    /// <summary>
    /// Opens the kernel file at <paramref name="path"/>: a vmlinux is read segment by segment when it
    /// is loaded (<see cref="KernelSource"/>); a bzImage, loaded whole but for its setup sectors, is read at once.
    /// </summary>
    /// <exception cref="BootImageException">Neither kind, or malformed; the message is one line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static LinuxKernel Open(string path)
    {
        KernelSource source = KernelSource.FromFile(path);
        if (source.Length == 0)
            throw new BootImageException("the kernel file is empty");
        if (source.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(source.ReadArray(0, 4)) == PvhElfKernel.ElfMagic)
            return PvhElfKernel.Parse(source);
        return BzImageKernel.Parse(File.ReadAllBytes(path));
    }

    /// <summary>Recognises a vmlinux (ELF magic) or a bzImage ("HdrS").</summary>
    /// <exception cref="BootImageException">Neither, or malformed; the message is one line.</exception>
    public static LinuxKernel Parse(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Length == 0)
            throw new BootImageException("the kernel file is empty");
        if (file.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(file) == PvhElfKernel.ElfMagic)
            return PvhElfKernel.Parse(file);
        return BzImageKernel.Parse(file);
    }
}
