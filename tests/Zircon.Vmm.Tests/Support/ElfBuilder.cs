using System.Buffers.Binary;

namespace Zircon.TestSupport;

/// <summary>
/// Builds small ELF64 files by hand for loader tests: a 64-byte header, program headers right
/// after it, then each segment's file bytes. Fields can be bent to make malformed files.
/// </summary>
internal sealed class ElfBuilder
{
    public const uint PtLoad = 1, PtNote = 4;
    public const int HeaderSize = 64, ProgramHeaderSize = 56;

    public byte Class { get; set; } = 2;        // ELFCLASS64
    public byte DataEncoding { get; set; } = 1; // ELFDATA2LSB
    public ushort Machine { get; set; } = 62;   // EM_X86_64
    public ulong Entry { get; set; }
    public List<ElfSegment> Segments { get; } = new();

    /// <summary>Replaces e_phoff (default: right after the header).</summary>
    public ulong? ProgramHeaderOffset { get; set; }

    /// <summary>Replaces e_phentsize (default 56).</summary>
    public ushort? ProgramHeaderEntrySize { get; set; }

    /// <summary>Replaces e_phnum (default: the number of segments).</summary>
    public ushort? ProgramHeaderCount { get; set; }

    public ElfBuilder Load(ulong address, byte[] bytes, ulong? memorySize = null)
    {
        Segments.Add(new ElfSegment(PtLoad, address, address, bytes, memorySize ?? (ulong)bytes.Length));
        return this;
    }

    public byte[] Build()
    {
        int dataStart = HeaderSize + ProgramHeaderSize * Segments.Count;
        int size = dataStart + Segments.Sum(s => s.Bytes.Length);
        var file = new byte[size];
        Span<byte> h = file;
        h[0] = 0x7F; h[1] = (byte)'E'; h[2] = (byte)'L'; h[3] = (byte)'F';
        h[4] = Class;
        h[5] = DataEncoding;
        h[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(h[16..], 2); // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(h[18..], Machine);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(h[24..], Entry);
        BinaryPrimitives.WriteUInt64LittleEndian(h[32..], ProgramHeaderOffset ?? HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[52..], HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[54..], ProgramHeaderEntrySize ?? ProgramHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[56..], ProgramHeaderCount ?? (ushort)Segments.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(h[58..], 64); // e_shentsize
        int offset = dataStart;
        for (int i = 0; i < Segments.Count; i++)
        {
            ElfSegment s = Segments[i];
            Span<byte> ph = h.Slice(HeaderSize + i * ProgramHeaderSize, ProgramHeaderSize);
            BinaryPrimitives.WriteUInt32LittleEndian(ph, s.Type);
            BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 7); // PF_R | PF_W | PF_X
            BinaryPrimitives.WriteUInt64LittleEndian(ph[8..], s.FileOffset ?? (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], s.VirtualAddress);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], s.PhysicalAddress);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], s.FileSize ?? (ulong)s.Bytes.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], s.MemorySize);
            BinaryPrimitives.WriteUInt64LittleEndian(ph[48..], 0x1000);
            s.Bytes.CopyTo(file, offset);
            offset += s.Bytes.Length;
        }
        return file;
    }
}

/// <summary>One program header; <see cref="FileOffset"/> and <see cref="FileSize"/> override the computed ones.</summary>
internal sealed record ElfSegment(uint Type, ulong VirtualAddress, ulong PhysicalAddress, byte[] Bytes, ulong MemorySize)
{
    public ulong? FileOffset { get; init; }
    public ulong? FileSize { get; init; }
}
