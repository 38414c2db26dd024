namespace Zircon.Vmm.Boot;

/// <summary>
/// The one memory map of the Linux machine (docs/zxvm-machine.md, "Linux machine"): the e820 table
/// of boot_params, the memory map of hvm_start_info and the placement of every boot structure are
/// all read from here, so the protocols and the device layout cannot disagree.
/// </summary>
/// <remarks>
/// RAM starts at 0 and ends below the device windows (zxvm's RAM is at most 2047 MiB, the first
/// device window is at 0xD0000000), so RAM is one piece but for the legacy hole: the 384 KiB
/// below 1 MiB from the EBDA up are reserved, as on a PC, and hold the ACPI tables.
/// </remarks>
public sealed class LinuxMemoryMap
{
    /// <summary>Where a PC's EBDA would start: RAM below it is usable.</summary>
    public const ulong LowRamEnd = 0x9_FC00;

    /// <summary>Start of usable RAM above the legacy hole (1 MiB).</summary>
    public const ulong HighRamStart = 0x10_0000;

    /// <summary>Boot structures the VMM writes into low RAM (below <see cref="LowRamEnd"/>).</summary>
    public const ulong PageTablesEnd = 0x6000,      // Zircon's initial state needs page tables at CR3 = 0 (BootLayout)
        ZeroPage = 0x7000,                          // bzImage: boot_params; PVH: hvm_start_info
        PvhMemoryMap = 0x7400,                      // PVH: hvm_memmap_table_entry[]
        PvhModules = 0x7C00,                        // PVH: hvm_modlist_entry[] (the initrd)
        PvhTrampoline = 0x8000,                     // PVH: the 64-bit to 32-bit stub (one page, its stack above)
        CommandLine = 0x2_0000,                     // up to 64 KiB
        CommandLineCapacity = 0x1_0000;

    /// <summary>ACPI tables, in the reserved legacy area where Linux also scans for the RSDP.</summary>
    public const ulong AcpiTables = 0xE_0000, AcpiTablesEnd = 0x10_0000;

    /// <summary>Guest RAM needed at the least for a Linux machine (the kernel alone needs more).</summary>
    public const ulong MinimumRam = 32UL << 20;

    /// <summary>Builds the map for <paramref name="ramSize"/> bytes of RAM at guest-physical 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than <see cref="MinimumRam"/>.</exception>
    public LinuxMemoryMap(ulong ramSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ramSize, MinimumRam);
        RamSize = ramSize;
        Entries =
        [
            new E820Entry(0, LowRamEnd, E820Type.Ram),
            new E820Entry(LowRamEnd, HighRamStart - LowRamEnd, E820Type.Reserved),
            new E820Entry(HighRamStart, ramSize - HighRamStart, E820Type.Ram),
        ];
    }

    public ulong RamSize { get; }

    /// <summary>The map, sorted by address, entries not overlapping.</summary>
    public IReadOnlyList<E820Entry> Entries { get; }

    /// <summary>Whether [address, address+size) is usable RAM.</summary>
    public bool IsRam(ulong address, ulong size) =>
        Entries.Any(e => e.Type == E820Type.Ram && address >= e.Address && address < e.End && size <= e.End - address);
}
