using System.Buffers.Binary;

namespace Zircon.Tests;

/// <summary>
/// <see cref="Vcpu.Resume(CancellationToken)"/>: cancellation kicks a running guest. These boot a
/// guest, so they are skipped (with the reason) where /dev/kvm is missing.
/// </summary>
public class VcpuCancellationTests
{
    // mov eax, 0x1234; mov [SpinFlag], eax; spin: jmp spin
    private const ulong SpinFlag = 0x30000;
    private static readonly byte[] s_spin = [0xB8, 0x34, 0x12, 0x00, 0x00, 0x89, 0x04, 0x25, 0x00, 0x00, 0x03, 0x00, 0xEB, 0xFE];

    // out 0x11, al; jmp $  (an IO exit, then a spin)
    private static readonly byte[] s_outThenSpin = [0xE6, 0x11, 0xEB, 0xFE];

    [GuestFact]
    public void Resume_CanceledWhileTheGuestSpins_ThrowsOperationCanceled_AndTheGuestCanContinue()
    {
        (Guest guest, Vmo ram) = GuestVcpuTests.Boot(s_spin);
        using (guest)
        using (ram)
        {
            using Vcpu vcpu = Vcpu.Create(guest, GuestVcpuTests.Entry);
            // Cancel 50 ms after the guest has reached its spin (it says so in memory): a fixed
            // 50 ms from the start may come before the guest ran at all on a slow or emulated host
            // (the KVM rig), and the resume then rightly ends before the guest set RAX.
            using var cts = new CancellationTokenSource();
            var canceler = new Thread(() =>
            {
                Span<byte> flag = stackalloc byte[4];
                long giveUp = Environment.TickCount64 + 20_000;
                do
                {
                    Thread.Sleep(1);
                    ram.Read(flag, SpinFlag);
                }
                while (BinaryPrimitives.ReadUInt32LittleEndian(flag) != 0x1234 && Environment.TickCount64 < giveUp);
                Thread.Sleep(50);
                cts.Cancel();
            });
            long start = ZxClock.Monotonic;
            canceler.Start();
            OperationCanceledException e = Assert.ThrowsAny<OperationCanceledException>(() => vcpu.Resume(cts.Token));
            canceler.Join();
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.True(ZxClock.Monotonic - start >= 40_000_000);
            // The guest state is intact: what it computed before the spin is there.
            Assert.Equal(0x1234ul, vcpu.ReadState().Rax);
            // The kick was consumed: a second cancelable resume runs until its own token fires.
            using var again = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
            Assert.ThrowsAny<OperationCanceledException>(() => vcpu.Resume(again.Token));
        }
    }

    [GuestFact]
    public void Resume_WithATokenThatNeverFires_ReturnsExits()
    {
        (Guest guest, Vmo ram) = GuestVcpuTests.Boot(s_outThenSpin);
        using (guest)
        using (ram)
        {
            guest.SetIoTrap(0x11, 1, key: 3);
            using Vcpu vcpu = Vcpu.Create(guest, GuestVcpuTests.Entry);
            using var cts = new CancellationTokenSource();
            ZxPortPacket packet = vcpu.Resume(cts.Token);
            Assert.Equal((ZxPacketType.GuestIo, 3ul), (packet.Type, packet.Key));
            // Canceling after the exit was returned leaves no kick behind for a plain Resume.
            cts.Cancel();
            using var later = new CancellationTokenSource(TimeSpan.FromMilliseconds(30));
            Assert.ThrowsAny<OperationCanceledException>(() => vcpu.Resume(later.Token));
        }
    }

    [GuestFact]
    public void Resume_WithAnAlreadyCanceledToken_DoesNotEnterTheGuest()
    {
        (Guest guest, Vmo ram) = GuestVcpuTests.Boot(s_outThenSpin);
        using (guest)
        using (ram)
        {
            guest.SetIoTrap(0x11, 1, key: 3);
            using Vcpu vcpu = Vcpu.Create(guest, GuestVcpuTests.Entry);
            Assert.ThrowsAny<OperationCanceledException>(() => vcpu.Resume(new CancellationToken(true)));
            // The OUT was not executed: the first real resume reports it.
            Assert.Equal(ZxPacketType.GuestIo, vcpu.Resume().Type);
        }
    }

    /// <summary>
    /// Randomized: a token canceled at random times around short guest runs that end by an IO
    /// exit. Invariant: each call either returns the IO packet or throws OperationCanceled, and a
    /// cancellation never leaks into the next round (each round's non-canceled resume succeeds).
    /// </summary>
    [GuestFact]
    public void Resume_CancelRacingExits_NeverLeaksAKickIntoTheNextResume()
    {
        // loop: out 0x11, al; jmp loop
        byte[] code = [0xE6, 0x11, 0xEB, 0xFC];
        (Guest guest, Vmo ram) = GuestVcpuTests.Boot(code);
        using (guest)
        using (ram)
        {
            guest.SetIoTrap(0x11, 1, key: 4);
            using Vcpu vcpu = Vcpu.Create(guest, GuestVcpuTests.Entry);
            var random = new Random(3);
            for (int round = 0; round < 500; round++)
            {
                using var cts = new CancellationTokenSource();
                int spin = random.Next(2000);
                Task cancel = Task.Run(() => { Thread.SpinWait(spin); cts.Cancel(); });
                try
                {
                    Assert.Equal(ZxPacketType.GuestIo, vcpu.Resume(cts.Token).Type);
                }
                catch (OperationCanceledException)
                {
                }
                cancel.Wait(TestSupport.Patience);
                Assert.Equal(ZxPacketType.GuestIo, vcpu.Resume().Type);
            }
        }
    }
}
