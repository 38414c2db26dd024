using System.Buffers.Binary;
namespace Zircon.Vmm.Boot;

/// <summary>
/// The "zero page", <c>struct boot_params</c> (Linux arch/x86/include/uapi/asm/bootparam.h,
/// Documentation/arch/x86/zero-page.rst), as a loader fills it for the 64-bit boot protocol.
/// </summary>
public static class BootParams
{
    public const int Size = 4096;
    public const int AcpiRsdpAddrOffset = 0x070, ExtRamdiskImageOffset = 0x0C0, ExtRamdiskSizeOffset = 0x0C4,
        ExtCmdLinePtrOffset = 0x0C8, E820EntriesOffset = 0x1E8, SentinelOffset = 0x1EF, SetupHeaderOffset = 0x1F1,
        E820TableOffset = 0x2D0;
    public const int E820EntrySize = 20, E820MaxEntries = 128;

    /// <summary>type_of_loader 0xFF: "undefined" loader (boot.rst: assigned ids only for registered loaders).</summary>
    public const byte UndefinedLoader = 0xFF;

    /// <summary>
    /// Fills <paramref name="page"/> (4096 bytes): the kernel's own setup header, then what the loader
    /// must set — type_of_loader, cmd_line_ptr, the initrd, the e820 table and the RSDP address.
    /// </summary>
    public static void Write(Span<byte> page, BzImageKernel kernel, LinuxMemoryMap map, ulong commandLine,
        ulong initrdAddress, ulong initrdSize, ulong rsdpAddress)
    {
        if (page.Length < Size)
            throw new ArgumentException("boot_params needs a 4 KiB page", nameof(page));
        if (map.Entries.Count > E820MaxEntries)
            throw new ArgumentException("too many e820 entries", nameof(map));
        page[..Size].Clear();
        kernel.SetupHeaderBytes.CopyTo(page[SetupHeaderOffset..]);

        page[SetupHeader.TypeOfLoaderOffset] = UndefinedLoader;
        // No real-mode setup code runs, so no heap: keep the kernel's flags but CAN_USE_HEAP.
        page[SetupHeader.LoadflagsOffset] = (byte)(kernel.Header.Loadflags & ~SetupHeader.CanUseHeap);
        BinaryPrimitives.WriteUInt32LittleEndian(page[SetupHeader.Code32StartOffset..], (uint)kernel.LoadAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(page[SetupHeader.CmdLinePtrOffset..], (uint)commandLine);
        BinaryPrimitives.WriteUInt32LittleEndian(page[ExtCmdLinePtrOffset..], (uint)(commandLine >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(page[SetupHeader.RamdiskImageOffset..], (uint)initrdAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(page[SetupHeader.RamdiskSizeOffset..], (uint)initrdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(page[ExtRamdiskImageOffset..], (uint)(initrdAddress >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(page[ExtRamdiskSizeOffset..], (uint)(initrdSize >> 32));
        if (kernel.Header.Version >= 0x020E) // acpi_rsdp_addr exists since protocol 2.14
            BinaryPrimitives.WriteUInt64LittleEndian(page[AcpiRsdpAddrOffset..], rsdpAddress);

        page[E820EntriesOffset] = (byte)map.Entries.Count;
        for (int i = 0; i < map.Entries.Count; i++)
        {
            Span<byte> entry = page.Slice(E820TableOffset + i * E820EntrySize, E820EntrySize);
            BinaryPrimitives.WriteUInt64LittleEndian(entry, map.Entries[i].Address);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], map.Entries[i].Size);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], (uint)map.Entries[i].Type);
        }
    }
}
