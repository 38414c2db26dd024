using System.Buffers.Binary;
using System.Text;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Machine;

/// <summary>The boot page tables and boot information of docs/zxvm-machine.md (GuestRam needs a guest, so KVM).</summary>
public sealed class BootLayoutTests
{
    private const ulong PresentWritableUser = 0x7, LargePage = 0x80;

    private static ulong Entry(GuestRam ram, ulong address) => BinaryPrimitives.ReadUInt64LittleEndian(ram.Bytes[(int)address..]);

    [Fact]
    public void Constants_MatchTheMachineDocument()
    {
        Assert.Equal(0x0000UL, BootLayout.Pml4);
        Assert.Equal(0x1000UL, BootLayout.Pdpt);
        Assert.Equal(0x2000UL, BootLayout.PageDirectories);
        Assert.Equal(0x6000UL, BootLayout.BootInfo);
        Assert.Equal(0x7000UL, BootLayout.FirstFreeAddress);
        Assert.Equal("ZXVMBOOT", Encoding.ASCII.GetString(BitConverter.GetBytes(BootLayout.BootMagic)));
    }

    [KvmFact]
    public void PageTables_IdentityMapFourGiBWithTwoMiBPages()
    {
        using var ram = new TestRam();
        ram.Ram.Bytes[..0x7000].Fill(0xAB); // garbage must not survive

        BootLayout.WritePageTables(ram.Ram);

        Assert.Equal(0x1000 | PresentWritableUser, Entry(ram.Ram, 0));
        for (ulong i = 1; i < 512; i++)
            Assert.Equal(0UL, Entry(ram.Ram, i * 8));
        for (ulong gib = 0; gib < 4; gib++)
            Assert.Equal((0x2000 + gib * 0x1000) | PresentWritableUser, Entry(ram.Ram, 0x1000 + gib * 8));
        for (ulong i = 4; i < 512; i++)
            Assert.Equal(0UL, Entry(ram.Ram, 0x1000 + i * 8));
        for (ulong page = 0; page < 2048; page++)
            Assert.Equal((page << 21) | PresentWritableUser | LargePage, Entry(ram.Ram, 0x2000 + page * 8));
    }

    [KvmTheory]
    [InlineData(0x10_0000UL)]   // where images load
    [InlineData(0xD000_0000UL)] // virtio windows
    [InlineData(0xFEE0_00B0UL)] // local APIC EOI
    [InlineData(0xFFFF_FFFFUL)]
    public void PageTables_TranslateAddressesToThemselves(ulong address)
    {
        using var ram = new TestRam();
        BootLayout.WritePageTables(ram.Ram);

        ulong pml4e = Entry(ram.Ram, BootLayout.Pml4 + ((address >> 39) & 511) * 8);
        ulong pdpte = Entry(ram.Ram, (pml4e & ~0xFFFUL) + ((address >> 30) & 511) * 8);
        ulong pde = Entry(ram.Ram, (pdpte & ~0xFFFUL) + ((address >> 21) & 511) * 8);

        Assert.Equal(PresentWritableUser, pml4e & PresentWritableUser);
        Assert.Equal(PresentWritableUser, pdpte & PresentWritableUser);
        Assert.Equal(LargePage | PresentWritableUser, pde & (LargePage | PresentWritableUser));
        Assert.Equal(address, (pde & ~0x1F_FFFFUL & 0x000F_FFFF_FFFF_F000) | (address & 0x1F_FFFF));
    }

    [KvmFact]
    public void BootInfo_HoldsMagicRamSizeTimerAndDisk()
    {
        using var ram = new TestRam(16UL << 20);
        BootLayout.WritePageTables(ram.Ram);

        BootLayout.WriteBootInfo(ram.Ram, timerPeriodMicroseconds: 2500, diskSectors: 2048);

        Assert.Equal(BootLayout.BootMagic, Entry(ram.Ram, 0x6000));
        Assert.Equal(16UL << 20, Entry(ram.Ram, 0x6008));
        Assert.Equal(2500UL, Entry(ram.Ram, 0x6010));
        Assert.Equal(2048UL, Entry(ram.Ram, 0x6018));
        Assert.Equal(1UL, Entry(ram.Ram, 0x6020)); // processors
        BootLayout.WriteBootInfo(ram.Ram, timerPeriodMicroseconds: 2500, diskSectors: 2048, processors: 3);
        Assert.Equal(3UL, Entry(ram.Ram, 0x6020));
        Assert.Equal("ZXVMBOOT", Encoding.ASCII.GetString(ram.Ram.Bytes.Slice(0x6000, 8)));
    }
}
