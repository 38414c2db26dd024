using System.Buffers.Binary;
using System.Text;

namespace Zircon.Vmm.Boot.Acpi;

/// <summary>
/// ACPI's common pieces (ACPI 6.5, 5.2): the 36-byte system description table header, the
/// checksum rule (all bytes of a table sum to 0 mod 256) and the Generic Address Structure.
/// </summary>
public static class AcpiTable
{
    public const int HeaderSize = 36;
    public const int ChecksumOffset = 9;
    public const string OemId = "ZXVM  ", OemTableId = "ZXVMLINX", CreatorId = "ZXVM";

    /// <summary>A table with its header filled and the checksum left 0 (see <see cref="Seal"/>).</summary>
    public static byte[] Create(string signature, byte revision, int length)
    {
        var table = new byte[length];
        Encoding.ASCII.GetBytes(signature, table);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4), (uint)length);
        table[8] = revision;
        Encoding.ASCII.GetBytes(OemId, table.AsSpan(10));
        Encoding.ASCII.GetBytes(OemTableId, table.AsSpan(16));
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(24), 1);
        Encoding.ASCII.GetBytes(CreatorId, table.AsSpan(28));
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(32), 1);
        return table;
    }

    /// <summary>Sets the checksum byte at <paramref name="checksumOffset"/> so <paramref name="bytes"/> sums to 0.</summary>
    public static void Seal(Span<byte> bytes, int checksumOffset = ChecksumOffset)
    {
        bytes[checksumOffset] = 0;
        bytes[checksumOffset] = (byte)(0x100 - Sum(bytes));
    }

    /// <summary>The byte sum mod 256 (0 for a valid table).</summary>
    public static byte Sum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes)
            sum += b;
        return sum;
    }

    /// <summary>Address space ids of a Generic Address Structure.</summary>
    public const byte SystemIo = 1;

    /// <summary>Writes a 12-byte Generic Address Structure for a byte-wide I/O port.</summary>
    public static void WriteIoPort(Span<byte> gas, ushort port)
    {
        gas[0] = SystemIo;
        gas[1] = 8;  // register bit width
        gas[2] = 0;  // bit offset
        gas[3] = 1;  // access size: byte
        BinaryPrimitives.WriteUInt64LittleEndian(gas[4..], port);
    }
}
