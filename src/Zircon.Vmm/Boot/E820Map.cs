namespace Zircon.Vmm.Boot;

/// <summary>Memory types of the BIOS e820 map (the values hvm_start_info's memory map uses too).</summary>
public enum E820Type : uint
{
    Ram = 1,
    Reserved = 2,
    AcpiReclaimable = 3,
}

/// <summary>One e820 entry: <see cref="Size"/> bytes at <see cref="Address"/>.</summary>
public readonly record struct E820Entry(ulong Address, ulong Size, E820Type Type)
{
    public ulong End => Address + Size;

    public override string ToString() => $"[mem 0x{Address:x16}-0x{End - 1:x16}] {Type}";
}
