namespace Zircon.Vmm.Tests.Machine;

/// <summary>Tiny hand-assembled 64-bit guests (raw images: they start at their first byte).</summary>
internal static class GuestPrograms
{
    /// <summary>mov al, 42; mov dx, 0x600; out dx, al; hlt — powers off with code 42.</summary>
    public static readonly byte[] PowerOff42 = [0xB0, 0x2A, 0x66, 0xBA, 0x00, 0x06, 0xEE, 0xF4];

    /// <summary>Writes "hi" to the UART's THR (0x3F8), then powers off with code 7.</summary>
    public static readonly byte[] UartHiThenPowerOff7 =
    [
        0x66, 0xBA, 0xF8, 0x03, // mov dx, 0x3f8
        0xB0, 0x68, 0xEE,       // mov al, 'h'; out dx, al
        0xB0, 0x69, 0xEE,       // mov al, 'i'; out dx, al
        0xB0, 0x07,             // mov al, 7
        0x66, 0xBA, 0x00, 0x06, // mov dx, 0x600
        0xEE, 0xF4,             // out dx, al; hlt
    ];

    /// <summary>Powers off with (RAM size in MiB) read from the boot information at RDI + 8.</summary>
    public static readonly byte[] PowerOffWithRamMiB =
    [
        0x48, 0x8B, 0x47, 0x08, // mov rax, [rdi+8]
        0x48, 0xC1, 0xE8, 0x14, // shr rax, 20
        0x66, 0xBA, 0x00, 0x06, // mov dx, 0x600
        0xEE, 0xF4,             // out dx, al; hlt
    ];

    /// <summary>
    /// Through virtio-console's register page (MMIO): stores Status = 1 (immediate), then 3
    /// (register), loads it back into R9D and DeviceID into R10 (MOVSXD), and powers off with
    /// (status &lt;&lt; 4) | device id = 0x33.
    /// </summary>
    public static readonly byte[] VirtioRegistersThenPowerOff =
    [
        0xBB, 0x00, 0x00, 0x00, 0xD0,             // mov ebx, 0xd0000000
        0xC7, 0x43, 0x70, 0x01, 0x00, 0x00, 0x00, // mov dword [rbx+0x70], 1
        0xB9, 0x03, 0x00, 0x00, 0x00,             // mov ecx, 3
        0x89, 0x4B, 0x70,                         // mov [rbx+0x70], ecx
        0x44, 0x8B, 0x4B, 0x70,                   // mov r9d, [rbx+0x70]
        0x4C, 0x63, 0x53, 0x08,                   // movsxd r10, dword [rbx+8]
        0x41, 0xC1, 0xE1, 0x04,                   // shl r9d, 4
        0x45, 0x09, 0xD1,                         // or r9d, r10d
        0x44, 0x89, 0xC8,                         // mov eax, r9d
        0x66, 0xBA, 0x00, 0x06,                   // mov dx, 0x600
        0xEE, 0xF4,                               // out dx, al; hlt
    ];

    /// <summary>jmp $ — runs until stopped.</summary>
    public static readonly byte[] Spin = [0xEB, 0xFE];

    /// <summary>out 0x80, al — a port with no device.</summary>
    public static readonly byte[] OutToPort80 = [0xE6, 0x80, 0xF4];

    /// <summary>ud2 with the initial IDT (base 0: the page tables, no valid gates) — a triple fault.</summary>
    public static readonly byte[] Ud2 = [0x0F, 0x0B];

    /// <summary>mov dx, 0x601; out dx, al; hlt — asks for a reset.</summary>
    public static readonly byte[] Reset = [0x66, 0xBA, 0x01, 0x06, 0xEE, 0xF4];
}
