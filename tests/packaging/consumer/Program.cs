// A consumer of the packed Zircon packages (copied out of the tree by tests/packaging/run.sh).
// Prints one line per part: "ports: OK ...", then "guest: OK ..." where /dev/kvm runs guests or
// "guest: NOT_SUPPORTED ..." where it cannot. Exit code 0 when every part that could run passed.
using System.Buffers.Binary;
using Zircon;

int failures = 0;

try
{
    // A virtual interrupt bound to a port: trigger, take the packet asynchronously, ack.
    using Port port = Port.Create(PortOptions.BindToInterrupt);
    using Interrupt bound = Interrupt.CreateVirtual();
    bound.Bind(port, key: 7);
    bound.Trigger(timestamp: 1111);
    ZxPortPacket packet = await port.WaitAsync();
    bound.Ack();
    // An event registered on the same port (zx_object_wait_async).
    using Event ev = Event.Create();
    ev.RegisterWait(port, key: 8, ZxSignals.EventSignaled);
    ev.Signal(ZxSignals.None, ZxSignals.EventSignaled);
    ZxPortPacket signal = port.Wait(ZxClock.DeadlineAfter(TimeSpan.FromSeconds(10)));
    // An unbound interrupt awaited directly, and a canceled wait.
    using Interrupt awaited = Interrupt.CreateVirtual();
    ValueTask<long> wait = awaited.WaitAsync();
    awaited.Trigger(2222);
    long timestamp = await wait;
    using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(10));
    bool canceled = false;
    try
    {
        await awaited.WaitAsync(cts.Token);
    }
    catch (OperationCanceledException)
    {
        canceled = true;
    }
    bool ok = packet.Type == ZxPacketType.Interrupt && packet.Key == 7 && packet.Interrupt.Timestamp == 1111
        && signal.Type == ZxPacketType.SignalOne && signal.Key == 8 && timestamp == 2222 && canceled;
    Console.WriteLine(ok
        ? $"ports: OK (interrupt packet key {packet.Key} at {packet.Interrupt.Timestamp}, signal packet key {signal.Key}, awaited interrupt at {timestamp}, cancellation)"
        : $"ports: FAILED (packet {packet.Type}/{packet.Key}/{packet.Interrupt.Timestamp}, signal {signal.Type}/{signal.Key}, timestamp {timestamp}, canceled {canceled})");
    failures += ok ? 0 : 1;
}
catch (ZxException e)
{
    Console.WriteLine($"ports: FAILED ({e.Message})");
    failures++;
}

// A tiny guest: 64-bit code at 0x2000 with identity page tables, "mov al, 42; out 0x11, al; hlt".
ZxStatus status = Guest.TryCreate(Resource.Root, out Guest? guest);
if (status != ZxStatus.Ok)
{
    Console.WriteLine($"guest: {status.ToZirconName().Replace("ZX_ERR_", "")} (Guest.TryCreate: this host cannot run guests)");
}
else
{
    using (guest)
    {
        const ulong ram = 4 << 20, entry = 0x2000;
        using Vmo memory = Vmo.Create(ram).ReplaceAsExecutable(Resource.Root);
        guest!.PhysicalMemory!.Map(VmOptions.PermRead | VmOptions.PermWrite | VmOptions.PermExecute | VmOptions.Specific, 0, memory, 0, ram);
        var tables = new byte[0x2000];
        BinaryPrimitives.WriteUInt64LittleEndian(tables, 0x1000 | 7);                   // PML4[0] -> PDPT at 0x1000
        BinaryPrimitives.WriteUInt64LittleEndian(tables.AsSpan(0x1000), 0x3000 | 7);    // PDPT[0] -> PD at 0x3000
        memory.Write(tables, 0);
        var pd = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(pd, 0x87);                              // PD[0]: 2 MiB page at 0
        memory.Write(pd, 0x3000);
        memory.Write(new byte[] { 0xB0, 0x2A, 0xE6, 0x11, 0xF4 }, entry);
        guest.SetIoTrap(0x11, 1, key: 5);
        using Vcpu vcpu = Vcpu.Create(guest, entry);
        ZxPortPacket exit = vcpu.Resume();
        bool ok = exit.Type == ZxPacketType.GuestIo && exit.GuestIo.Port == 0x11 && exit.GuestIo.U8 == 42;
        Console.WriteLine(ok ? "guest: OK (the guest wrote 42 to port 0x11)" : $"guest: FAILED (exit {exit.Type}, port 0x{exit.GuestIo.Port:x}, value {exit.GuestIo.U8})");
        failures += ok ? 0 : 1;
    }
}

return failures == 0 ? 0 : 1;
