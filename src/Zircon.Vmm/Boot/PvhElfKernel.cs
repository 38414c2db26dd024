using System.Buffers.Binary;
using System.Text;
using Zircon.Vmm.Machine;

namespace Zircon.Vmm.Boot;

/// <summary>
/// An ELF vmlinux entered through PVH (Xen's x86/HVM direct boot ABI, docs/misc/pvh.pandoc): its
/// PT_LOAD segments go to their physical addresses, and the entry is the physical address in its
/// <c>XEN_ELFNOTE_PHYS32_ENTRY</c> note (type 18, owner "Xen").
/// </summary>
public sealed class PvhElfKernel : LinuxKernel
{
    public const uint ElfMagic = 0x464C457F; // "\x7fELF"
    public const uint XenElfnotePhys32Entry = 18;
    private const ushort MachineX86_64 = 62;
    private const uint PtLoad = 1, PtNote = 4;

    /// <summary>Notes are read whole; a kernel's are a few hundred bytes, so more is a malformed file.</summary>
    private const ulong MaxNoteBytes = 1 << 20;

    private readonly KernelSource _file;
    private readonly List<ElfSegment> _segments;

    private PvhElfKernel(KernelSource file, List<ElfSegment> segments, uint entry)
    {
        _file = file;
        _segments = segments;
        PvhEntry = entry;
    }

    /// <summary>A PT_LOAD segment: file bytes [Offset, Offset+FileSize) at PhysicalAddress, zero-filled to MemorySize.</summary>
    public readonly record struct ElfSegment(ulong PhysicalAddress, ulong Offset, ulong FileSize, ulong MemorySize);

    /// <summary>The 32-bit physical entry point from the PVH note.</summary>
    public uint PvhEntry { get; }

    public IReadOnlyList<ElfSegment> Segments => _segments;

    public override LinuxBootProtocol Protocol => LinuxBootProtocol.Pvh;

    public override int MaxCommandLine => DefaultMaxCommandLine;

    /// <summary>PVH places no limit of its own; the initrd stays below 4 GiB (32-bit addresses in the ABI's spirit).</summary>
    public override ulong InitrdLimit => 1UL << 32;

    public override (ulong Start, ulong End) Footprint =>
        (_segments.Min(s => s.PhysicalAddress), _segments.Max(s => s.PhysicalAddress + s.MemorySize));

    public override string Describe() =>
        $"ELF vmlinux, PVH entry 0x{PvhEntry:x}, {_segments.Count} segments at 0x{Footprint.Start:x}..0x{Footprint.End:x}";

    public override void LoadInto(Span<byte> ram)
    {
        foreach (ElfSegment s in _segments)
        {
            Span<byte> target = ram.Slice((int)s.PhysicalAddress, (int)s.MemorySize);
            _file.Read((long)s.Offset, target[..(int)s.FileSize]);
            target[(int)s.FileSize..].Clear(); // .bss
        }
    }

    /// <exception cref="BootImageException">Not ELF64 x86-64, malformed, or no PVH note.</exception>
    public static new PvhElfKernel Parse(byte[] file) => Parse(KernelSource.FromArray(file));

    /// <summary>Reads the ELF header, program headers and notes; the segments are read by <see cref="LoadInto"/>.</summary>
    /// <exception cref="BootImageException">Not ELF64 x86-64, malformed, or no PVH note.</exception>
    public static PvhElfKernel Parse(KernelSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        long length = source.Length;
        if (length < 64)
            throw new BootImageException("truncated ELF header");
        byte[] b = source.ReadArray(0, 64);
        if (b[4] != 2 || b[5] != 1 || BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(18)) != MachineX86_64)
            throw new BootImageException("ELF kernel is not a little-endian x86-64 ELF64 file");
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(32));
        ushort phentsize = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(54));
        ushort phnum = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(56));
        if (phentsize < 56 || phoff > (ulong)length || (ulong)phnum * phentsize > (ulong)length - phoff)
            throw new BootImageException("ELF program headers lie outside the file");
        byte[] headers = source.ReadArray((long)phoff, phnum * phentsize);
        var segments = new List<ElfSegment>();
        uint? entry = null;
        for (int i = 0; i < phnum; i++)
        {
            ReadOnlySpan<byte> ph = headers.AsSpan(i * phentsize, phentsize);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(ph);
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]);
            ulong paddr = BinaryPrimitives.ReadUInt64LittleEndian(ph[24..]);
            ulong filesz = BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
            ulong memsz = BinaryPrimitives.ReadUInt64LittleEndian(ph[40..]);
            if (type is not (PtLoad or PtNote))
                continue;
            if (offset > (ulong)length || filesz > (ulong)length - offset)
                throw new BootImageException($"ELF segment {i} lies outside the file (truncated vmlinux?)");
            if (type == PtNote)
                entry ??= FindPhys32Entry(source.ReadArray((long)offset, (int)Math.Min(filesz, MaxNoteBytes)));
            else if (memsz > 0)
            {
                if (filesz > memsz || paddr >= 1UL << 32 || memsz >= 1UL << 32)
                    throw new BootImageException($"ELF segment {i} has a bad size or a physical address above 4 GiB");
                segments.Add(new ElfSegment(paddr, offset, filesz, memsz));
            }
        }
        if (entry is null)
            throw new BootImageException("ELF kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); build it with CONFIG_PVH=y or boot the bzImage");
        if (segments.Count == 0)
            throw new BootImageException("ELF kernel has no loadable segments");
        return new PvhElfKernel(source, segments, entry.Value);
    }

    /// <summary>Walks the notes of one PT_NOTE segment (namesz, descsz, type, name, desc; 4-byte aligned).</summary>
    private static uint? FindPhys32Entry(ReadOnlySpan<byte> notes)
    {
        int at = 0;
        while (at + 12 <= notes.Length)
        {
            uint namesz = BinaryPrimitives.ReadUInt32LittleEndian(notes[at..]);
            uint descsz = BinaryPrimitives.ReadUInt32LittleEndian(notes[(at + 4)..]);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(notes[(at + 8)..]);
            long name = at + 12;
            long desc = name + Align4(namesz);
            long next = desc + Align4(descsz);
            if (next > notes.Length)
                return null;
            bool xen = namesz == 4 && Encoding.ASCII.GetString(notes.Slice((int)name, 3)) == "Xen";
            if (xen && type == XenElfnotePhys32Entry && descsz is 4 or 8)
                return BinaryPrimitives.ReadUInt32LittleEndian(notes[(int)desc..]); // the low 32 bits: a physical address below 4 GiB
            at = (int)next;
        }
        return null;
    }

    private static long Align4(uint n) => (n + 3L) & ~3L;
}
