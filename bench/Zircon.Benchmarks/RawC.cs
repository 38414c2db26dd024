using System.Reflection;
using System.Runtime.InteropServices;

namespace Zircon.Benchmarks;

/// <summary>
/// The raw C baseline (bench/c/kvm_baseline.c, built by bench/run.sh as a shared library): the
/// same guest image on nothing but KVM ioctls. Each call runs a whole batch inside C, so the only
/// .NET cost in its column is one P/Invoke per batch of exits.
/// </summary>
public static class RawC
{
    private const string Library = "kvmbaseline";
    private static string? s_path;

    /// <summary>Points the P/Invoke declarations at the library built by bench/run.sh.</summary>
    public static void Load(string path)
    {
        if (s_path is not null)
            return;
        s_path = Path.GetFullPath(path);
        NativeLibrary.SetDllImportResolver(typeof(RawC).Assembly, static (name, assembly, search) =>
            name == Library ? NativeLibrary.Load(s_path!) : IntPtr.Zero);
    }

    public static bool Loaded => s_path is not null;

    [DllImport(Library, EntryPoint = "kb_create")]
    private static extern int Create(byte[] image, nuint size, nuint memory, out IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_destroy")]
    private static extern void Destroy(IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_last_exit")]
    public static extern int LastExit(IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_run")]
    public static extern int Run(IntPtr guest, int n);

    [DllImport(Library, EntryPoint = "kb_run_to_out")]
    public static extern int RunToOut(IntPtr guest, int port);

    [DllImport(Library, EntryPoint = "kb_mmio_reads")]
    public static extern int MmioReads(IntPtr guest, int n, byte value);

    [DllImport(Library, EntryPoint = "kb_mmio_address")]
    public static extern ulong MmioAddress(IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_kick")]
    public static extern int Kick(IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_abort")]
    public static extern int Abort(IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_debug")]
    private static extern void Debug(IntPtr guest, long[] values);

    /// <summary>What the guest's VCPU thread is doing, for a timeout's message.</summary>
    public static string Describe(IntPtr guest)
    {
        long[] v = new long[6];
        Debug(guest, v);
        return $"raw C VCPU thread {(v[0] != 0 ? "inside" : "outside")} KVM_RUN, {v[1]} EINTR exits, {v[2]} KVM_INTERRUPTs, {v[3]} kicks sent, last errno {v[4]}, last exit {v[5]}";
    }

    [DllImport(Library, EntryPoint = "kb_inject")]
    public static extern int Inject(IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_run_to_handler")]
    public static extern int RunToHandler(IntPtr guest, int port, int vector);

    [DllImport(Library, EntryPoint = "kb_irqfd_assign")]
    public static extern int IrqfdAssign(IntPtr guest, int vector);

    [DllImport(Library, EntryPoint = "kb_irqfd_signal")]
    public static extern int IrqfdSignal(IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_ioeventfd_assign")]
    public static extern int IoeventfdAssign(IntPtr guest, ulong address, int length);

    [DllImport(Library, EntryPoint = "kb_ioeventfd_read")]
    public static extern long IoeventfdRead(IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_lifecycle")]
    public static extern int Lifecycle(byte[] image, nuint size, nuint memory, int port, out long createNs, out long teardownNs);

    /// <summary>Throws on a negative (-errno) status, naming the call.</summary>
    public static int Check(int status, string what)
    {
        if (status < 0)
            throw new InvalidOperationException($"raw C {what}: {(status == -71 ? "unexpected exit" : $"errno {-status}")}");
        return status;
    }

    /// <summary>A guest created by the C library on the calling thread (which becomes its VCPU thread).</summary>
    public sealed class Guest : IDisposable
    {
        private Guest(IntPtr handle) => Handle = handle;

        public IntPtr Handle { get; private set; }

        public static Guest Create(byte[] image)
        {
            Check(RawC.Create(image, (nuint)image.Length, (nuint)GuestImage.MemorySize, out IntPtr handle), "kb_create");
            return new Guest(handle);
        }

        public void RunToOut(int port) => Check(RawC.RunToOut(Handle, port), $"run to OUT 0x{port:x}");

        public void Dispose()
        {
            if (Handle != IntPtr.Zero)
                Destroy(Handle);
            Handle = IntPtr.Zero;
        }
    }
}

/// <summary>The raw C two-VCPU guest (bench/c/kvm_smp.c): one VM, VCPU 0 (BSP) and VCPU 1 (AP), each run by its own thread.</summary>
public static class RawSmp
{
    private const string Library = "kvmbaseline";

    /// <summary>-ECANCELED: <see cref="RunToIo"/> after <see cref="Stop"/>.</summary>
    public const int Canceled = -125;

    [DllImport(Library, EntryPoint = "kb_smp_create")]
    public static extern int Create(byte[] image, nuint size, nuint memory, ulong apEntry, out IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_smp_destroy")]
    public static extern void Destroy(IntPtr guest);

    [DllImport(Library, EntryPoint = "kb_smp_bind")]
    public static extern int Bind(IntPtr guest, int cpu);

    [DllImport(Library, EntryPoint = "kb_smp_run_to_io")]
    public static extern int RunToIo(IntPtr guest, int cpu);

    [DllImport(Library, EntryPoint = "kb_smp_stop")]
    public static extern int Stop(IntPtr guest, int cpu);

    [DllImport(Library, EntryPoint = "kb_smp_last_exit")]
    public static extern int LastExit(IntPtr guest, int cpu);

    [DllImport(Library, EntryPoint = "kb_smp_kicks")]
    public static extern long Kicks(IntPtr guest, int cpu);

    [DllImport(Library, EntryPoint = "kb_smp_msi_assign")]
    public static extern int MsiAssign(IntPtr guest, int vector, int apicId);

    [DllImport(Library, EntryPoint = "kb_smp_msi_signal")]
    public static extern int MsiSignal(IntPtr guest);
}
