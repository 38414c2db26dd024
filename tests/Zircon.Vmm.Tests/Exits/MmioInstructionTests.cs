using Zircon.Vmm.Exits;

namespace Zircon.Vmm.Tests.Exits;

public sealed class MmioInstructionTests
{
    private const ulong Ones = 0xFFFF_FFFF_FFFF_FFFF;
    private const ulong Pattern = 0x1111_2222_3333_4444;

    private static MmioInstruction Load(MmioOperation operation, int size, int registerSize) =>
        new(operation, size, GuestRegister.Rax, registerSize, 0);

    [Fact]
    public void Load64_ReplacesTheRegister() =>
        Assert.Equal(0x0123_4567_89AB_CDEFUL, Load(MmioOperation.Load, 8, 8).ApplyLoad(Ones, 0x0123_4567_89AB_CDEF));

    [Fact]
    public void Load32_ZeroExtendsIntoTheUpperHalf() =>
        Assert.Equal(0x8765_4321UL, Load(MmioOperation.Load, 4, 4).ApplyLoad(Ones, 0x8765_4321));

    [Fact]
    public void Load16_MergesIntoTheLowWord() =>
        Assert.Equal(0x1111_2222_3333_ABCDUL, Load(MmioOperation.Load, 2, 2).ApplyLoad(Pattern, 0xABCD));

    [Fact]
    public void Load8_MergesIntoTheLowByte() =>
        Assert.Equal(0x1111_2222_3333_44ABUL, Load(MmioOperation.Load, 1, 1).ApplyLoad(Pattern, 0xAB));

    [Fact]
    public void Load_IgnoresLoadedBitsAboveTheAccessSize()
    {
        Assert.Equal(0x1111_2222_3333_1234UL, Load(MmioOperation.Load, 2, 2).ApplyLoad(Pattern, 0xFFFF_1234));
        Assert.Equal(0x1234UL, Load(MmioOperation.Load, 2, 4).ApplyLoad(Pattern, 0xFFFF_1234));
    }

    [Theory]
    [InlineData(1, 4, 0x80UL, 0x80UL)]                      // movzx r32, byte: upper half cleared
    [InlineData(2, 4, 0xFFFFUL, 0xFFFFUL)]                  // movzx r32, word
    [InlineData(1, 8, 0xFFUL, 0xFFUL)]                      // movzx r64, byte
    [InlineData(2, 8, 0x8000UL, 0x8000UL)]                  // movzx r64, word
    public void ZeroExtend_ClearsEverythingAboveTheLoadedValue(int size, int registerSize, ulong loaded, ulong expected) =>
        Assert.Equal(expected, Load(MmioOperation.LoadZeroExtend, size, registerSize).ApplyLoad(Ones, loaded));

    [Fact]
    public void ZeroExtendInto16BitRegister_KeepsBits16AndUp() =>
        Assert.Equal(0x1111_2222_3333_0080UL, Load(MmioOperation.LoadZeroExtend, 1, 2).ApplyLoad(Pattern, 0x80));

    [Theory]
    [InlineData(1, 8, 0x80UL, 0xFFFF_FFFF_FFFF_FF80UL)]     // movsx r64, byte
    [InlineData(1, 8, 0x7FUL, 0x7FUL)]
    [InlineData(2, 8, 0x8001UL, 0xFFFF_FFFF_FFFF_8001UL)]   // movsx r64, word
    [InlineData(4, 8, 0x8000_0000UL, 0xFFFF_FFFF_8000_0000UL)] // movsxd r64, dword
    [InlineData(4, 8, 0x7FFF_FFFFUL, 0x7FFF_FFFFUL)]
    [InlineData(1, 4, 0x80UL, 0xFFFF_FF80UL)]               // movsx r32, byte: sign-extends to 32 bits, upper half zero
    [InlineData(2, 4, 0xFFFEUL, 0xFFFF_FFFEUL)]             // movsx r32, word
    public void SignExtend_CopiesTheSignBitUpToTheRegisterSize(int size, int registerSize, ulong loaded, ulong expected) =>
        Assert.Equal(expected, Load(MmioOperation.LoadSignExtend, size, registerSize).ApplyLoad(0, loaded));

    [Fact]
    public void SignExtendInto16BitRegister_MergesTheLowWord() =>
        Assert.Equal(0x1111_2222_3333_FF80UL, Load(MmioOperation.LoadSignExtend, 1, 2).ApplyLoad(Pattern, 0x80));

    [Fact]
    public void SignExtend_IgnoresLoadedBitsAboveTheAccessSize() =>
        Assert.Equal(0x12UL, Load(MmioOperation.LoadSignExtend, 1, 8).ApplyLoad(0, 0xFF12));

    [Theory]
    [InlineData(new byte[] { 0x0F, 0xBE, 0x01 }, 0x80UL, 0xFFFF_FF80UL)]                     // movsx eax, byte [rcx]
    [InlineData(new byte[] { 0x48, 0x63, 0x01 }, 0xFFFF_FFFFUL, 0xFFFF_FFFF_FFFF_FFFFUL)]   // movsxd rax, dword [rcx]
    [InlineData(new byte[] { 0x0F, 0xB6, 0x01 }, 0xFFUL, 0xFFUL)]                            // movzx eax, byte [rcx]
    [InlineData(new byte[] { 0x8B, 0x01 }, 0x1234UL, 0x1234UL)]                              // mov eax, [rcx]
    [InlineData(new byte[] { 0x8A, 0x01 }, 0x5AUL, 0x1111_2222_3333_445AUL)]                 // mov al, [rcx]
    [InlineData(new byte[] { 0x66, 0x8B, 0x01 }, 0x5AA5UL, 0x1111_2222_3333_5AA5UL)]         // mov ax, [rcx]
    public void DecodedLoads_UpdateTheRegisterAsTheCpuWould(byte[] bytes, ulong loaded, ulong expected)
    {
        Assert.True(MmioInstruction.TryDecode(bytes, out MmioInstruction instruction, out string? error), error);

        Assert.Equal(expected, instruction.ApplyLoad(Pattern, loaded));
    }

    [Fact]
    public void TryDecode_Unsupported_ExplainsInOneLine()
    {
        Assert.False(MmioInstruction.TryDecode([0x01, 0x08], out _, out string? error)); // add [rax], ecx

        Assert.NotNull(error);
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("unsupported MMIO instruction", error);
    }
}
