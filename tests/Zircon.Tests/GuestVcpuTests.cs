using System.Buffers.Binary;

namespace Zircon.Tests;

/// <summary>A fact that boots a guest: skipped, with the reason, where the host cannot run guests.</summary>
public sealed class GuestFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_skip = new(() =>
    {
        ZxStatus status = Guest.TryCreate(Resource.Root, out Guest? guest);
        guest?.Dispose();
        return status == ZxStatus.Ok ? null : $"Guest.Create: {status.ToZirconName()} (no usable /dev/kvm)";
    });

    public GuestFactAttribute()
    {
        if (s_skip.Value is { } reason)
            Skip = reason;
    }
}

/// <summary>The hypervisor through the idiomatic API: Guest, Vcpu, traps and Interrupt.BindVcpu.</summary>
public class GuestVcpuTests
{
    internal const ulong Ram = 4 << 20, Entry = 0x2000, TrapPage = 0x3F_F000;

    /// <summary>RAM at 0 with identity page tables (2 MiB pages) and <paramref name="code"/> at 0x2000.</summary>
    internal static (Guest Guest, Vmo Ram) Boot(byte[] code)
    {
        Guest guest = Guest.Create(Resource.Root);
        Vmo ram = Vmo.Create(Ram).ReplaceAsExecutable(Resource.Root);
        guest.PhysicalMemory!.Map(VmOptions.PermRead | VmOptions.PermWrite | VmOptions.PermExecute | VmOptions.Specific, 0, ram, 0, Ram);
        var tables = new byte[0x3000];
        BinaryPrimitives.WriteUInt64LittleEndian(tables, 0x1000 | 7);          // PML4[0] -> PDPT
        BinaryPrimitives.WriteUInt64LittleEndian(tables.AsSpan(0x1000), 0x2800_0 | 7); // PDPT[0] -> PD at 0x28000
        ram.Write(tables.AsSpan(0, 0x2000), 0);
        var pd = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(pd, 0x87);                    // 0..2 MiB
        BinaryPrimitives.WriteUInt64LittleEndian(pd.AsSpan(8), 0x20_0000 | 0x87); // 2..4 MiB
        ram.Write(pd, 0x28000);
        ram.Write(code, Entry);
        return (guest, ram);
    }

    [GuestFact]
    public void Resume_ReportsIoAndMemoryExits_AndWriteIoCompletesAnIn()
    {
        // out 0x11, al(0x42); in al, 0x11; mov [0x3FF000], eax; hlt
        byte[] code = [0xB0, 0x42, 0xE6, 0x11, 0xE4, 0x11, 0x89, 0x04, 0x25, 0x00, 0xF0, 0x3F, 0x00, 0xF4];
        (Guest guest, Vmo ram) = Boot(code);
        using (guest)
        using (ram)
        {
            guest.SetIoTrap(0x11, 1, key: 7);
            guest.SetMemoryTrap(TrapPage, 0x1000, key: 9);
            using Vcpu vcpu = Vcpu.Create(guest, Entry);
            ZxPortPacket p = vcpu.Resume();
            Assert.Equal((ZxPacketType.GuestIo, 7ul, (ushort)0x11, false, (byte)0x42), (p.Type, p.Key, p.GuestIo.Port, p.GuestIo.Input, p.GuestIo.U8));
            p = vcpu.Resume();
            Assert.True(p.GuestIo.Input);
            vcpu.WriteIo(1, 0x99);
            p = vcpu.Resume();
            Assert.Equal((ZxPacketType.GuestMem, 9ul, TrapPage), (p.Type, p.Key, p.GuestMem.Addr));
            Assert.Equal(0x99ul, vcpu.ReadState().Rax & 0xFF);
        }
    }

    [GuestFact]
    public void BellTrap_QueuesPacketsOnThePort_AndTheGuestRunsOn()
    {
        // mov [0x3FF008], eax; out 0x11, al
        byte[] code = [0x89, 0x04, 0x25, 0x08, 0xF0, 0x3F, 0x00, 0xE6, 0x11];
        (Guest guest, Vmo ram) = Boot(code);
        using (guest)
        using (ram)
        using (Port port = Port.Create())
        {
            guest.SetBellTrap(TrapPage, 0x1000, port, key: 5);
            guest.SetIoTrap(0x11, 1, key: 0);
            using Vcpu vcpu = Vcpu.Create(guest, Entry);
            Assert.Equal(ZxPacketType.GuestIo, vcpu.Resume().Type);
            ZxPortPacket bell = port.Wait(ZxTime.InfinitePast);
            Assert.Equal((ZxPacketType.GuestBell, 5ul, TrapPage + 8), (bell.Type, bell.Key, bell.GuestBell.Addr));
        }
    }

    [GuestFact]
    public void Kick_FromAnotherThread_CancelsResume()
    {
        byte[] code = [0xEB, 0xFE]; // jmp $
        (Guest guest, Vmo ram) = Boot(code);
        using (guest)
        using (ram)
        {
            using Vcpu vcpu = Vcpu.Create(guest, Entry);
            var kicker = new Thread(() =>
            {
                Thread.Sleep(50);
                vcpu.Kick();
            });
            kicker.Start();
            var ex = Assert.Throws<ZxException>(() => vcpu.Resume());
            Assert.Equal(ZxStatus.ErrCanceled, ex.Status);
            kicker.Join();
        }
    }

    [GuestFact]
    public void Errors_CarryTheirStatus()
    {
        (Guest guest, Vmo ram) = Boot([0xF4]);
        using (guest)
        using (ram)
        {
            Assert.Equal(ZxStatus.ErrInvalidArgs, Assert.Throws<ZxException>(() => guest.SetMemoryTrap(0x1001, 0x1000, 0)).Status);
            guest.SetIoTrap(0x20, 2, 0);
            Assert.Equal(ZxStatus.ErrAlreadyExists, Assert.Throws<ZxException>(() => guest.SetIoTrap(0x21, 1, 0)).Status);
            using Vcpu vcpu = Vcpu.Create(guest, Entry);
            Assert.Equal(ZxStatus.ErrBadState, Assert.Throws<ZxException>(() => Vcpu.Create(guest, Entry)).Status); // one per thread
            Assert.Equal(ZxStatus.ErrOutOfRange, Assert.Throws<ZxException>(() => vcpu.Interrupt(256)).Status);
            using Interrupt virt = Interrupt.CreateVirtual();
            Assert.Equal(ZxStatus.ErrNotSupported, Assert.Throws<ZxException>(() => virt.BindVcpu(vcpu)).Status);
        }
    }

    [GuestFact]
    public void DisposingTheGuest_AlsoClosesItsPhysicalMemoryVmar()
    {
        Guest guest = Guest.Create(Resource.Root);
        Vmar physical = guest.PhysicalMemory!;
        Assert.True(physical.IsValid);
        guest.Dispose();
        Assert.False(physical.IsValid);
    }
}
