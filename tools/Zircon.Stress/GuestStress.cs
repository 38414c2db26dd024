using System.Buffers.Binary;

namespace Zircon.Stress;

/// <summary>
/// Guests that misbehave — a triple fault, an undefined instruction, a loop that never exits
/// (stopped by zx_vcpu_kick and by closing the VCPU from another thread), a read of memory no slot
/// or trap backs — must end their resume with a documented status and leave the process healthy;
/// then a soak of many guests in one process, with fds, threads and RSS sampled. Needs KVM: where
/// zx_guest_create answers NOT_SUPPORTED each part is skipped with that reason.
/// </summary>
internal sealed class GuestStress(Report report)
{
    private int _faultsDone;

    private const ulong MemorySize = 4 << 20, Entry = 0x4000, ExitTrap = 0x30_0000, Unbacked = 0x3000_0000;

    public bool HostHasKvm(out string reason)
    {
        ZxStatus s = Syscalls.GuestCreate(Syscalls.GetRootResource(), 0, out uint guest, out uint vmar);
        reason = s == ZxStatus.ErrNotSupported ? "no KVM on this host (zx_guest_create: ZX_ERR_NOT_SUPPORTED)" : $"zx_guest_create: {s}";
        if (s != ZxStatus.Ok)
            return false;
        Syscalls.HandleClose(vmar);
        Syscalls.HandleClose(guest);
        return true;
    }

    public void RunFaults()
    {
        string[] parts = ["triple fault", "undefined instruction", "runaway loop stopped by kick", "runaway loop stopped by close", "unbacked memory"];
        if (!HostHasKvm(out string reason))
        {
            foreach (string part in parts)
                report.Skip($"guest faults: {part}", reason);
            return;
        }
        ResourceSample before = ResourceSample.Take();
        using var hang = new HangReporter("guest faults", () => Volatile.Read(ref _faultsDone), TimeSpan.FromSeconds(60));
        // lidt with a zero limit, then int3: no gate can be read, #GP, #DF, shutdown.
        Fault("triple fault", [0x0F, 0x01, 0x1C, 0x25, 0x00, 0x50, 0x00, 0x00, 0xCC], null, ZxStatus.ErrNotSupported, ZxStatus.ErrBadState);
        Fault("undefined instruction", [0x0F, 0x0B], null, ZxStatus.ErrNotSupported, ZxStatus.ErrBadState);
        Fault("runaway loop stopped by kick", [0xEB, 0xFE], vcpu => Syscalls.VcpuKick(vcpu), ZxStatus.ErrCanceled);
        Fault("runaway loop stopped by close", [0xEB, 0xFE], vcpu => Syscalls.HandleClose(vcpu), ZxStatus.ErrCanceled, ZxStatus.ErrBadHandle);
        // mov rax, [Unbacked]
        Fault("unbacked memory", [0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x00, 0x30], null, ZxStatus.ErrNotFound);
        ResourceSample.CheckGrowth(report, "guest faults", before, ResourceSample.Take());
    }

    public void RunSoak(TimeSpan budget)
    {
        if (!HostHasKvm(out string reason))
        {
            report.Skip("guest soak", reason);
            return;
        }
        ResourceSample before = ResourceSample.Take();
        long deadline = Environment.TickCount64 + (long)budget.TotalMilliseconds;
        int guests = 0, failures = 0;
        ResourceSample peak = before;
        using var hang = new HangReporter("guest soak", () => Volatile.Read(ref guests), TimeSpan.FromSeconds(60));
        while (Environment.TickCount64 < deadline)
        {
            // mov [ExitTrap], rax : a MEM trap exit, the guest's "done".
            ZxStatus s = RunOnce([0x48, 0x89, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00], null, out _);
            if (s != ZxStatus.Ok)
            {
                failures++;
                Console.WriteLine($"guest soak: guest {guests} ended with {s}");
            }
            Interlocked.Increment(ref guests);
            if (guests % 50 == 0)
            {
                ResourceSample now = ResourceSample.Take();
                peak = now with { Fds = Math.Max(now.Fds, peak.Fds), Threads = Math.Max(now.Threads, peak.Threads), RssBytes = Math.Max(now.RssBytes, peak.RssBytes) };
            }
        }
        report.Add("guests created", guests);
        report.Check("guest soak: every guest ran to its exit", failures == 0, $"{guests} guests, {failures} failed, peak {peak}");
        ResourceSample.CheckGrowth(report, "guest soak", before, ResourceSample.Take());
    }

    private void Fault(string name, byte[] code, Func<uint, ZxStatus>? fromOtherThread, params ZxStatus[] expected)
    {
        Console.WriteLine($"guest faults: {name} ..."); // where a hang is, if one ever is
        ZxStatus s = RunOnce(code, fromOtherThread, out bool survived);
        Interlocked.Increment(ref _faultsDone);
        report.Add("guests created", 1);
        report.Check($"guest faults: {name}", survived && expected.Contains(s), survived ? $"resume: {s}" : "the guest's thread did not come back in 20 s");
    }

    /// <summary>One guest: identity page tables, <paramref name="code"/> at Entry, a MEM trap as the exit; resumed once on a new thread.</summary>
    private static ZxStatus RunOnce(byte[] code, Func<uint, ZxStatus>? fromOtherThread, out bool survived)
    {
        ZxStatus result = ZxStatus.ErrInternal;
        var thread = new Thread(() =>
        {
            uint root = Syscalls.GetRootResource();
            if ((result = Syscalls.GuestCreate(root, 0, out uint guest, out uint vmar)) != ZxStatus.Ok)
                return;
            uint vmo = ZxHandleValues.Invalid, vcpu = ZxHandleValues.Invalid;
            try
            {
                if ((result = Syscalls.VmoCreate(MemorySize, 0, out vmo)) != ZxStatus.Ok ||
                    (result = Syscalls.VmoReplaceAsExecutable(vmo, root, out vmo)) != ZxStatus.Ok ||
                    (result = Syscalls.VmoWrite(vmo, Image(code), 0)) != ZxStatus.Ok ||
                    (result = Syscalls.VmarMap(vmar, ZxVmOptions.PermRead | ZxVmOptions.PermWrite | ZxVmOptions.PermExecute | ZxVmOptions.Specific, 0, vmo, 0, MemorySize, out _)) != ZxStatus.Ok ||
                    (result = Syscalls.GuestSetTrap(guest, (uint)ZxGuestTrap.Mem, ExitTrap, ZxPage.Size, ZxHandleValues.Invalid, 0)) != ZxStatus.Ok ||
                    (result = Syscalls.VcpuCreate(guest, 0, Entry, out vcpu)) != ZxStatus.Ok)
                    return;
                Thread? other = null;
                if (fromOtherThread is not null)
                {
                    uint target = vcpu;
                    other = new Thread(() =>
                    {
                        Thread.Sleep(50);
                        fromOtherThread(target);
                    });
                    other.Start();
                }
                result = Syscalls.VcpuResume(vcpu, out _);
                other?.Join();
            }
            finally
            {
                Syscalls.HandleClose(vcpu);
                Syscalls.HandleClose(vmo);
                Syscalls.HandleClose(vmar);
                Syscalls.HandleClose(guest);
            }
        }) { IsBackground = true };
        thread.Start();
        survived = thread.Join(TimeSpan.FromSeconds(20));
        return result;
    }

    private static byte[] Image(byte[] code)
    {
        var memory = new byte[Entry + 0x1000];
        BinaryPrimitives.WriteUInt64LittleEndian(memory.AsSpan(0x0), 0x1000 | 0x7);  // PML4[0] -> PDPT
        BinaryPrimitives.WriteUInt64LittleEndian(memory.AsSpan(0x1000), 0x2000 | 0x7); // PDPT[0] -> PD
        for (int i = 0; i < 512; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(memory.AsSpan(0x2000 + i * 8), ((ulong)i << 21) | 0x87);
        code.CopyTo(memory, (int)Entry);
        return memory;
    }
}
