using System.Buffers.Binary;
namespace Zircon.Vmm.Boot;

/// <summary>
/// PVH's <c>struct hvm_start_info</c> (Xen include/public/arch-x86/hvm/start_info.h) with its
/// memory map (<c>hvm_memmap_table_entry</c>, version 1) and module list (<c>hvm_modlist_entry</c>).
/// </summary>
public static class HvmStartInfo
{
    public const uint Magic = 0x336EC578;
    public const uint Version = 1;

    /// <summary>Size of hvm_start_info, version 1.</summary>
    public const int Size = 56;
    public const int MagicOffset = 0, VersionOffset = 4, FlagsOffset = 8, NrModulesOffset = 12, ModlistPaddrOffset = 16,
        CmdlinePaddrOffset = 24, RsdpPaddrOffset = 32, MemmapPaddrOffset = 40, MemmapEntriesOffset = 48;

    public const int MemmapEntrySize = 24, ModlistEntrySize = 32;

    /// <summary>Writes the start info at <paramref name="startInfo"/>, the map at <paramref name="memmap"/> and, with an initrd, one module at <paramref name="modules"/>.</summary>
    public static void Write(Span<byte> ram, LinuxMemoryMap map, ulong startInfo, ulong memmap, ulong modules,
        ulong commandLine, ulong initrdAddress, ulong initrdSize, ulong rsdpAddress)
    {
        Span<byte> info = ram.Slice((int)startInfo, Size);
        info.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(info[MagicOffset..], Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(info[VersionOffset..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(info[CmdlinePaddrOffset..], commandLine);
        BinaryPrimitives.WriteUInt64LittleEndian(info[RsdpPaddrOffset..], rsdpAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(info[MemmapPaddrOffset..], memmap);
        BinaryPrimitives.WriteUInt32LittleEndian(info[MemmapEntriesOffset..], (uint)map.Entries.Count);
        for (int i = 0; i < map.Entries.Count; i++)
        {
            Span<byte> entry = ram.Slice((int)memmap + i * MemmapEntrySize, MemmapEntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(entry, map.Entries[i].Address);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], map.Entries[i].Size);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], (uint)map.Entries[i].Type);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], 0);
        }
        if (initrdSize > 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(info[NrModulesOffset..], 1);
            BinaryPrimitives.WriteUInt64LittleEndian(info[ModlistPaddrOffset..], modules);
            Span<byte> module = ram.Slice((int)modules, ModlistEntrySize);
            module.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(module, initrdAddress);
            BinaryPrimitives.WriteUInt64LittleEndian(module[8..], initrdSize);
        }
    }
}
