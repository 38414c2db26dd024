using System.Buffers.Binary;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Zircon.Benchmarks;

/// <summary>
/// The two-processor guest of the SMP rows, on <see cref="GuestImage"/>'s layout. VCPU 0 starts in
/// Zircon's 64-bit BSP state at <see cref="GuestImage.Entry"/>; VCPU 1 in Zircon's real-mode AP state
/// at <see cref="ApEntry"/> (as a STARTUP to vector 0x0C would start it). Both switch their local
/// APIC to x2APIC mode, so every IPI and EOI is an MSR write that KVM's in-kernel LAPIC handles.
/// <list type="bullet">
/// <item>VCPU 0: <c>out 0x12</c> (ready), then forever: <see cref="RoundTripsPerBatch"/> times
/// (IPI <see cref="PingVector"/> to APIC 1, halt until the reply has counted up <see cref="Counter"/>),
/// then <c>out 0x11</c> (batch done).</item>
/// <item>VCPU 1: <c>out 0x13</c> (ready), then halts with interrupts on. Its <see cref="PingVector"/>
/// handler sends <see cref="PongVector"/> back to APIC 0; its <see cref="DeviceVector"/> handler does
/// <c>out 0x90</c> (the device interrupt reached it). Both EOI first.</item>
/// </list>
/// </summary>
public static class SmpGuestImage
{
    public const ulong ApEntry = 0xC000;       // 16-byte aligned, below 1 MiB: a STARTUP vector's entry (0x0C)
    public const ulong Counter = 0x7E00;       // replies counted by VCPU 0's PongVector handler
    public const byte ApReadyPort = 0x13;
    public const byte PingVector = 0x50, PongVector = 0x51, DeviceVector = 0x60;
    public const int RoundTripsPerBatch = 16;

    private const ulong BspHandlers = 0xB000;
    private const ulong ApPingHandler = ApEntry + 0x100, ApDeviceHandler = ApEntry + 0x180;
    private const ushort ApStackTop = 0xE000;  // real mode, SS = 0; VCPU 0's stack is below 0xF000
    private const uint X2ApicEoi = 0x80B, X2ApicSvr = 0x80F, X2ApicIcr = 0x830, ApicBaseMsr = 0x1B;
    private const uint IcrFixedAssert = 0x4000; // fixed delivery, physical destination, level assert

    public static byte[] Build()
    {
        var image = new byte[GuestImage.Size];
        Span<byte> m = image;
        GuestImage.WriteLayout(m);

        // VCPU 0's reply handler: EOI, count the reply.
        var handlers = new Assembler(64);
        Label pong = handlers.CreateLabel();
        handlers.Label(ref pong);
        handlers.push(rax);
        handlers.push(rcx);
        handlers.push(rdx);
        Eoi(handlers);
        handlers.mov(ecx, (uint)Counter);
        handlers.inc(__dword_ptr[rcx]);
        handlers.pop(rdx);
        handlers.pop(rcx);
        handlers.pop(rax);
        handlers.iretq();
        GuestImage.Gate(m, PongVector, GuestImage.Assemble(handlers, BspHandlers, m).GetLabelRIP(pong));

        var bsp = new Assembler(64);
        GuestImage.Prologue(bsp);
        EnableX2Apic(bsp);
        bsp.mov(edi, (uint)Counter);
        bsp.@out(GuestImage.ReadyPort, al);
        Label batch = bsp.CreateLabel(), next = bsp.CreateLabel(), wait = bsp.CreateLabel(), replied = bsp.CreateLabel();
        bsp.Label(ref batch);
        bsp.mov(esi, RoundTripsPerBatch);
        bsp.Label(ref next);
        bsp.mov(ebx, __dword_ptr[rdi]);
        SendIpi(bsp, PingVector, destination: 1);
        // Halt until the reply's handler has counted it; CLI ... STI; HLT cannot miss a reply
        // (STI holds interrupts off until after HLT).
        bsp.Label(ref wait);
        bsp.cli();
        bsp.cmp(__dword_ptr[rdi], ebx);
        bsp.jne(replied);
        bsp.sti();
        bsp.hlt();
        bsp.jmp(wait);
        bsp.Label(ref replied);
        bsp.sti();
        bsp.dec(esi);
        bsp.jnz(next);
        bsp.@out(GuestImage.BatchPort, al);
        bsp.jmp(batch);
        GuestImage.Assemble(bsp, GuestImage.Entry, m);

        // VCPU 1, real mode: CS.base = ApEntry, IP = 0. Its handlers' far pointers go into the
        // real-mode IVT at 0 (IDTR base 0), which shares its page with the PML4: see IvtEntry.
        var ap = new Assembler(16);
        Label idle = ap.CreateLabel();
        ap.cli();
        ap.xor(ax, ax);
        ap.mov(ss, ax);
        ap.mov(ds, ax);
        ap.mov(sp, ApStackTop);
        EnableX2Apic(ap);
        ap.@out(ApReadyPort, al);
        ap.sti();
        ap.Label(ref idle);
        ap.hlt();
        ap.jmp(idle);
        GuestImage.Assemble(ap, ApEntry, m);

        var ping = new Assembler(16);
        SaveScratch(ping);
        Eoi(ping);
        SendIpi(ping, PongVector, destination: 0);
        RestoreScratch(ping);
        ping.iret();
        GuestImage.Assemble(ping, ApPingHandler, m);

        var device = new Assembler(16);
        SaveScratch(device);
        Eoi(device);
        device.@out(GuestImage.HandlerPort, al);
        RestoreScratch(device);
        device.iret();
        GuestImage.Assemble(device, ApDeviceHandler, m);

        BinaryPrimitives.WriteUInt32LittleEndian(m[(PingVector * 4)..], IvtEntry(ApPingHandler));
        BinaryPrimitives.WriteUInt32LittleEndian(m[(DeviceVector * 4)..], IvtEntry(ApDeviceHandler));
        return image;
    }

    /// <summary>
    /// A real-mode IVT entry (offset, then segment) for a handler in the AP's code segment. The IVT
    /// overlaps the PML4 (entries 40 and 48 for vectors 0x50 and 0x60, which nothing maps): an even
    /// offset keeps bit 0, the PML4 entry's present bit, clear.
    /// </summary>
    public static uint IvtEntry(ulong handler)
    {
        ulong offset = handler - ApEntry;
        if (offset > 0xFFFF || (offset & 1) != 0)
            throw new InvalidOperationException($"AP handler at offset 0x{offset:x}: must be even and inside the segment");
        return (uint)offset | (uint)(ApEntry >> 4) << 16;
    }

    private static void EnableX2Apic(Assembler a)
    {
        a.mov(ecx, ApicBaseMsr);
        a.rdmsr();
        a.or(eax, 0xC00); // global enable + x2APIC mode
        a.wrmsr();
        a.mov(ecx, X2ApicSvr);
        a.mov(eax, 0x1FF); // software enable, spurious vector 0xFF
        a.xor(edx, edx);
        a.wrmsr();
    }

    private static void SendIpi(Assembler a, byte vector, uint destination)
    {
        a.mov(ecx, X2ApicIcr);
        a.mov(edx, destination); // x2APIC: the destination APIC id is ICR[63:32]
        a.mov(eax, IcrFixedAssert | vector);
        a.wrmsr();
    }

    private static void Eoi(Assembler a)
    {
        a.mov(ecx, X2ApicEoi);
        a.xor(eax, eax);
        a.xor(edx, edx);
        a.wrmsr();
    }

    private static void SaveScratch(Assembler a)
    {
        a.push(eax);
        a.push(ecx);
        a.push(edx);
    }

    private static void RestoreScratch(Assembler a)
    {
        a.pop(edx);
        a.pop(ecx);
        a.pop(eax);
    }
}
