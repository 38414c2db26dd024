using System.Buffers.Binary;

namespace Zircon.Vmm.Machine;

/// <summary>
/// What the VMM writes into RAM before the first instruction (docs/zxvm-machine.md): identity page
/// tables for 0..4 GiB with 2 MiB pages at CR3 = 0, and the boot information page.
/// </summary>
public static class BootLayout
{
    public const ulong Pml4 = 0x0000, Pdpt = 0x1000, PageDirectories = 0x2000, BootInfo = 0x6000;
    public const ulong FirstFreeAddress = 0x7000;
    public const ulong DefaultLoadAddress = 0x10_0000;
    public const ulong BootMagic = 0x544F4F424D56585A; // "ZXVMBOOT"

    private const ulong PresentWritableUser = 0x7, LargePage = 0x80;

    public static void WritePageTables(GuestRam ram)
    {
        Span<byte> m = ram.Bytes;
        m[..(int)BootInfo].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)Pml4..], Pdpt | PresentWritableUser);
        for (ulong gib = 0; gib < 4; gib++)
        {
            ulong directory = PageDirectories + gib * 0x1000;
            BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Pdpt + gib * 8)..], directory | PresentWritableUser);
            for (ulong i = 0; i < 512; i++)
            {
                ulong physical = (gib << 30) | (i << 21);
                BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(directory + i * 8)..], physical | PresentWritableUser | LargePage);
            }
        }
    }

    /// <summary>The boot information page; <paramref name="processors"/> (offset 32) counts the processors, APIC ids 0..n-1.</summary>
    public static void WriteBootInfo(GuestRam ram, ulong timerPeriodMicroseconds, ulong diskSectors, int processors = 1)
    {
        Span<byte> info = ram.Bytes.Slice((int)BootInfo, 40);
        BinaryPrimitives.WriteUInt64LittleEndian(info[32..], (ulong)processors);
        BinaryPrimitives.WriteUInt64LittleEndian(info, BootMagic);
        BinaryPrimitives.WriteUInt64LittleEndian(info[8..], ram.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(info[16..], timerPeriodMicroseconds);
        BinaryPrimitives.WriteUInt64LittleEndian(info[24..], diskSectors);
    }
}
