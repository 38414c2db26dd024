using Zircon.TestSupport;

namespace Zxvm.Tests.Support;

/// <summary>Tiny hand-assembled guest images for <c>zxvm run --image</c>.</summary>
public static class GuestImages
{
    /// <summary>Raw: mov al, 42; mov dx, 0x600; out dx, al; hlt — powers off with code 42.</summary>
    public static readonly byte[] PowerOff42 = [0xB0, 0x2A, 0x66, 0xBA, 0x00, 0x06, 0xEE, 0xF4];

    /// <summary>Raw: ud2 with no IDT of its own (the initial IDT has no valid gates): a triple fault.</summary>
    public static readonly byte[] Ud2 = [0x0F, 0x0B];

    /// <summary>Raw: out 0x80, al — a port nothing traps.</summary>
    public static readonly byte[] OutToPort80 = [0xE6, 0x80, 0xF4];

    /// <summary>Raw: ud2 at +0, the power-off-with-42 program at +2 (for <c>--entry 0x100002</c>).</summary>
    public static readonly byte[] Ud2ThenPowerOff42 = [0x0F, 0x0B, .. PowerOff42];

    /// <summary>
    /// ELF64: a code segment at 0x200000 whose first 16 bytes are ud2s and whose entry point (+0x10)
    /// loads the byte at 0x300000 (42, from a second segment with .bss after it), adds the .bss byte at
    /// 0x300010 (0) and powers off with the sum. A wrong entry point or misplaced segment cannot give 42.
    /// </summary>
    public static byte[] ElfPowerOff42()
    {
        byte[] code =
        [
            0x0F, 0x0B, 0x0F, 0x0B, 0x0F, 0x0B, 0x0F, 0x0B, 0x0F, 0x0B, 0x0F, 0x0B, 0x0F, 0x0B, 0x0F, 0x0B,
            0x8A, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00, // mov al, [0x300000]
            0x02, 0x04, 0x25, 0x10, 0x00, 0x30, 0x00, // add al, [0x300010]
            0x66, 0xBA, 0x00, 0x06,                   // mov dx, 0x600
            0xEE, 0xF4,                               // out dx, al; hlt
        ];
        byte[] data = new byte[16];
        data[0] = 42;
        return new ElfBuilder { Entry = 0x20_0010 }
            .Load(0x20_0000, code)
            .Load(0x30_0000, data, memorySize: 0x1000)
            .Build();
    }
}
