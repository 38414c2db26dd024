using System.Diagnostics;

namespace Zircon.Benchmarks;

/// <summary>Median and p90 of per-operation times in nanoseconds, and bytes allocated per operation (NaN: not measured).</summary>
public readonly record struct Stats(double MedianNs, double P90Ns, int Samples, double AllocBytesPerOp)
{
    public static Stats FromSamples(double[] nanoseconds, double allocBytesPerOp = double.NaN)
    {
        if (nanoseconds.Length == 0)
            return new Stats(double.NaN, double.NaN, 0, allocBytesPerOp);
        double[] sorted = (double[])nanoseconds.Clone();
        Array.Sort(sorted);
        double median = sorted[sorted.Length / 2];
        double p90 = sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.9))];
        return new Stats(median, p90, sorted.Length, allocBytesPerOp);
    }
}

/// <summary>
/// One line of a results table: a Zircon path and its baseline, measured in the same run, with the
/// issue's target: the largest acceptable ratio of the two medians (null: no target, verdict N/A)
/// and, for <see cref="ZeroAlloc"/> rows, no bytes allocated per operation either. <see cref="Third"/>
/// is an optional explanatory column (the C# KVM layer between Zircon and raw C).
/// </summary>
public sealed record Row(string Operation, Stats Zircon, string Baseline, Stats BaselineStats)
{
    public double? Target { get; init; }

    public bool ZeroAlloc { get; init; }

    public (string Name, Stats Stats)? Third { get; init; }

    /// <summary>What bounds a missed target, measured (goes to the row's note).</summary>
    public string? Bound { get; init; }

    public string? Unit { get; init; }

    /// <summary>One line on where the difference goes (shown when Zircon is over 15% slower).</summary>
    public string? Why { get; init; }

    public double Ratio => Zircon.MedianNs / BaselineStats.MedianNs;

    public string Verdict
    {
        get
        {
            bool allocOk = !ZeroAlloc || (Zircon.AllocBytesPerOp < 0.5);
            if (Target is null)
                return ZeroAlloc ? (allocOk ? "PASS" : "MISS") : "N/A"; // an allocation-only target
            if (double.IsNaN(Ratio))
                return "N/A";
            return Ratio <= Target.Value && allocOk ? "PASS" : "MISS";
        }
    }
}

/// <summary>One results table plus the one-line explanations that go under it.</summary>
public sealed class Section(string title)
{
    public string Title { get; } = title;

    public List<Row> Rows { get; } = new();

    public List<string> Notes { get; } = new();

    /// <summary>Set when the section could not run on this machine (why).</summary>
    public string? Skipped { get; set; }

    /// <summary>Where and how the rows were measured, for every row's note (e.g. "measured in the KVM rig ...: ratio only").</summary>
    public string? Where { get; set; }

    /// <summary>
    /// Adds a row. <c>whySlower</c> is one line explaining the difference; it goes under the table
    /// only when Zircon's median is over 15% slower than the baseline's.
    /// </summary>
    public Row Add(string operation, Stats zircon, string baseline, Stats baselineStats, string? whySlower = null,
        double? target = null, bool zeroAlloc = false, (string Name, Stats Stats)? third = null, string? bound = null, string? unit = null)
    {
        var row = new Row(operation, zircon, baseline, baselineStats) { Target = target, ZeroAlloc = zeroAlloc, Third = third, Bound = bound, Why = whySlower, Unit = unit };
        Rows.Add(row);
        // whySlower goes into the row's own note (Results.RowJson) when Zircon is over 15% slower.
        Console.WriteLine($"  {operation,-62} {Format.Time(zircon.MedianNs),10} (p90 {Format.Time(zircon.P90Ns),10})   " +
            $"{baseline}: {Format.Time(baselineStats.MedianNs)} (p90 {Format.Time(baselineStats.P90Ns)})   x{Format.Ratio(zircon, baselineStats)}   " +
            $"alloc {Format.Alloc(zircon)} / {Format.Alloc(baselineStats)} B" +
            (third is { } t ? $"   {t.Name}: {Format.Time(t.Stats.MedianNs)}" : "") +
            (target is { } x ? $"   target <= {x:F2}x{(zeroAlloc ? ", 0 B" : "")}: {row.Verdict}" : ""));
        return row;
    }

    private static string Short(string operation)
    {
        int cut = operation.IndexOf(" (", StringComparison.Ordinal);
        return cut > 0 ? operation[..cut] : operation;
    }

    public void Note(string line) => Notes.Add(line);
}

/// <summary>Timing loops. Nothing here asserts a speed: the numbers go to the results file.</summary>
public static class Measure
{
    /// <summary>How much of a fast loop runs before measuring (lets tiered JIT and PGO settle).</summary>
    public static TimeSpan Warmup { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// Times <paramref name="batches"/> calls of <paramref name="run"/>(<paramref name="batchSize"/>) on
    /// this thread; each sample is one batch's time divided by its size. Allocations are this thread's.
    /// </summary>
    public static Stats Batched(Action<int> run, int batchSize, int batches) => Interleaved(batchSize, batches, run)[0];

    /// <summary>
    /// Like <see cref="Batched"/> for several candidates at once, taking turns batch by batch so that
    /// the machine's drifting background load (this host is a busy VM) falls on all of them alike.
    /// </summary>
    public static Stats[] Interleaved(int batchSize, int batches, params Action<int>[] runs)
    {
        long warmupEnd = Stopwatch.GetTimestamp() + (long)(Warmup.TotalSeconds * Stopwatch.Frequency) * runs.Length;
        int warmed = 0;
        while (warmed < 20 || Stopwatch.GetTimestamp() < warmupEnd)
        {
            foreach (Action<int> run in runs)
                run(batchSize);
            warmed++;
        }
        var samples = new double[runs.Length][];
        var allocated = new long[runs.Length];
        for (int k = 0; k < runs.Length; k++)
            samples[k] = new double[batches];
        for (int i = 0; i < batches; i++)
        {
            for (int k = 0; k < runs.Length; k++)
            {
                long allocBefore = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                runs[k](batchSize);
                long end = Stopwatch.GetTimestamp();
                allocated[k] += GC.GetAllocatedBytesForCurrentThread() - allocBefore;
                samples[k][i] = Nanoseconds(end - start) / batchSize;
            }
        }
        var stats = new Stats[runs.Length];
        for (int k = 0; k < runs.Length; k++)
            stats[k] = Stats.FromSamples(samples[k], allocated[k] / ((double)batches * batchSize));
        return stats;
    }

    /// <summary>Per-operation samples (each call of <paramref name="one"/> timed on its own); allocations are process-wide.</summary>
    public static Stats EachProcessWide(Action one, int warmup, int count)
    {
        for (int i = 0; i < warmup; i++)
            one();
        var samples = new double[count];
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            one();
            samples[i] = Nanoseconds(Stopwatch.GetTimestamp() - start);
        }
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        return Stats.FromSamples(samples, allocated / (double)count);
    }

    public static double Nanoseconds(long stopwatchTicks) => stopwatchTicks * 1e9 / Stopwatch.Frequency;

    /// <summary>Nanoseconds since <paramref name="stopwatchTimestamp"/> (any thread's; the clock is CLOCK_MONOTONIC).</summary>
    public static double Since(long stopwatchTimestamp) => Nanoseconds(Stopwatch.GetTimestamp() - stopwatchTimestamp);
}

/// <summary>Formatting of times, ratios and allocations for the console and Markdown.</summary>
public static class Format
{
    public static string Time(double ns)
    {
        if (double.IsNaN(ns))
            return "—";
        if (ns < 1_000)
            return $"{ns:F0} ns";
        if (ns < 1_000_000)
            return ns < 10_000 ? $"{ns / 1_000:F2} µs" : $"{ns / 1_000:F1} µs";
        if (ns < 1_000_000_000)
            return ns < 10_000_000 ? $"{ns / 1_000_000:F2} ms" : $"{ns / 1_000_000:F1} ms";
        return $"{ns / 1_000_000_000:F2} s";
    }

    public static string Ratio(Stats zircon, Stats baseline)
    {
        if (double.IsNaN(zircon.MedianNs) || double.IsNaN(baseline.MedianNs) || baseline.MedianNs <= 0)
            return "—";
        double r = zircon.MedianNs / baseline.MedianNs;
        return r < 10 ? $"{r:F2}" : $"{r:F1}";
    }

    public static string Alloc(Stats s)
    {
        if (double.IsNaN(s.AllocBytesPerOp))
            return "—";
        double b = s.AllocBytesPerOp;
        return b < 0.5 ? "0" : b < 10 ? $"{b:F1}" : $"{b:F0}";
    }
}
