using System.Buffers.Binary;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// Translates guest-linear addresses to guest-physical ones by walking the guest's own page
/// tables: none (paging off), 32-bit (4 KiB / 4 MiB pages), PAE, or long mode with 4 or 5 levels
/// (4 KiB, 2 MiB and 1 GiB pages).
/// </summary>
/// <remarks>
/// Five levels (CR4.LA57) are not an exotic case: Linux's bzImage decompressor switches to them on
/// any CPU that has LA57 (QEMU's <c>-cpu max</c>, Ice Lake and later servers), so every MMIO
/// instruction of such a kernel is found through a PML5 table.
/// </remarks>
internal static class GuestPageWalker
{
    private const ulong Present = 1, PageSize = 1 << 7;
    private const ulong AddressMask = 0x000F_FFFF_FFFF_F000;

    /// <summary>CR4.LA57: 57-bit linear addresses, a fifth paging level above the PML4.</summary>
    public const ulong Cr4La57 = 1UL << 12;

    public static bool TryTranslate(GuestAddressSpace memory, in GuestControlState control, ulong linear, out ulong physical)
    {
        physical = 0;
        if (!control.PagingEnabled)
        {
            physical = control.LongModeActive ? linear : linear & 0xFFFF_FFFF;
            return true;
        }
        if (control.LongModeActive)
            return WalkLongMode(memory, control.Cr3, linear, levels: (control.Cr4 & Cr4La57) != 0 ? 5 : 4, out physical);
        if ((control.Cr4 & 0x20) != 0)
            return WalkPae(memory, control.Cr3, (uint)linear, out physical);
        return Walk32(memory, control.Cr3, (uint)linear, (control.Cr4 & 0x10) != 0, out physical);
    }

    /// <summary>
    /// A long-mode walk from the top table at CR3 down to the page: level 4 is the PML5 (with
    /// LA57), 3 the PML4, 2 the PDPT (PS: a 1 GiB page), 1 the page directory (PS: 2 MiB), 0 the
    /// page table.
    /// </summary>
    private static bool WalkLongMode(GuestAddressSpace memory, ulong cr3, ulong linear, int levels, out ulong physical)
    {
        physical = 0;
        ulong table = cr3 & AddressMask;
        for (int level = levels - 1; level >= 0; level--)
        {
            int shift = 12 + 9 * level;
            ulong index = (linear >> shift) & 0x1FF;
            if (!TryReadEntry(memory, table + index * 8, out ulong entry) || (entry & Present) == 0)
                return false;
            if (level is 1 or 2 && (entry & PageSize) != 0)
            {
                ulong pageMask = (1UL << shift) - 1;
                physical = (entry & AddressMask & ~pageMask) | (linear & pageMask);
                return true;
            }
            table = entry & AddressMask;
        }
        physical = table | (linear & 0xFFF);
        return true;
    }

    private static bool WalkPae(GuestAddressSpace memory, ulong cr3, uint linear, out ulong physical)
    {
        physical = 0;
        if (!TryReadEntry(memory, (cr3 & 0xFFFF_FFE0) + ((linear >> 30) & 3) * 8, out ulong pdpte) || (pdpte & Present) == 0)
            return false;
        if (!TryReadEntry(memory, (pdpte & AddressMask) + ((linear >> 21) & 0x1FF) * 8, out ulong pde) || (pde & Present) == 0)
            return false;
        if ((pde & PageSize) != 0)
        {
            physical = (pde & AddressMask & ~0x1F_FFFFUL) | (linear & 0x1F_FFFFU);
            return true;
        }
        if (!TryReadEntry(memory, (pde & AddressMask) + ((linear >> 12) & 0x1FF) * 8, out ulong pte) || (pte & Present) == 0)
            return false;
        physical = (pte & AddressMask) | (linear & 0xFFFU);
        return true;
    }

    private static bool Walk32(GuestAddressSpace memory, ulong cr3, uint linear, bool pse, out ulong physical)
    {
        physical = 0;
        Span<byte> buffer = stackalloc byte[4];
        if (!memory.TryRead((cr3 & 0xFFFF_F000) + (linear >> 22) * 4, buffer))
            return false;
        uint pde = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        if ((pde & Present) == 0)
            return false;
        if (pse && (pde & PageSize) != 0)
        {
            physical = (pde & 0xFFC0_0000u) | (linear & 0x3F_FFFFu);
            return true;
        }
        if (!memory.TryRead((pde & 0xFFFF_F000u) + ((linear >> 12) & 0x3FF) * 4, buffer))
            return false;
        uint pte = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        if ((pte & Present) == 0)
            return false;
        physical = (pte & 0xFFFF_F000u) | (linear & 0xFFFu);
        return true;
    }

    private static bool TryReadEntry(GuestAddressSpace memory, ulong address, out ulong entry)
    {
        Span<byte> buffer = stackalloc byte[8];
        entry = 0;
        if (!memory.TryRead(address, buffer))
            return false;
        entry = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        return true;
    }
}
