using System.Buffers.Binary;
using Zircon.Vmm.Boot;

namespace Zircon.Vmm.Tests.Boot;

/// <summary>The 64-bit to 32-bit stub, checked byte by byte (its disassembly is in the class comment's steps).</summary>
public class PvhTrampolineTests
{
    private const ulong At = 0x8000;

    private static byte[] Write(uint entry = 0x100_0850, uint startInfo = 0x7000)
    {
        var ram = new byte[0x1_0000];
        PvhTrampoline.Write(ram, At, entry, startInfo);
        return ram;
    }

    [Fact]
    public void TheGdt_HasFlat32BitCodeAndData_AndTheGdtrPointsAtIt()
    {
        byte[] ram = Write();
        // lgdt [rip + disp32] at +5; the operand follows the 7-byte instruction.
        Assert.Equal([0x0F, 0x01, 0x15], ram[(int)(At + 5)..(int)(At + 8)]);
        ulong gdtr = At + 0x0C + BinaryPrimitives.ReadUInt32LittleEndian(ram.AsSpan((int)At + 8));
        Assert.Equal(23, BinaryPrimitives.ReadUInt16LittleEndian(ram.AsSpan((int)gdtr)));
        ulong gdt = BinaryPrimitives.ReadUInt64LittleEndian(ram.AsSpan((int)gdtr + 2));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(ram.AsSpan((int)gdt)));
        ulong code = BinaryPrimitives.ReadUInt64LittleEndian(ram.AsSpan((int)gdt + 8));
        ulong data = BinaryPrimitives.ReadUInt64LittleEndian(ram.AsSpan((int)gdt + 16));
        // Base 0, limit 0xFFFFF in 4 KiB units, present, DPL 0; code: execute/read, D=1, L=0; data: read/write.
        Assert.Equal(0x9AUL, (code >> 40) & 0xFF);
        Assert.Equal(0xCUL, (code >> 52) & 0xF);
        Assert.Equal(0x92UL, (data >> 40) & 0xFF);
        Assert.Equal(0xFFFFUL | (0xFUL << 48), code & (0xFFFFUL | (0xFUL << 48)));
    }

    [Fact]
    public void TheFarReturn_GoesToSelector8_AtThe32BitPart()
    {
        byte[] ram = Write();
        Assert.Equal([0x6A, 0x08], ram[(int)(At + 0x0C)..(int)(At + 0x0E)]);           // push 8
        uint disp = BinaryPrimitives.ReadUInt32LittleEndian(ram.AsSpan((int)At + 0x11)); // lea rax, [rip + disp]
        ulong target = At + 0x15 + disp;
        Assert.Equal([0x48, 0xCB], ram[(int)(At + 0x16)..(int)(At + 0x18)]);           // retfq
        Assert.Equal(0xB8, ram[target]);                                                 // mov eax, 0x10 (data selector)
        Assert.Equal(0x10u, BinaryPrimitives.ReadUInt32LittleEndian(ram.AsSpan((int)target + 1)));
    }

    [Fact]
    public void The32BitPart_ClearsPagingLmeAndPae_ThenJumpsWithEbx()
    {
        byte[] ram = Write(entry: 0x0123_4567, startInfo: 0x7000);
        ReadOnlySpan<byte> code = ram.AsSpan((int)At + 0x40, 0x60);
        Assert.True(code.IndexOf((byte[])[0x25, 0xFF, 0xFF, 0xFF, 0x7F, 0x0F, 0x22, 0xC0]) >= 0);  // and eax, ~PG; mov cr0, eax
        Assert.True(code.IndexOf((byte[])[0xB9, 0x80, 0x00, 0x00, 0xC0, 0x0F, 0x32, 0x25, 0xFF, 0xFE, 0xFF, 0xFF, 0x0F, 0x30]) >= 0); // EFER.LME off
        Assert.True(code.IndexOf((byte[])[0x83, 0xE0, 0xDF, 0x0F, 0x22, 0xE0]) >= 0);               // CR4.PAE off
        Assert.True(code.IndexOf((byte[])[0xBB, 0x00, 0x70, 0x00, 0x00, 0xB8, 0x67, 0x45, 0x23, 0x01, 0xFF, 0xE0]) >= 0);
        // PG is cleared before LME (the SDM's order for leaving IA-32e mode).
        Assert.True(code.IndexOf((byte[])[0x0F, 0x22, 0xC0]) < code.IndexOf((byte[])[0x0F, 0x30]));
    }

    [Fact]
    public void TheStack_IsThePageAboveTheTrampoline()
    {
        byte[] ram = Write();
        Assert.Equal(0xBC, ram[At]);
        Assert.Equal((uint)At + 0x2000, BinaryPrimitives.ReadUInt32LittleEndian(ram.AsSpan((int)At + 1)));
    }
}
