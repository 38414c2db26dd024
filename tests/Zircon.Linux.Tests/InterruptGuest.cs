using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Zircon.Linux.Tests;

/// <summary>
/// Guest programs for interrupt tests. The guest reports readiness with an OUT to
/// <see cref="ReadyPort"/>, then either spins in ring 3 (native speed on PVM, interrupts on) or
/// halts in a loop in ring 0. Each handler reports its vector with an OUT to
/// <see cref="HandlerPort"/> (and an error code to <see cref="ErrorCodePort"/>), then IRETQs.
/// </summary>
internal static class InterruptGuest
{
    public const byte ReadyPort = 0x80, HandlerPort = 0x90, ErrorCodePort = 0x91;

    public enum Idle { SpinInRing3, SpinInRing0, HaltLoop }

    /// <param name="irqchip">Whether the VM gets the split irqchip (the LAPIC is then software-enabled).</param>
    /// <param name="idle">What the guest does once ready.</param>
    /// <param name="vectors">Vectors that get a handler.</param>
    /// <param name="eoi">Handlers write the LAPIC EOI register (for vectors the in-kernel LAPIC delivers).</param>
    /// <param name="guestLoadsIdt">The guest runs LIDT itself instead of the host loading IDTR.</param>
    /// <param name="errorCodeVectors">Vectors whose handler pops an error code.</param>
    public static TestGuest Create(KvmIrqchipMode irqchip, Idle idle, int[] vectors, bool eoi = false,
        bool guestLoadsIdt = false, int[]? errorCodeVectors = null)
    {
        var guest = TestGuest.Create(irqchip);
        guest.UseDescriptorTables(loadIdt: !guestLoadsIdt);
        var a = new Assembler(64);
        var idtr = a.CreateLabel("idtr");
        var ring3 = a.CreateLabel("ring3");
        var halt = a.CreateLabel("halt");
        var handlers = new Dictionary<int, Label>();
        foreach (int v in vectors)
            handlers[v] = a.CreateLabel($"vector{v}");

        if (guestLoadsIdt)
            a.lidt(__[idtr]);
        if (idle == Idle.SpinInRing3)
        {
            // IRETQ to ring 3 with IF=1 and IOPL=3 (so ring 3 may use OUT).
            a.push((int)TestGuest.UserDs);
            a.push((int)TestGuest.Stack3Top);
            a.push(0x3202);
            a.push((int)TestGuest.UserCs);
            a.lea(rax, __[ring3]);
            a.push(rax);
            a.iretq();
            a.Label(ref ring3);
            a.@out(ReadyPort, al);
            var spin = a.CreateLabel();
            a.Label(ref spin);
            a.jmp(spin);
        }
        else if (idle == Idle.SpinInRing0)
        {
            a.sti();
            a.@out(ReadyPort, al);
            a.Label(ref halt);
            a.jmp(halt);
        }
        else
        {
            a.sti();
            a.@out(ReadyPort, al);
            a.Label(ref halt);
            a.hlt();
            a.jmp(halt);
        }
        foreach (int v in vectors)
        {
            var label = handlers[v];
            a.Label(ref label);
            handlers[v] = label;
            bool hasErrorCode = errorCodeVectors?.Contains(v) == true;
            if (hasErrorCode)
                a.pop(rcx);
            if (eoi)
            {
                a.mov(edx, (uint)TestGuest.LapicEoi); // zero-extends; a disp32 would sign-extend
                a.mov(__dword_ptr[rdx], 0);
            }
            a.mov(eax, v);
            a.@out(HandlerPort, eax);
            if (hasErrorCode)
            {
                a.mov(eax, ecx);
                a.@out(ErrorCodePort, eax);
            }
            a.iretq();
        }
        a.Label(ref idtr);
        a.dw(256 * 16 - 1);
        a.dq(TestGuest.Idt);

        AssemblerResult result = guest.Load(a);
        foreach (var (v, label) in handlers)
            guest.SetInterruptGate(v, result.GetLabelRIP(label));
        return guest;
    }
}
