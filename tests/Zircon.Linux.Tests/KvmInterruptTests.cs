using Iced.Intel;
using Zircon.Linux.Libc;
using static Iced.Intel.AssemblerRegisters;
using static Zircon.Linux.Tests.InterruptGuest;

namespace Zircon.Linux.Tests;

/// <summary>Kick, user-space injection, the split irqchip (MSI, irqfd, in-kernel HLT).</summary>
[Collection(KvmCollection.Name)]
public sealed class KvmInterruptTests
{
    private const int Vector = 0x40;

    [KvmFact]
    public void Kick_FromAnotherThread_WhileGuestSpinsInRing3_ReturnsIntr()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.None, Idle.SpinInRing3, []);
        guest.Vcpu.Sregs.idt = default; // nothing should interrupt the spin
        guest.RunToOut(ReadyPort);
        Assert.Equal(3, guest.Vcpu.Sregs.cs.selector & 3);

        using var kicker = new Timer(_ => guest.Vcpu.Kick(), null, 50, Timeout.Infinite);
        KvmExit exit = guest.Run();
        Assert.Equal(KvmExitKind.Intr, exit.Kind);
        Assert.Equal(3, guest.Vcpu.Sregs.cs.selector & 3); // stopped in the ring-3 spin
    }

    [KvmFact]
    public void Kick_BeforeRun_MakesThatRunReturnAtOnce_AndKicksCoalesce()
    {
        using var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.@out(0x10, al);
        a.hlt();
        guest.Load(a);

        guest.Vcpu.Kick();
        guest.Vcpu.Kick();
        Assert.Equal(KvmExitKind.Intr, guest.Run().Kind);
        Assert.Equal(TestGuest.Entry, guest.Vcpu.Regs.rip); // no guest code ran
        guest.RunToOut(0x10);                                 // the second kick did not linger
        guest.Vcpu.Kick();                                    // the thread is known now: signal path
        Assert.Equal(KvmExitKind.Intr, guest.Run().Kind);
        Assert.Equal(KvmExitKind.Hlt, guest.Run().Kind);
    }

    [KvmFact]
    public void Kick_AfterDispose_DoesNothing()
    {
        var guest = TestGuest.Create();
        var a = new Assembler(64);
        a.hlt();
        guest.Load(a);
        guest.Run();
        KvmVcpu vcpu = guest.Vcpu;
        guest.Dispose();
        vcpu.Kick();
        Assert.Equal(ZxStatus.ErrBadHandle, vcpu.Run(out _));
    }

    [KvmFact]
    public void Hlt_WithSplitIrqchip_BlocksInTheKernel_KickReturnsIntr()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.Split, Idle.HaltLoop, [Vector], eoi: true);
        guest.RunToOut(ReadyPort);
        using var kicker = new Timer(_ => guest.Vcpu.Kick(), null, 50, Timeout.Infinite);
        Assert.Equal(KvmExitKind.Intr, guest.Run().Kind); // no Hlt exit: the LAPIC handles HLT
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.GetMpState(out KvmMpState state));
        Assert.Equal(KvmMpState.Halted, state);
    }

    [KvmFact]
    public void SignalMsi_FromAnotherThread_WakesHaltedGuest_HandlerRuns()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.Split, Idle.HaltLoop, [Vector, Vector + 1], eoi: true);
        guest.RunToOut(ReadyPort);
        var sender = Task.Run(() =>
        {
            Thread.Sleep(20);
            return guest.Vm.SignalMsi(KvmMsiMessage.Fixed(0, Vector));
        });
        Assert.Equal((uint)Vector, guest.RunToOut(HandlerPort));
        Assert.Equal(ZxStatus.Ok, sender.Result);
        // The handler sent EOI, so another vector gets in too.
        Assert.Equal(ZxStatus.Ok, guest.Vm.SignalMsi(KvmMsiMessage.Fixed(0, Vector + 1)));
        Assert.Equal((uint)(Vector + 1), guest.RunToOut(HandlerPort));
    }

    [KvmFact]
    public void SignalMsi_ToASoftwareDisabledLapic_IsNotDelivered()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.Split, Idle.HaltLoop, [Vector], eoi: true);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.GetLapic(out kvm_lapic_state lapic));
        lapic.SetRegister(KvmLapic.SvrOffset, 0xFF); // APIC software-disabled, as KVM creates it
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.SetLapic(lapic));
        guest.RunToOut(ReadyPort);
        Assert.Equal(ZxStatus.ErrUnavailable, guest.Vm.SignalMsi(KvmMsiMessage.Fixed(0, Vector)));
    }

    [KvmFact]
    public void IrqFd_WithMsiRoute_DeliversTheVectorToARing3Guest()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.Split, Idle.SpinInRing3, [Vector], eoi: true, guestLoadsIdt: true);
        using var line = EventFd.Create();
        Assert.Equal(ZxStatus.Ok, guest.Vm.AddMsiRoute(KvmMsiMessage.Fixed(0, Vector), out uint gsi));
        Assert.Equal((uint)KvmVm.IoApicPins, gsi);
        Assert.Equal(ZxStatus.Ok, guest.Vm.AssignIrqFd(line, gsi));
        guest.RunToOut(ReadyPort);

        using var raiser = new Timer(_ => line.Signal(), null, 20, Timeout.Infinite);
        Assert.Equal((uint)Vector, guest.RunToOut(HandlerPort));

        // Unbound, the line no longer reaches the guest.
        Assert.Equal(ZxStatus.Ok, guest.Vm.DeassignIrqFd(line, gsi));
        line.Signal();
        using var kicker = new Timer(_ => guest.Vcpu.Kick(), null, 50, Timeout.Infinite);
        Assert.Equal(KvmExitKind.Intr, guest.Run().Kind);
    }

    [KvmFact]
    public void IrqFd_OneEventFdFeedsOneGsi()
    {
        using var guest = TestGuest.Create(KvmIrqchipMode.Split);
        using var line = EventFd.Create();
        Assert.Equal(ZxStatus.Ok, guest.Vm.AddMsiRoute(KvmMsiMessage.Fixed(0, Vector), out uint first));
        Assert.Equal(ZxStatus.Ok, guest.Vm.AddMsiRoute(KvmMsiMessage.Fixed(0, Vector + 1), out uint second));
        Assert.NotEqual(first, second);
        Assert.Equal(ZxStatus.Ok, guest.Vm.AssignIrqFd(line, first));
        Assert.Equal(ZxStatus.ErrAlreadyBound, guest.Vm.AssignIrqFd(line, second));
        Assert.Equal(ZxStatus.Ok, guest.Vm.RemoveMsiRoute(second));
        Assert.Equal(ZxStatus.ErrNotFound, guest.Vm.RemoveMsiRoute(second));
    }

    [KvmFact]
    public void InjectInterrupt_WithoutIrqchip_AfterHltExit_HandlerRuns()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.None, Idle.HaltLoop, [Vector]);
        guest.RunToOut(ReadyPort);
        Assert.Equal(KvmExitKind.Hlt, guest.Run().Kind);
        Assert.True(guest.Vcpu.ReadyForInterruptInjection);
        Assert.True(guest.Vcpu.InterruptsEnabled);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.InjectInterrupt(Vector));
        Assert.Equal((uint)Vector, guest.RunToOut(HandlerPort));
    }

    [KvmFact]
    public void InjectInterrupt_WithSplitIrqchip_GoesInAsExtInt_AfterAKick()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.Split, Idle.HaltLoop, [Vector]);
        guest.RunToOut(ReadyPort);
        using var kicker = new Timer(_ => guest.Vcpu.Kick(), null, 20, Timeout.Infinite);
        Assert.Equal(KvmExitKind.Intr, guest.Run().Kind);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.InjectInterrupt(Vector));
        Assert.Equal((uint)Vector, guest.RunToOut(HandlerPort));
        // No EOI was sent: ExtINT bypasses the LAPIC's in-service register, so it works again.
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.InjectInterrupt(Vector));
        Assert.Equal((uint)Vector, guest.RunToOut(HandlerPort));
        // A second ExtINT while one is still queued is refused.
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.InjectInterrupt(Vector));
        Assert.Equal(ZxStatus.ErrAlreadyExists, guest.Vcpu.InjectInterrupt(Vector + 1));
    }

    [KvmFact]
    public void InjectInterrupt_WithSplitIrqchip_AndLvt0Masked_IsNeverTaken()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.Split, Idle.HaltLoop, [Vector]);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.GetLapic(out kvm_lapic_state lapic));
        lapic.SetRegister(KvmLapic.Lvt0Offset, KvmLapic.LvtMasked | KvmLapic.LvtExtInt);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.SetLapic(lapic));
        guest.RunToOut(ReadyPort);
        Assert.False(guest.Vcpu.ReadyForInterruptInjection); // the kernel can see this coming
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.InjectInterrupt(Vector));
        using var kicker = new Timer(_ => guest.Vcpu.Kick(), null, 50, Timeout.Infinite);
        Assert.Equal(KvmExitKind.Intr, guest.Run().Kind);
    }

    [KvmFact]
    public void RequestInterruptWindow_ExitsWhenTheGuestEnablesInterrupts()
    {
        using var guest = TestGuest.Create();
        guest.UseDescriptorTables();
        var a = new Assembler(64);
        var handler = a.CreateLabel();
        var loop = a.CreateLabel();
        a.cli();
        a.@out(ReadyPort, al);
        a.sti();
        // Stock KVM exits right after STI's shadow; PVM emulates ring 0 in batches of instructions
        // and exits at the end of the batch, so give it a loop to be in when the window opens.
        a.mov(ecx, 3000);
        a.Label(ref loop);
        a.dec(ecx);
        a.jnz(loop);
        a.@out(0x81, al);
        a.hlt();
        a.Label(ref handler);
        a.mov(eax, Vector);
        a.@out(HandlerPort, eax);
        a.iretq();
        guest.SetInterruptGate(Vector, guest.Load(a).GetLabelRIP(handler));

        guest.RunToOut(ReadyPort);
        Assert.False(guest.Vcpu.InterruptsEnabled);
        Assert.False(guest.Vcpu.ReadyForInterruptInjection);
        guest.Vcpu.RequestInterruptWindow = true;
        Assert.Equal(KvmExitKind.IrqWindowOpen, guest.Run().Kind);
        guest.Vcpu.RequestInterruptWindow = false;
        Assert.True(guest.Vcpu.InterruptsEnabled);
        Assert.True(guest.Vcpu.ReadyForInterruptInjection);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.InjectInterrupt(Vector));
        Assert.Equal((uint)Vector, guest.RunToOut(HandlerPort));
        guest.RunToOut(0x81);
    }

    [KvmFact]
    public void QueueException_WithErrorCode_GuestHandlerSeesVectorAndCode()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.None, Idle.HaltLoop, [13, 16], errorCodeVectors: [13]);
        guest.RunToOut(ReadyPort);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.QueueException(13, 0x1234));
        Assert.Equal(13u, guest.RunToOut(HandlerPort));
        Assert.Equal(0x1234u, guest.RunToOut(ErrorCodePort));
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.QueueException(16));
        Assert.Equal(16u, guest.RunToOut(HandlerPort));
        Assert.Equal(ZxStatus.ErrInvalidArgs, guest.Vcpu.QueueException(2));
        Assert.Equal(ZxStatus.ErrInvalidArgs, guest.Vcpu.QueueException(32));
    }

    [KvmFact]
    public void QueueException_BeatsAPendingLapicInterrupt()
    {
        // KVM injects the exception first (docs/semantics.md §10): the kernel must hold an exception
        // back itself when Zircon's rule says a pending interrupt wins.
        using var guest = InterruptGuest.Create(KvmIrqchipMode.Split, Idle.HaltLoop, [16, Vector], eoi: false);
        guest.RunToOut(ReadyPort);
        using var kicker = new Timer(_ => guest.Vcpu.Kick(), null, 20, Timeout.Infinite);
        Assert.Equal(KvmExitKind.Intr, guest.Run().Kind);
        Assert.Equal(ZxStatus.Ok, guest.Vm.SignalMsi(KvmMsiMessage.Fixed(0, Vector)));
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.QueueException(16));
        Assert.Equal(16u, guest.RunToOut(HandlerPort));
    }

    [KvmFact]
    public void InjectNmi_RunsTheNmiHandler()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.None, Idle.HaltLoop, [2]);
        guest.RunToOut(ReadyPort);
        Assert.Equal(KvmExitKind.Hlt, guest.Run().Kind);
        Assert.Equal(ZxStatus.Ok, guest.Vcpu.InjectNmi());
        Assert.Equal(2u, guest.RunToOut(HandlerPort));
    }

    [KvmFact]
    public void SignalMsi_NmiDelivery_RunsTheNmiHandler()
    {
        using var guest = InterruptGuest.Create(KvmIrqchipMode.Split, Idle.HaltLoop, [2]);
        guest.RunToOut(ReadyPort);
        Assert.Equal(ZxStatus.Ok, guest.Vm.SignalMsi(KvmMsiMessage.Nmi(0)));
        Assert.Equal(2u, guest.RunToOut(HandlerPort));
    }

    [KvmFact]
    public void SplitIrqchipFeatures_WithoutIrqchip_AreBadState()
    {
        using var guest = TestGuest.Create(KvmIrqchipMode.None);
        using var line = EventFd.Create();
        Assert.Equal(ZxStatus.ErrBadState, guest.Vm.SignalMsi(KvmMsiMessage.Fixed(0, Vector)));
        Assert.Equal(ZxStatus.ErrBadState, guest.Vm.AddMsiRoute(KvmMsiMessage.Fixed(0, Vector), out _));
        Assert.Equal(ZxStatus.ErrBadState, guest.Vm.AssignIrqFd(line, 24));
        Assert.Equal(ZxStatus.ErrBadState, guest.Vcpu.EnableLapic());
    }
}
