using Zircon.TestSupport;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Machine;

public sealed class BootImageTests
{
    private static readonly byte[] Code = [0xB0, 0x2A, 0x66, 0xBA, 0x00, 0x06, 0xEE, 0xF4]; // mov al, 42; mov dx, 0x600; out dx, al; hlt

    private static ElfBuilder Elf(ulong entry = 0x20_0000) => new() { Entry = entry };

    private static void AssertOneLine(BootImageException e)
    {
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
    }

    private static BootImageException ParseFails(byte[] bytes)
    {
        var e = Assert.Throws<BootImageException>(() => BootImage.Parse(bytes));
        AssertOneLine(e);
        return e;
    }

    // ---- raw images ----

    [Fact]
    public void Raw_LoadsAtOneMiBAndStartsAtItsFirstByte()
    {
        BootImage image = BootImage.Parse(Code);

        Assert.Equal("raw", image.Kind);
        Assert.Equal(BootLayout.DefaultLoadAddress, image.Entry);
        Assert.Equal(0x10_0000UL, image.Entry);
        Assert.Equal((ulong)Code.Length, image.LoadedSize);
    }

    [Theory]
    [InlineData(new byte[] { 0x7F })]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C })]          // "\x7fEL": too short to be ELF
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46 - 1, 0, 0 })]
    public void ShortOrNonElfBytes_AreRaw(byte[] bytes) => Assert.Equal("raw", BootImage.Parse(bytes).Kind);

    [Fact]
    public void Empty_IsRejected() => Assert.Equal("the image is empty", ParseFails([]).Message);

    [Fact]
    public void Null_IsRejected() => Assert.Throws<ArgumentNullException>(() => BootImage.Parse(null!));

    // ---- ELF64 ----

    [Fact]
    public void Elf_EntryKindAndLoadedSizeIncludeBss()
    {
        byte[] file = Elf(0x20_0004).Load(0x20_0000, Code, memorySize: 0x1000).Load(0x30_0000, [1, 2, 3]).Build();

        BootImage image = BootImage.Parse(file);

        Assert.Equal("ELF64", image.Kind);
        Assert.Equal(0x20_0004UL, image.Entry);
        Assert.Equal(0x1000UL + 3, image.LoadedSize);
    }

    [Fact]
    public void Elf_NonLoadSegmentsAreIgnored()
    {
        ElfBuilder elf = Elf().Load(0x20_0000, Code);
        elf.Segments.Add(new ElfSegment(ElfBuilder.PtNote, 0, 0, new byte[40], 40));

        BootImage image = BootImage.Parse(elf.Build());

        Assert.Equal((ulong)Code.Length, image.LoadedSize);
    }

    [Fact]
    public void Elf_BssOnlySegment_IsAccepted()
    {
        BootImage image = BootImage.Parse(Elf().Load(0x20_0000, Code).Load(0x40_0000, [], memorySize: 0x2000).Build());

        Assert.Equal((ulong)Code.Length + 0x2000, image.LoadedSize);
    }

    [Fact]
    public void Elf_TruncatedHeader_IsRejected()
    {
        byte[] file = Elf().Load(0x20_0000, Code).Build()[..40];

        Assert.Equal("truncated ELF header", ParseFails(file).Message);
    }

    [Fact]
    public void Elf_MagicOnly_IsATruncatedHeader() =>
        Assert.Equal("truncated ELF header", ParseFails([0x7F, (byte)'E', (byte)'L', (byte)'F']).Message);

    [Fact]
    public void Elf_32Bit_IsRejected()
    {
        ElfBuilder elf = Elf().Load(0x20_0000, Code);
        elf.Class = 1; // ELFCLASS32

        Assert.Contains("64-bit", ParseFails(elf.Build()).Message);
    }

    [Fact]
    public void Elf_BigEndian_IsRejected()
    {
        ElfBuilder elf = Elf().Load(0x20_0000, Code);
        elf.DataEncoding = 2; // ELFDATA2MSB

        Assert.Contains("little-endian", ParseFails(elf.Build()).Message);
    }

    [Theory]
    [InlineData((ushort)3)]   // EM_386
    [InlineData((ushort)183)] // EM_AARCH64
    [InlineData((ushort)0)]
    public void Elf_WrongMachine_IsRejected(ushort machine)
    {
        ElfBuilder elf = Elf().Load(0x20_0000, Code);
        elf.Machine = machine;

        Assert.Contains("x86-64", ParseFails(elf.Build()).Message);
    }

    [Fact]
    public void Elf_SegmentOffsetBeyondTheFile_IsRejected()
    {
        ElfBuilder elf = Elf();
        elf.Segments.Add(new ElfSegment(ElfBuilder.PtLoad, 0x20_0000, 0x20_0000, Code, (ulong)Code.Length) { FileOffset = 0x10_0000 });

        Assert.Equal("ELF segment 0 lies outside the file", ParseFails(elf.Build()).Message);
    }

    [Fact]
    public void Elf_SegmentRunningPastTheEndOfTheFile_IsRejected()
    {
        ElfBuilder elf = Elf().Load(0x20_0000, Code);
        elf.Segments.Add(new ElfSegment(ElfBuilder.PtLoad, 0x30_0000, 0x30_0000, Code, 0x1000) { FileSize = 0x800 });

        Assert.Equal("ELF segment 1 lies outside the file", ParseFails(elf.Build()).Message);
    }

    [Theory]
    [InlineData(ulong.MaxValue, 8UL)]
    [InlineData(0x40UL, ulong.MaxValue)]
    public void Elf_SegmentWithHugeOffsetOrSize_IsRejected(ulong fileOffset, ulong fileSize)
    {
        ElfBuilder elf = Elf();
        elf.Segments.Add(new ElfSegment(ElfBuilder.PtLoad, 0x20_0000, 0x20_0000, Code, ulong.MaxValue) { FileOffset = fileOffset, FileSize = fileSize });

        Assert.Contains("outside the file", ParseFails(elf.Build()).Message);
    }

    [Fact]
    public void Elf_FileSizeAboveMemorySize_IsRejected()
    {
        ElfBuilder elf = Elf();
        elf.Segments.Add(new ElfSegment(ElfBuilder.PtLoad, 0x20_0000, 0x20_0000, Code, 2));

        ParseFails(elf.Build());
    }

    [Fact]
    public void Elf_ProgramHeadersBeyondTheFile_AreRejected()
    {
        ElfBuilder elf = Elf().Load(0x20_0000, Code);
        elf.ProgramHeaderOffset = 0x10_0000;

        Assert.Contains("program headers", ParseFails(elf.Build()).Message);
    }

    [Fact]
    public void Elf_TooManyProgramHeaders_AreRejected()
    {
        ElfBuilder elf = Elf().Load(0x20_0000, Code);
        elf.ProgramHeaderCount = 1000;

        Assert.Contains("program headers", ParseFails(elf.Build()).Message);
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)32)] // an ELF32 program header size
    public void Elf_ShortProgramHeaderEntries_AreRejected(ushort entrySize)
    {
        ElfBuilder elf = Elf().Load(0x20_0000, Code);
        elf.ProgramHeaderEntrySize = entrySize;

        ParseFails(elf.Build());
    }

    [Fact]
    public void Elf_NoProgramHeaders_IsRejected()
    {
        Assert.Equal("ELF image has no loadable segments", ParseFails(Elf().Build()).Message);
    }

    [Fact]
    public void Elf_NoLoadSegment_IsRejected()
    {
        ElfBuilder elf = Elf();
        elf.Segments.Add(new ElfSegment(ElfBuilder.PtNote, 0, 0, new byte[16], 16));

        Assert.Equal("ELF image has no loadable segments", ParseFails(elf.Build()).Message);
    }

    // ---- loading into guest RAM (needs a guest) ----

    [KvmFact]
    public void LoadInto_Raw_CopiesTheBytesToOneMiB()
    {
        using var ram = new TestRam();

        BootImage.Parse(Code).LoadInto(ram.Ram);

        Assert.Equal(Code, ram.Ram.Bytes.Slice(0x10_0000, Code.Length).ToArray());
    }

    [KvmFact]
    public void LoadInto_Elf_PlacesSegmentsAtTheirPhysicalAddressesAndZeroesBss()
    {
        using var ram = new TestRam();
        ram.Ram.Bytes.Slice(0x20_0000, 0x30_0000).Fill(0xCC);
        var elf = Elf();
        elf.Segments.Add(new ElfSegment(ElfBuilder.PtLoad, 0xFFFF_FFFF_8020_0000, 0x20_0000, Code, 0x100)); // vaddr high, paddr used
        elf.Segments.Add(new ElfSegment(ElfBuilder.PtLoad, 0x40_0000, 0, [9, 8, 7], 3));                   // paddr 0: vaddr used

        BootImage.Parse(elf.Build()).LoadInto(ram.Ram);

        Span<byte> m = ram.Ram.Bytes;
        Assert.Equal(Code, m.Slice(0x20_0000, Code.Length).ToArray());
        Assert.All(m.Slice(0x20_0000 + Code.Length, 0x100 - Code.Length).ToArray(), b => Assert.Equal(0, b)); // .bss cleared
        Assert.Equal(0xCC, m[0x20_0100]);                                                                   // nothing past memsz
        Assert.Equal(new byte[] { 9, 8, 7 }, m.Slice(0x40_0000, 3).ToArray());
    }

    [KvmFact]
    public void LoadInto_SegmentEndingAtTheEndOfRam_Fits()
    {
        using var ram = new TestRam(8UL << 20);
        byte[] file = Elf().Load((8UL << 20) - 0x1000, Code, memorySize: 0x1000).Build();

        BootImage.Parse(file).LoadInto(ram.Ram);

        Assert.Equal(Code, ram.Ram.Bytes.Slice((8 << 20) - 0x1000, Code.Length).ToArray());
    }

    [KvmFact]
    public void LoadInto_SegmentPastTheEndOfRam_IsRejectedInOneLine()
    {
        using var ram = new TestRam(8UL << 20);
        byte[] file = Elf().Load((8UL << 20) - 0x1000, Code, memorySize: 0x1001).Build();

        var e = Assert.Throws<BootImageException>(() => BootImage.Parse(file).LoadInto(ram.Ram));
        AssertOneLine(e);
        Assert.Contains("does not fit", e.Message);
    }

    [KvmTheory]
    [InlineData(0UL)]      // over the boot page tables
    [InlineData(0x6000UL)] // over the boot information
    [InlineData(0x1_0000_0000UL)]
    public void LoadInto_SegmentOutsideUsableRam_IsRejected(ulong address)
    {
        using var ram = new TestRam();
        byte[] file = Elf().Load(address, Code).Build();
        BootImage image = BootImage.Parse(file);

        var e = Assert.Throws<BootImageException>(() => image.LoadInto(ram.Ram));
        AssertOneLine(e);
    }

    [KvmFact]
    public void LoadInto_RawImageLargerThanRam_IsRejected()
    {
        using var ram = new TestRam(8UL << 20);
        BootImage image = BootImage.Parse(new byte[8 << 20]);

        var e = Assert.Throws<BootImageException>(() => image.LoadInto(ram.Ram));
        AssertOneLine(e);
    }
}
