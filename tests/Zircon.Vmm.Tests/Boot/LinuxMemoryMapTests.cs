using Zircon.Vmm.Boot;

namespace Zircon.Vmm.Tests.Boot;

public class LinuxMemoryMapTests
{
    [Fact]
    public void TheMap_IsLowRam_TheReservedLegacyHole_ThenRamToTheEnd()
    {
        var map = new LinuxMemoryMap(256UL << 20);
        Assert.Equal(
            [new E820Entry(0, 0x9_FC00, E820Type.Ram), new E820Entry(0x9_FC00, 0x6_0400, E820Type.Reserved), new E820Entry(0x10_0000, (256UL << 20) - 0x10_0000, E820Type.Ram)],
            map.Entries);
    }

    [Fact]
    public void IsRam_RefusesRangesThatStartInOnePieceAndEndBeyondIt()
    {
        // Regression: a range starting above a smaller entry's end wrapped the unsigned subtraction
        // and counted as RAM, so a kernel larger than RAM was accepted.
        var map = new LinuxMemoryMap(48UL << 20);
        Assert.False(map.IsRam(0x100_0000, 0x337_8000));
        Assert.True(map.IsRam(0x100_0000, 0x200_0000));
        Assert.False(map.IsRam(0xA_0000, 0x1000));
        Assert.False(map.IsRam(48UL << 20, 1));
    }

    [Fact]
    public void LessThanTheMinimum_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinuxMemoryMap(16UL << 20));
}
