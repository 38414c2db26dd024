using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Zircon.Benchmarks;

/// <summary>Command-line settings.</summary>
public sealed class Config
{
    /// <summary>Multiplies every iteration count (0.1 for a quick smoke run).</summary>
    public double Factor { get; init; } = 1.0;

    public string? OutputPath { get; init; }

    public string? ZxvmPath { get; init; }

    public HashSet<string> Only { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public int Scale(int count) => Math.Max(5, (int)(count * Factor));
}

public static class Program
{
    private const string Usage = """
        zircon-bench: Zircon hot paths next to their raw-KVM and .NET baselines

        usage: zircon-bench [--out FILE] [--zxvm PATH] [--quick] [--only ports,interrupts,handles,vcpu,lifecycle]
               zircon-bench --noop        (start and exit; the process-start baseline)
        """;

    private static readonly (string Key, Func<Config, Section> Run)[] Sections =
    [
        ("ports", PortBenchmarks.Run),
        ("interrupts", InterruptBenchmarks.Run),
        ("handles", HandleBenchmarks.Run),
        ("vcpu", VcpuBenchmarks.Run),
        ("lifecycle", LifecycleBenchmarks.Run),
    ];

    public static int Main(string[] args)
    {
        if (args is ["--noop"])
            return 0;
        Config config;
        try
        {
            config = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var started = DateTimeOffset.Now;
        var total = Stopwatch.StartNew();
        var results = new List<Section>();
        foreach (var (key, run) in Sections)
        {
            if (config.Only.Count > 0 && !config.Only.Contains(key))
                continue;
            Console.WriteLine($"== {key}");
            var sw = Stopwatch.StartNew();
            Section section = run(config);
            results.Add(section);
            if (section.Skipped is not null)
                Console.WriteLine($"  skipped: {section.Skipped}");
            foreach (string note in section.Notes)
                Console.WriteLine($"  note: {note}");
            Console.WriteLine($"  ({sw.Elapsed.TotalSeconds:F1} s)");
        }
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s");

        if (config.OutputPath is not null)
        {
            File.WriteAllText(config.OutputPath, Markdown(results, started, total.Elapsed, config));
            Console.WriteLine($"wrote {config.OutputPath}");
        }
        return 0;
    }

    private static Config Parse(string[] args)
    {
        string? output = null, zxvm = null;
        double factor = 1.0;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--out" when i + 1 < args.Length:
                    output = args[++i];
                    break;
                case "--zxvm" when i + 1 < args.Length:
                    zxvm = args[++i];
                    break;
                case "--quick":
                    factor = 0.1;
                    break;
                case "--only" when i + 1 < args.Length:
                    foreach (string key in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!Sections.Any(s => s.Key.Equals(key, StringComparison.OrdinalIgnoreCase)))
                            throw new ArgumentException($"unknown section '{key}'");
                        only.Add(key);
                    }
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        if (zxvm is not null && !File.Exists(zxvm))
            throw new ArgumentException($"no zxvm at '{zxvm}'");
        return new Config { OutputPath = output, ZxvmPath = zxvm, Factor = factor, Only = only };
    }

    private static string Markdown(List<Section> sections, DateTimeOffset started, TimeSpan elapsed, Config config)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks: Zircon hot paths against their baselines");
        md.AppendLine();
        md.AppendLine("Produced by `bench/run.sh` (Release build of `bench/Zircon.Benchmarks`); every Zircon path and its baseline were measured in the same run.");
        md.AppendLine("Times are per operation; `ratio` is Zircon median ÷ baseline median (above 1: Zircon slower). `alloc` is bytes allocated per operation " +
            "(Zircon / baseline): this thread's for single-thread rows, process-wide where a note says so. No number here is a pass/fail threshold.");
        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine($"- Date: {started.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)} (run took {elapsed.TotalSeconds:F0} s{(config.Factor != 1.0 ? $", iteration factor {config.Factor}" : "")})");
        md.AppendLine($"- CPU: {CpuModel()}, {Environment.ProcessorCount} logical CPUs");
        md.AppendLine($"- Kernel: Linux {KernelRelease()}");
        md.AppendLine($"- KVM: {KvmDescription()}");
        string? delay = Environment.GetEnvironmentVariable("DOTNET_TC_CallCountingDelayMs");
        md.AppendLine($"- .NET: {RuntimeInformation.FrameworkDescription}, workstation non-concurrent GC" +
            (delay is null ? "" : $", DOTNET_TC_CallCountingDelayMs={delay} (hot loops reach optimized code during warm-up)"));
        md.AppendLine();
        int n = 1;
        foreach (Section s in sections)
        {
            md.AppendLine($"## {n++}. {s.Title}");
            md.AppendLine();
            if (s.Skipped is not null)
            {
                md.AppendLine($"Skipped: {s.Skipped}.");
                md.AppendLine();
                continue;
            }
            md.AppendLine("| operation | Zircon median | Zircon p90 | baseline | baseline median | baseline p90 | ratio | alloc B/op |");
            md.AppendLine("|---|--:|--:|---|--:|--:|--:|--:|");
            foreach (Row r in s.Rows)
            {
                md.AppendLine($"| {r.Operation} | {Format.Time(r.Zircon.MedianNs)} | {Format.Time(r.Zircon.P90Ns)} | {r.Baseline} | " +
                    $"{Format.Time(r.BaselineStats.MedianNs)} | {Format.Time(r.BaselineStats.P90Ns)} | {Format.Ratio(r.Zircon, r.BaselineStats)} | " +
                    $"{Format.Alloc(r.Zircon)} / {Format.Alloc(r.BaselineStats)} |");
            }
            md.AppendLine();
            foreach (string note in s.Notes)
                md.AppendLine($"- {note}");
            if (s.Notes.Count > 0)
                md.AppendLine();
        }
        return md.ToString();
    }

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.OSDescription;
        }
    }

    private static string KvmDescription()
    {
        if (!File.Exists("/dev/kvm"))
            return "none (/dev/kvm missing): the VCPU and lifecycle sections are skipped";
        if (Directory.Exists("/sys/module/kvm_pvm"))
            return "PVM (`kvm_pvm` module: page-table based virtualization inside an outer KVM guest). Exits cost microseconds and guest ring-0 code " +
                "is emulated (about 1.4 µs an instruction), so VCPU numbers here are far above what VMX/SVM hardware gives; compare ratios, not absolutes.";
        if (Directory.Exists("/sys/module/kvm_intel"))
            return "kvm_intel (VMX)";
        if (Directory.Exists("/sys/module/kvm_amd"))
            return "kvm_amd (SVM)";
        return "present";
    }
}
