using System.Diagnostics;
using System.Globalization;

namespace Zircon.Benchmarks;

/// <summary>
/// The VMM's own cost, <c>zxvm run</c> of the embedded zxos guest: its start-up until the guest is
/// entered, and its peak resident memory minus the guest RAM it touched, against Firecracker's
/// published figures (at most 125 ms to init, at most 5 MiB of VMM overhead).
/// </summary>
public static class VmmBenchmarks
{
    private const double FirecrackerStartMs = 125, FirecrackerOverheadMiB = 5;

    public static Section Run(Config config)
    {
        var s = new Section("The VMM's own cost (`zxvm run`, embedded zxos)");
        if (config.ZxvmPath is null)
        {
            s.Skipped = "no --zxvm path given";
            return s;
        }
        if (!File.Exists("/dev/kvm"))
        {
            s.Skipped = "/dev/kvm missing (zxvm needs KVM)";
            return s;
        }
        int runs = config.Factor < 1 ? 3 : 5;
        var wall = new double[runs];
        var noop = new double[runs];
        var startup = new double[runs];
        var overhead = new double[runs];
        var guestRam = new double[runs];
        var anonymous = new double[runs];
        var fileBacked = new double[runs];
        (string self, string[] selfArgs) = LifecycleBenchmarks.SelfCommand();
        LifecycleBenchmarks.RunProcess(config.ZxvmPath, ["run"], "hello\n", expect: "echo: hello", out _); // warm the page cache
        LifecycleBenchmarks.RunProcess(self, selfArgs, "", expect: null, out _);
        for (int i = 0; i < runs; i++)
        {
            (wall[i], string log, overhead[i], guestRam[i], anonymous[i], fileBacked[i]) = RunSampled(config.ZxvmPath, ["run", "--verbose"], "hello\n", "echo: hello");
            noop[i] = LifecycleBenchmarks.RunProcess(self, selfArgs, "", expect: null, out _);
            startup[i] = LifecycleBenchmarks.PhaseMs(log, "entering the guest") * 1e6;
        }
        Stats startupStats = Stats.FromSamples(startup);
        Stats overheadStats = Stats.FromSamples(overhead);
        bool rig = Machine.InKvmRig;
        s.Where = rig ? VcpuBenchmarks.RigLabel : null;
        // Absolute anchors: the rig emulates every instruction, so its start-up time cannot be held
        // against a figure measured on hardware; memory is not emulated, so the RSS row stands.
        s.Add("`zxvm run`: VMM start-up until the guest is entered (its `--verbose` clock)",
            startupStats with { MedianNs = startupStats.MedianNs / 1e6, P90Ns = startupStats.P90Ns / 1e6 },
            "Firecracker's published ≤ 125 ms to init", Stats.FromSamples([FirecrackerStartMs]),
            target: rig ? null : 1.0, unit: "ms",
            bound: rig ? null : "see the row's p90 and docs/benchmark-notes.md");
        s.Add("`zxvm run`: peak RSS minus the guest RAM it touched (sampled /proc/PID/status: VmRSS − RssShmem)",
            overheadStats with { MedianNs = overheadStats.MedianNs / 1024, P90Ns = overheadStats.P90Ns / 1024 },
            "Firecracker's published ≤ 5 MiB VMM overhead", Stats.FromSamples([FirecrackerOverheadMiB]),
            target: 1.0, unit: "MiB",
            bound: $"at the peak (medians): {Stats.FromSamples(fileBacked).MedianNs / 1024:F1} MiB file-backed (RssFile: the {BinaryMiB(config.ZxvmPath):F1} MiB NativeAOT binary, " +
                $"runtime and all code in one file, and the C libraries) and {Stats.FromSamples(anonymous).MedianNs / 1024:F1} MiB anonymous (RssAnon: GC heap, thread stacks, native allocations).");
        Stats wallStats = Stats.FromSamples(wall);
        s.Add("`zxvm run` (embedded zxos, stdin \"hello\"), process start → exit", wallStats,
            "empty .NET console app (apphost) start → exit", Stats.FromSamples(noop));
        s.Note($"Medians of {runs} process runs of artifacts/bin/zxvm (NativeAOT, as ./build.sh installs it). Guest RAM touched (RssShmem: guest memory is a memfd) " +
            $"was {Stats.FromSamples(guestRam).MedianNs / 1024:F1} MiB. The guest part of a run is mostly zxos's own schedule (10 timer ticks of 10 ms, disk I/O, console input).");
        if (rig)
            s.Note("Start-up has no verdict in the KVM rig: Firecracker's figure is absolute and the rig emulates every instruction of the VMM too.");
        return s;
    }

    /// <summary>
    /// Runs a process to completion, sampling its /proc status every millisecond: wall ns, stderr,
    /// peak (VmRSS − RssShmem) KiB, peak RssShmem KiB, and RssAnon and RssFile KiB at that peak.
    /// </summary>
    private static (double WallNs, string Stderr, double OverheadKiB, double ShmemKiB, double AnonKiB, double FileKiB) RunSampled(string path, string[] args, string input, string expect)
    {
        double peakOverhead = 0, peakShmem = 0, anonAtPeak = 0, fileAtPeak = 0;
        double ns = LifecycleBenchmarks.RunProcess(path, args, input, expect, out string err, sample: pid =>
        {
            if (ReadStatus($"/proc/{pid}/status", out double rss, out double shmem, out double anon, out double file))
            {
                if (rss - shmem > peakOverhead)
                    (peakOverhead, anonAtPeak, fileAtPeak) = (rss - shmem, anon, file);
                peakShmem = Math.Max(peakShmem, shmem);
            }
        });
        return (ns, err, peakOverhead, peakShmem, anonAtPeak, fileAtPeak);
    }

    private static bool ReadStatus(string path, out double rssKiB, out double shmemKiB, out double anonKiB, out double fileKiB)
    {
        rssKiB = shmemKiB = anonKiB = fileKiB = double.NaN;
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    rssKiB = Kib(line);
                else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
                    shmemKiB = Kib(line);
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                    anonKiB = Kib(line);
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                    fileKiB = Kib(line);
            }
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        return !double.IsNaN(rssKiB) && !double.IsNaN(shmemKiB) && !double.IsNaN(anonKiB) && !double.IsNaN(fileKiB);
    }

    private static double BinaryMiB(string path) => new FileInfo(Path.GetFullPath(path)).Length / 1048576.0;

    private static double Kib(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
