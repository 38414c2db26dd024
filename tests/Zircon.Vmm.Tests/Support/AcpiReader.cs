using System.Buffers.Binary;
using System.Text;

namespace Zircon.Vmm.Tests.Support;

/// <summary>
/// Reads ACPI tables back the way an OS does (ACPI 6.5 chapter 5): RSDP → XSDT → tables, checking
/// every checksum, and walks the DSDT's AML subset (Scope, Device, Name of integers, strings,
/// buffers and packages), checking every PkgLength. Independent of the builder's code.
/// </summary>
public sealed class AcpiReader
{
    private readonly byte[] _memory;
    private readonly ulong _base;

    public AcpiReader(byte[] memory, ulong baseAddress)
    {
        _memory = memory;
        _base = baseAddress;
    }

    public ReadOnlySpan<byte> At(ulong address, int length) => _memory.AsSpan((int)(address - _base), length);

    /// <summary>The table at <paramref name="address"/> (its header's length), checksum verified.</summary>
    public byte[] Table(ulong address)
    {
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(At(address + 4, 4));
        byte[] table = At(address, length).ToArray();
        Assert.Equal(0, Sum(table));
        return table;
    }

    public static byte Sum(ReadOnlySpan<byte> bytes)
    {
        byte s = 0;
        foreach (byte b in bytes)
            s += b;
        return s;
    }

    public static string Signature(byte[] table) => Encoding.ASCII.GetString(table, 0, 4);

    /// <summary>A named object found in the AML: its path and its value's raw encoding.</summary>
    public readonly record struct AmlName(string Path, byte[] Value);

    /// <summary>Walks a DSDT body; every named object with its full path ("\_SB_.COM1._HID").</summary>
    public static List<AmlName> WalkAml(ReadOnlySpan<byte> aml)
    {
        var names = new List<AmlName>();
        Walk(aml, "", names);
        return names;
    }

    private static void Walk(ReadOnlySpan<byte> aml, string scope, List<AmlName> names)
    {
        int i = 0;
        while (i < aml.Length)
        {
            switch (aml[i])
            {
                case 0x10: // ScopeOp
                {
                    (int length, int size) = PkgLength(aml[(i + 1)..]);
                    ReadOnlySpan<byte> body = aml.Slice(i + 1, length);
                    (string name, int nameSize) = NameString(body[size..]);
                    Walk(body[(size + nameSize)..], name, names);
                    i += 1 + length;
                    break;
                }
                case 0x5B when aml[i + 1] == 0x82: // DeviceOp
                {
                    (int length, int size) = PkgLength(aml[(i + 2)..]);
                    ReadOnlySpan<byte> body = aml.Slice(i + 2, length);
                    (string name, int nameSize) = NameString(body[size..]);
                    Walk(body[(size + nameSize)..], scope + "." + name, names);
                    i += 2 + length;
                    break;
                }
                case 0x08: // NameOp
                {
                    (string name, int nameSize) = NameString(aml[(i + 1)..]);
                    int valueAt = i + 1 + nameSize;
                    int valueSize = DataSize(aml[valueAt..]);
                    names.Add(new AmlName(name.StartsWith('\\') ? name : scope + "." + name, aml.Slice(valueAt, valueSize).ToArray()));
                    i = valueAt + valueSize;
                    break;
                }
                default:
                    throw new InvalidDataException($"unexpected AML opcode 0x{aml[i]:x2} at {i}");
            }
        }
        Assert.Equal(aml.Length, i); // every PkgLength ended exactly where its parent did
    }

    private static int DataSize(ReadOnlySpan<byte> d) => d[0] switch
    {
        0x00 or 0x01 or 0xFF => 1,
        0x0A => 2,
        0x0B => 3,
        0x0C => 5,
        0x0D => d.IndexOf((byte)0) + 1,
        0x11 or 0x12 => 1 + PkgLength(d[1..]).Length,
        _ => throw new InvalidDataException($"unexpected data opcode 0x{d[0]:x2}"),
    };

    /// <summary>PkgLength: (value, bytes it occupies).</summary>
    public static (int Length, int Size) PkgLength(ReadOnlySpan<byte> b)
    {
        int follow = b[0] >> 6;
        if (follow == 0)
            return (b[0] & 0x3F, 1);
        int value = b[0] & 0x0F;
        for (int k = 1; k <= follow; k++)
            value |= b[k] << (4 + 8 * (k - 1));
        return (value, follow + 1);
    }

    private static (string, int) NameString(ReadOnlySpan<byte> b)
    {
        string prefix = b[0] == 0x5C ? "\\" : "";
        int at = prefix.Length;
        if (b[at] == 0x2E)
            return (prefix + Encoding.ASCII.GetString(b.Slice(at + 1, 4)) + "." + Encoding.ASCII.GetString(b.Slice(at + 5, 4)), at + 9);
        return (prefix + Encoding.ASCII.GetString(b.Slice(at, 4)), at + 4);
    }
}
