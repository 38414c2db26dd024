using System.Diagnostics;
using static Zircon.Benchmarks.PortBenchmarks;

namespace Zircon.Benchmarks;

/// <summary>
/// A two-processor guest of the SMP rows: VCPU 0 run by the creating thread (<see cref="RunBsp"/>), VCPU 1 by an <see cref="ApThread"/> of its own that resumes it until stopped.
/// </summary>
public interface ISmpGuest : IDisposable
{
    /// <summary>The thread that runs VCPU 1.</summary>
    ApThread Ap { get; }

    /// <summary>Runs VCPU 0 (on the creating thread) until an IO exit; its port.</summary>
    int RunBsp();

    /// <summary>What the guest's VCPUs last did, for a timeout's message.</summary>
    string Diagnose();
}

/// <summary>
/// The thread that owns VCPU 1: binds (creates) it, then runs it until an IO exit, again and again.
/// A <see cref="SmpGuestImage.ApReadyPort"/> exit sets <see cref="Ready"/>; a handler exit
/// (<see cref="GuestImage.HandlerPort"/>) records its time in <see cref="HandledAt"/> and sets
/// <see cref="Handled"/>. Nothing escapes the thread: a failure ends it and is kept in <see cref="Error"/>.
/// </summary>
public sealed class ApThread : IDisposable
{
    private readonly Thread _thread;
    private readonly Func<int> _runToIo;
    private readonly Action _stop;
    private long _handledAt, _exits;
    private volatile bool _stopping;

    /// <param name="name">The thread's name.</param>
    /// <param name="bind">On the new thread, before its first run: creates or binds VCPU 1.</param>
    /// <param name="runToIo">Runs VCPU 1 until an IO exit and returns its port; -1 once stopped.</param>
    /// <param name="stop">Any thread: makes <paramref name="runToIo"/> return -1.</param>
    public ApThread(string name, Action bind, Func<int> runToIo, Action stop)
    {
        _runToIo = runToIo;
        _stop = stop;
        _thread = new Thread(() => Body(bind)) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public ManualResetEventSlim Ready { get; } = new(false, spinCount: 0);

    /// <summary>Set at each handler exit; the injector resets it. No spinning: on 2 CPUs that takes the CPU the VCPU needs.</summary>
    public ManualResetEventSlim Handled { get; } = new(false, spinCount: 0);

    public long HandledAt => Volatile.Read(ref _handledAt);

    public long Exits => Volatile.Read(ref _exits);

    public Exception? Error { get; private set; }

    private void Body(Action bind)
    {
        try
        {
            bind();
            while (!_stopping)
            {
                int port = _runToIo();
                if (port < 0)
                    break;
                Interlocked.Increment(ref _exits);
                if (port == SmpGuestImage.ApReadyPort)
                {
                    Ready.Set();
                }
                else if (port == GuestImage.HandlerPort)
                {
                    Volatile.Write(ref _handledAt, Stopwatch.GetTimestamp());
                    Handled.Set();
                }
                else
                {
                    throw new InvalidOperationException($"VCPU 1: unexpected OUT 0x{port:x}");
                }
            }
        }
        catch (Exception e)
        {
            Error = e;
        }
        finally
        {
            // Whoever waits learns the thread ended (and checks Error).
            Ready.Set();
            Handled.Set();
        }
    }

    /// <summary>Waits for VCPU 1's ready exit; throws with the thread's error or on a timeout.</summary>
    public void WaitReady(TimeSpan timeout, Func<string> diagnose)
    {
        if (!Ready.Wait(timeout))
            throw new TimeoutException($"VCPU 1 did not report ready within {timeout.TotalSeconds:F0} s ({diagnose()})");
        ThrowIfFailed();
    }

    public void ThrowIfFailed()
    {
        if (Error is not null)
            throw new InvalidOperationException($"VCPU 1's thread failed: {Error.Message}", Error);
        if (!_thread.IsAlive && !_stopping)
            throw new InvalidOperationException("VCPU 1's thread ended");
    }

    public void Dispose()
    {
        _stopping = true;
        _stop();
        if (!_thread.Join(TimeSpan.FromSeconds(30)))
            Console.Error.WriteLine($"zircon-bench: {_thread.Name} did not stop within 30 s");
    }
}

/// <summary>The SMP guest on Zircon: traps on the guest's ports, 2 processors declared, VCPU 1 made with <c>zx_vcpu_create</c> on its thread.</summary>
public sealed class ZirconSmpGuest : ISmpGuest
{
    private readonly ZirconGuest _guest;
    private uint _ap;
    private volatile bool _stopping;

    private ZirconSmpGuest(ZirconGuest guest)
    {
        _guest = guest;
        Ap = new ApThread("bench-zx-vcpu1",
            bind: () => Check(Syscalls.VcpuCreate(_guest.Guest, 0, SmpGuestImage.ApEntry, out _ap), "zx_vcpu_create (VCPU 1)"),
            runToIo: RunAp,
            stop: () =>
            {
                _stopping = true;
                if (_ap != 0)
                    Syscalls.VcpuKick(_ap);
            });
    }

    public ApThread Ap { get; }

    public uint Guest => _guest.Guest;

    /// <summary>VCPU 1's handle (valid once <see cref="ApThread.WaitReady"/> returned).</summary>
    public uint Vcpu1 => _ap;

    /// <summary>Creates the guest with VCPU 0 on this thread, runs VCPU 0 to its ready exit, then starts VCPU 1's thread.</summary>
    public static ZirconSmpGuest Create(byte[] image)
    {
        var guest = ZirconGuest.Create(image);
        try
        {
            Check(Syscalls.GuestSetTrap(guest.Guest, (uint)ZxGuestTrap.Io, SmpGuestImage.ApReadyPort, 1, ZxHandleValues.Invalid, ZirconGuest.IoKey), "set IO trap");
            // As zxvm --cpus 2 does: VCPU 1 waits as a parked KVM VCPU until zx_vcpu_create takes it.
            Check(Syscalls.GuestDeclareProcessors(guest.Guest, 2), "zx_guest_declare_processors");
            guest.ResumeToIo(GuestImage.ReadyPort);
        }
        catch
        {
            guest.Dispose();
            throw;
        }
        return new ZirconSmpGuest(guest);
    }

    public int RunBsp()
    {
        ZxStatus status = Syscalls.VcpuResume(_guest.Vcpu, out ZxPortPacket p);
        if (status != ZxStatus.Ok)
            throw new InvalidOperationException($"zx_vcpu_resume (VCPU 0): {status}");
        if (p.Type != ZxPacketType.GuestIo)
            throw new InvalidOperationException($"VCPU 0: unexpected {p.Type} packet");
        return p.GuestIo.Port;
    }

    private int RunAp()
    {
        while (true)
        {
            ZxStatus status = Syscalls.VcpuResume(_ap, out ZxPortPacket p);
            if (status == ZxStatus.ErrCanceled && _stopping)
                return -1;
            if (status != ZxStatus.Ok)
                throw new InvalidOperationException($"zx_vcpu_resume (VCPU 1): {status}");
            if (p.Type == ZxPacketType.GuestIo)
                return p.GuestIo.Port;
            throw new InvalidOperationException($"VCPU 1: unexpected {p.Type} packet");
        }
    }

    /// <summary>Kicks both VCPUs (a timeout's way out of a resume that would not return).</summary>
    public void Abort()
    {
        Syscalls.VcpuKick(_guest.Vcpu);
        if (_ap != 0)
            Syscalls.VcpuKick(_ap);
    }

    public string Diagnose() => $"Zircon: VCPU 1 took {Ap.Exits} exits, its thread {(Ap.Error is null ? "runs" : "failed: " + Ap.Error.Message)}";

    public void Dispose()
    {
        Ap.Dispose();
        if (_ap != 0)
            Syscalls.HandleClose(_ap);
        _guest.Dispose();
    }
}

/// <summary>The SMP guest on raw KVM (bench/c/kvm_smp.c), VCPU 0 bound to the creating thread.</summary>
public sealed class RawSmpGuest : ISmpGuest
{
    private RawSmpGuest(IntPtr handle)
    {
        Handle = handle;
        Ap = new ApThread("bench-rawc-vcpu1",
            bind: () => RawC.Check(RawSmp.Bind(Handle, 1), "kb_smp_bind (VCPU 1)"),
            runToIo: () =>
            {
                int port = RawSmp.RunToIo(Handle, 1);
                return port == RawSmp.Canceled ? -1 : RawC.Check(port, "KVM_RUN (VCPU 1)");
            },
            stop: () => RawSmp.Stop(Handle, 1));
    }

    public IntPtr Handle { get; }

    public ApThread Ap { get; }

    public static RawSmpGuest Create(byte[] image)
    {
        RawC.Check(RawSmp.Create(image, (nuint)image.Length, (nuint)GuestImage.MemorySize, SmpGuestImage.ApEntry, out IntPtr handle), "kb_smp_create");
        int port;
        if ((port = RawSmp.Bind(handle, 0)) < 0 || (port = RawSmp.RunToIo(handle, 0)) != GuestImage.ReadyPort)
        {
            RawSmp.Destroy(handle);
            throw new InvalidOperationException($"raw C VCPU 0: expected OUT 0x{GuestImage.ReadyPort:x}, got {port}");
        }
        return new RawSmpGuest(handle);
    }

    public int RunBsp()
    {
        int port = RawSmp.RunToIo(Handle, 0);
        return port == RawSmp.Canceled ? throw new TimeoutException("raw C VCPU 0 stopped (watchdog)") : RawC.Check(port, "KVM_RUN (VCPU 0)");
    }

    /// <summary>Stops VCPU 0's run (a timeout's way out).</summary>
    public void Abort() => RawSmp.Stop(Handle, 0);

    public string Diagnose() =>
        $"raw C: VCPU 0 last exit {RawSmp.LastExit(Handle, 0)}, {RawSmp.Kicks(Handle, 0)} kicks; VCPU 1 last exit {RawSmp.LastExit(Handle, 1)}, {RawSmp.Kicks(Handle, 1)} kicks, {Ap.Exits} IO exits";

    public void Dispose()
    {
        Ap.Dispose();
        RawSmp.Destroy(Handle);
    }
}
