using System.Buffers.Binary;
using Zircon.Vmm.Machine;

namespace Zircon.Vmm.Boot;

/// <summary>
/// The fields of a bzImage's setup header this VMM reads (Linux, Documentation/arch/x86/boot.rst,
/// "The real-mode kernel header"). Offsets are from the start of the file.
/// </summary>
public sealed record SetupHeader
{
    public const int SetupSectsOffset = 0x1F1, SyssizeOffset = 0x1F4, BootFlagOffset = 0x1FE, JumpOffset = 0x200,
        MagicOffset = 0x202, VersionOffset = 0x206, TypeOfLoaderOffset = 0x210, LoadflagsOffset = 0x211,
        Code32StartOffset = 0x214, RamdiskImageOffset = 0x218, RamdiskSizeOffset = 0x21C, HeapEndPtrOffset = 0x224,
        CmdLinePtrOffset = 0x228, InitrdAddrMaxOffset = 0x22C, KernelAlignmentOffset = 0x230,
        RelocatableOffset = 0x234, XloadflagsOffset = 0x236, CmdlineSizeOffset = 0x238,
        PayloadOffsetOffset = 0x248, PayloadLengthOffset = 0x24C, PrefAddressOffset = 0x258, InitSizeOffset = 0x260;

    public const ushort BootFlag = 0xAA55;
    public const uint Magic = 0x53726448; // "HdrS"

    /// <summary>Oldest protocol accepted: 2.12 brought <c>xloadflags</c>, which says whether the 64-bit entry exists.</summary>
    public const ushort MinimumVersion = 0x020C;

    public const ushort XlfKernel64 = 1 << 0;
    public const byte LoadedHigh = 1 << 0, CanUseHeap = 1 << 7;

    public required byte SetupSects { get; init; }
    public required uint Syssize { get; init; }
    public required ushort Version { get; init; }
    public required byte Loadflags { get; init; }
    public required uint InitrdAddrMax { get; init; }
    public required uint KernelAlignment { get; init; }
    public required bool Relocatable { get; init; }
    public required ushort Xloadflags { get; init; }
    public required uint CmdlineSize { get; init; }
    public required uint PayloadOffset { get; init; }
    public required uint PayloadLength { get; init; }
    public required ulong PrefAddress { get; init; }
    public required uint InitSize { get; init; }

    /// <summary>End of the header: the jump at 0x200 skips it (byte 0x201 is its length past 0x202).</summary>
    public required int EndOffset { get; init; }

    /// <summary>"2.15" etc.</summary>
    public string VersionText => $"{Version >> 8}.{Version & 0xFF:D2}";

    /// <summary>The real-mode setup code occupies (setup_sects + 1) sectors; 0 means 4.</summary>
    public int ProtectedModeOffset => ((SetupSects == 0 ? 4 : SetupSects) + 1) * 512;

    /// <summary>Reads and checks the header.</summary>
    /// <exception cref="BootImageException">Not a bzImage, truncated, or a protocol older than 2.12 / without a 64-bit entry.</exception>
    public static SetupHeader Parse(ReadOnlySpan<byte> file)
    {
        if (file.Length < 0x270 || BinaryPrimitives.ReadUInt32LittleEndian(file[MagicOffset..]) != Magic)
            throw new BootImageException("not a Linux kernel: neither an ELF vmlinux nor a bzImage (no \"HdrS\" setup header at 0x202)");
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(file[VersionOffset..]);
        if (version < MinimumVersion)
            throw new BootImageException($"bzImage boot protocol {version >> 8}.{version & 0xFF:D2} is too old: 2.12 or later is required");
        if (BinaryPrimitives.ReadUInt16LittleEndian(file[BootFlagOffset..]) != BootFlag)
            throw new BootImageException("bzImage setup header has no 0xAA55 boot flag at 0x1FE");
        var header = new SetupHeader
        {
            SetupSects = file[SetupSectsOffset],
            Syssize = BinaryPrimitives.ReadUInt32LittleEndian(file[SyssizeOffset..]),
            Version = version,
            Loadflags = file[LoadflagsOffset],
            InitrdAddrMax = BinaryPrimitives.ReadUInt32LittleEndian(file[InitrdAddrMaxOffset..]),
            KernelAlignment = BinaryPrimitives.ReadUInt32LittleEndian(file[KernelAlignmentOffset..]),
            Relocatable = file[RelocatableOffset] != 0,
            Xloadflags = BinaryPrimitives.ReadUInt16LittleEndian(file[XloadflagsOffset..]),
            CmdlineSize = BinaryPrimitives.ReadUInt32LittleEndian(file[CmdlineSizeOffset..]),
            PayloadOffset = BinaryPrimitives.ReadUInt32LittleEndian(file[PayloadOffsetOffset..]),
            PayloadLength = BinaryPrimitives.ReadUInt32LittleEndian(file[PayloadLengthOffset..]),
            PrefAddress = BinaryPrimitives.ReadUInt64LittleEndian(file[PrefAddressOffset..]),
            InitSize = BinaryPrimitives.ReadUInt32LittleEndian(file[InitSizeOffset..]),
            EndOffset = MagicOffset + file[JumpOffset + 1],
        };
        if ((header.Xloadflags & XlfKernel64) == 0)
            throw new BootImageException("bzImage has no 64-bit entry point (xloadflags lacks XLF_KERNEL_64)");
        if ((header.Loadflags & LoadedHigh) == 0)
            throw new BootImageException("bzImage is a zImage loaded low (loadflags lacks LOADED_HIGH)");
        if (header.EndOffset > 0x1F1 + 0x7F || header.EndOffset < InitSizeOffset + 4)
            throw new BootImageException($"bzImage setup header ends at a bad offset 0x{header.EndOffset:x}");
        return header;
    }
}
