namespace Zircon.Kernel.Tests;

/// <summary>Short helpers so tests read like Zircon's own: create-or-fail and packet builders.</summary>
internal static class Zx
{
    public static uint Port(uint options = 0)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.PortCreate(options, out uint port));
        return port;
    }

    public static uint Event()
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.EventCreate(0, out uint ev));
        return ev;
    }

    public static uint VirtualInterrupt()
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.InterruptCreate(ZxHandleValues.Invalid, 0, ZxInterruptOptions.Virtual, out uint irq));
        return irq;
    }

    public static uint Vmo(ulong size)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoCreate(size, 0, out uint vmo));
        return vmo;
    }

    public static uint Duplicate(uint handle, ZxRights rights)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.HandleDuplicate(handle, rights, out uint dup));
        return dup;
    }

    public static ZxPortPacket UserPacket(ulong key, byte fill = 0)
    {
        var packet = new ZxPortPacket { Key = key, Type = ZxPacketType.User };
        for (int i = 0; i < 32; i++)
            packet.User[i] = fill;
        return packet;
    }

    public static ZxInfoHandleBasic Info(uint handle)
    {
        Span<byte> buffer = stackalloc byte[32];
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectGetInfo(handle, ZxInfoTopic.HandleBasic, buffer, out _, out _));
        return System.Runtime.InteropServices.MemoryMarshal.Read<ZxInfoHandleBasic>(buffer);
    }

    public static void Close(params uint[] handles)
    {
        foreach (uint h in handles)
            Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(h));
    }

    /// <summary>A handle value that was valid and is now closed.</summary>
    public static uint ClosedHandle()
    {
        uint ev = Event();
        Close(ev);
        return ev;
    }

    /// <summary>A handle with exactly <paramref name="rights"/> to a new object of the given kind.</summary>
    public static uint Restricted(uint handle, ZxRights rights)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.HandleReplace(handle, rights, out uint replaced));
        return replaced;
    }

    /// <summary>The object behind a handle (tests look at kernel state through it).</summary>
    public static T Object<T>(uint handle)
        where T : Dispatcher => KernelContext.Handles.TryGet(handle, out var entry) ? (T)entry.Dispatcher : throw new InvalidOperationException("bad handle");

    /// <summary>Spins until <paramref name="condition"/> holds (another thread reached a blocking call).</summary>
    public static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for another thread");
            Thread.Sleep(1);
        }
    }

    public static long Past => ZxTime.InfinitePast;

    public static long Soon => Syscalls.DeadlineAfter(20_000_000);
}
