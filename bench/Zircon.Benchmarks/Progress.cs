using System.Diagnostics;

namespace Zircon.Benchmarks;

/// <summary>
/// Progress lines for the sections that wait on guests (ZX_BENCH_TRACE=1, which the KVM rig
/// forwards): when a run hangs or hits its time limit, the last line says which step it was in.
/// </summary>
public static class Progress
{
    private static readonly bool s_enabled = Environment.GetEnvironmentVariable("ZX_BENCH_TRACE") == "1";
    private static readonly Stopwatch s_clock = Stopwatch.StartNew();

    public static void Step(string what)
    {
        if (s_enabled)
            Console.WriteLine($"  [{s_clock.Elapsed.TotalSeconds,7:F1} s] {what}");
    }
}
