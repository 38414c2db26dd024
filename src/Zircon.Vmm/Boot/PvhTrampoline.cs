using System.Buffers.Binary;
namespace Zircon.Vmm.Boot;

/// <summary>
/// Guest code that turns Zircon's initial VCPU state into PVH's. A Zircon VCPU starts in 64-bit
/// mode (paging on, CR3 = 0) and <c>zx_vcpu_write_state</c> sets only general registers, so no
/// VMM on Zircon's API can start a VCPU in 32-bit protected mode; instead the VCPU starts here and
/// leaves long mode itself (Intel SDM vol. 3, 10.8.5.4 "Leaving IA-32e Mode"): load a GDT with a
/// flat 32-bit code segment, far-return into it (compatibility mode), load flat data segments,
/// clear CR0.PG (the CPU leaves IA-32e mode), clear EFER.LME and CR4.PAE, then jump to the PVH
/// entry with EBX = hvm_start_info, as the PVH ABI requires.
/// </summary>
public static class PvhTrampoline
{
    /// <summary>Bytes of code and tables; the page above the start holds its stack (a few bytes used).</summary>
    public const int Size = 0xC8;

    public const ushort CodeSelector = 0x08, DataSelector = 0x10;
    private const int Code32At = 0x40, GdtrAt = 0xA0, GdtAt = 0xB0;

    /// <summary>Flat 4 GiB segments: 32-bit code (execute/read) and data (read/write).</summary>
    public const ulong FlatCode32 = 0x00CF_9A00_0000_FFFF, FlatData = 0x00CF_9200_0000_FFFF;

    /// <summary>Writes the trampoline at <paramref name="at"/> (below 4 GiB, identity-mapped, a free page above it).</summary>
    public static void Write(Span<byte> ram, ulong at, uint pvhEntry, uint startInfo)
    {
        if (at + 0x2000 > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(at), "the trampoline must sit below 4 GiB");
        Span<byte> t = ram.Slice((int)at, Size);
        t.Fill(0xF4); // hlt everywhere else
        uint stackTop = (uint)at + 0x1000 + 0x1000;

        // 64-bit part.
        Emit(t, 0x00, 0xBC); U32(t, 0x01, stackTop);               // mov esp, stackTop
        Emit(t, 0x05, 0x0F, 0x01, 0x15); U32(t, 0x08, GdtrAt - 0x0C); // lgdt [rip + gdtr]
        Emit(t, 0x0C, 0x6A, (byte)CodeSelector);                    // push CodeSelector
        Emit(t, 0x0E, 0x48, 0x8D, 0x05); U32(t, 0x11, Code32At - 0x15); // lea rax, [rip + code32]
        Emit(t, 0x15, 0x50);                                        // push rax
        Emit(t, 0x16, 0x48, 0xCB);                                  // retfq -> compatibility mode

        // 32-bit part (compatibility mode until CR0.PG is cleared, then protected mode).
        int p = Code32At;
        p = Emit(t, p, 0xB8); p = U32(t, p, DataSelector);          // mov eax, DataSelector
        p = Emit(t, p, 0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0, 0x8E, 0xE0, 0x8E, 0xE8); // mov ds/es/ss/fs/gs, eax
        p = Emit(t, p, 0x0F, 0x20, 0xC0);                           // mov eax, cr0
        p = Emit(t, p, 0x25); p = U32(t, p, 0x7FFF_FFFF);           // and eax, ~PG
        p = Emit(t, p, 0x0F, 0x22, 0xC0);                           // mov cr0, eax: paging off, IA-32e mode off
        p = Emit(t, p, 0xB9); p = U32(t, p, 0xC000_0080);           // mov ecx, IA32_EFER
        p = Emit(t, p, 0x0F, 0x32);                                 // rdmsr
        p = Emit(t, p, 0x25); p = U32(t, p, 0xFFFF_FEFF);           // and eax, ~LME
        p = Emit(t, p, 0x0F, 0x30);                                 // wrmsr
        p = Emit(t, p, 0x0F, 0x20, 0xE0);                           // mov eax, cr4
        p = Emit(t, p, 0x83, 0xE0, 0xDF);                           // and eax, ~PAE
        p = Emit(t, p, 0x0F, 0x22, 0xE0);                           // mov cr4, eax
        p = Emit(t, p, 0xBB); p = U32(t, p, startInfo);             // mov ebx, start_info
        p = Emit(t, p, 0xB8); p = U32(t, p, pvhEntry);              // mov eax, entry
        p = Emit(t, p, 0xFF, 0xE0);                                 // jmp eax
        if (p > GdtrAt)
            throw new InvalidOperationException("trampoline code overran its GDTR");

        // GDTR (limit, 64-bit base) and the GDT: null, code, data.
        BinaryPrimitives.WriteUInt16LittleEndian(t[GdtrAt..], 3 * 8 - 1);
        BinaryPrimitives.WriteUInt64LittleEndian(t[(GdtrAt + 2)..], at + GdtAt);
        BinaryPrimitives.WriteUInt64LittleEndian(t[GdtAt..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(t[(GdtAt + CodeSelector)..], FlatCode32);
        BinaryPrimitives.WriteUInt64LittleEndian(t[(GdtAt + DataSelector)..], FlatData);
    }

    private static int Emit(Span<byte> t, int at, params ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(t[at..]);
        return at + bytes.Length;
    }

    private static int U32(Span<byte> t, int at, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(t[at..], value);
        return at + 4;
    }
}
