using System.Buffers.Binary;

namespace Zircon.Vmm.Machine;

/// <summary>A guest image could not be used; the message says why in one line.</summary>
public sealed class BootImageException(string message) : Exception(message);

/// <summary>
/// A guest image: a raw binary loaded at <see cref="BootLayout.DefaultLoadAddress"/> that starts at
/// its first byte, or an ELF64 x86-64 executable whose PT_LOAD segments go to their physical
/// addresses and which starts at <c>e_entry</c>.
/// </summary>
public sealed class BootImage
{
    private const uint ElfMagic = 0x464C457F; // "\x7fELF"
    private const ushort MachineX86_64 = 62;
    private const uint PtLoad = 1;

    private readonly List<(ulong Address, byte[] Bytes, ulong MemorySize)> _segments;

    private BootImage(string kind, List<(ulong, byte[], ulong)> segments, ulong entry)
    {
        Kind = kind;
        _segments = segments;
        Entry = entry;
    }

    /// <summary>"raw" or "ELF64".</summary>
    public string Kind { get; }

    public ulong Entry { get; }

    /// <summary>Bytes the image occupies in guest memory.</summary>
    public ulong LoadedSize => _segments.Aggregate(0UL, (sum, s) => sum + s.MemorySize);

    /// <summary>Recognises ELF64 by its magic; anything else is a raw image.</summary>
    /// <exception cref="BootImageException">Empty, or a malformed / non-x86-64 ELF file.</exception>
    public static BootImage Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
            throw new BootImageException("the image is empty");
        if (bytes.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(bytes) == ElfMagic)
            return ParseElf(bytes);
        return new BootImage("raw", [(BootLayout.DefaultLoadAddress, bytes, (ulong)bytes.Length)], BootLayout.DefaultLoadAddress);
    }

    /// <summary>Copies the image into RAM.</summary>
    /// <exception cref="BootImageException">A segment falls outside RAM or over the boot tables.</exception>
    public void LoadInto(GuestRam ram)
    {
        foreach ((ulong address, byte[] data, ulong memorySize) in _segments)
        {
            if (address < BootLayout.FirstFreeAddress || address > ram.Size || memorySize > ram.Size - address)
                throw new BootImageException($"segment at 0x{address:x} (0x{memorySize:x} bytes) does not fit in guest RAM above 0x{BootLayout.FirstFreeAddress:x} (RAM is 0x{ram.Size:x} bytes)");
            ram.TryWrite(address, data);
            ram.Bytes.Slice((int)(address + (ulong)data.Length), (int)(memorySize - (ulong)data.Length)).Clear(); // .bss
        }
    }

    private static BootImage ParseElf(byte[] b)
    {
        if (b.Length < 64)
            throw new BootImageException("truncated ELF header");
        if (b[4] != 2)
            throw new BootImageException("ELF image is not 64-bit (ELFCLASS64 required)");
        if (b[5] != 1)
            throw new BootImageException("ELF image is not little-endian");
        if (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(18)) != MachineX86_64)
            throw new BootImageException("ELF image is not for x86-64");
        ulong entry = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(24));
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(32));
        ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(54));
        ushort phnum = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(56));
        if (phentsize < 56 || phoff > (ulong)b.Length || (ulong)phnum * phentsize > (ulong)b.Length - phoff)
            throw new BootImageException("ELF program headers lie outside the file");
        var segments = new List<(ulong, byte[], ulong)>();
        for (int i = 0; i < phnum; i++)
        {
            ReadOnlySpan<byte> ph = b.AsSpan((int)phoff + i * phentsize, phentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != PtLoad)
                continue;
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]);
            ulong vaddr = BinaryPrimitives.ReadUInt64LittleEndian(ph[16..]);
            ulong paddr = BinaryPrimitives.ReadUInt64LittleEndian(ph[24..]);
            ulong filesz = BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
            ulong memsz = BinaryPrimitives.ReadUInt64LittleEndian(ph[40..]);
            if (offset > (ulong)b.Length || filesz > (ulong)b.Length - offset || filesz > memsz)
                throw new BootImageException($"ELF segment {i} lies outside the file");
            segments.Add((paddr != 0 ? paddr : vaddr, b.AsSpan((int)offset, (int)filesz).ToArray(), memsz));
        }
        if (segments.Count == 0)
            throw new BootImageException("ELF image has no loadable segments");
        return new BootImage("ELF64", segments, entry);
    }
}
