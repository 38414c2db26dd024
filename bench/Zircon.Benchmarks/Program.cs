using System.Diagnostics;

namespace Zircon.Benchmarks;

/// <summary>Command-line settings.</summary>
public sealed class Config
{
    /// <summary>Multiplies every iteration count (0.1 for a quick smoke run).</summary>
    public double Factor { get; init; } = 1.0;

    /// <summary>The part file (bench/results/&lt;part&gt;.json) this run writes.</summary>
    public string? JsonPath { get; init; }

    /// <summary>The part's name in the combined results ("host", "vcpu").</summary>
    public string Part { get; init; } = "host";

    /// <summary>bench/c/kvm_baseline.c built as a shared library (the raw C column of the VCPU rows).</summary>
    public string? RawCPath { get; init; }

    public string? ZxvmPath { get; init; }

    public HashSet<string> Only { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public int Scale(int count) => Math.Max(5, (int)(count * Factor));
}

public static class Program
{
    private const string Usage = """
        zircon-bench: Zircon hot paths next to their raw-KVM and .NET baselines

        usage: zircon-bench --json FILE --part NAME [--zxvm PATH] [--raw-c LIB] [--quick] [--only ports,interrupts,handles,vcpu,vcpu-interrupts,lifecycle,vmm,smp]
               zircon-bench --combine DIR --json FILE --out FILE   (merge DIR/*.json into the combined JSON and Markdown)
               zircon-bench --noop        (start and exit; the process-start baseline)
        """;

    private static readonly (string Key, Func<Config, Section> Run)[] Sections =
    [
        ("ports", PortBenchmarks.Run),
        ("interrupts", InterruptBenchmarks.Run),
        ("handles", HandleBenchmarks.Run),
        ("vcpu", VcpuBenchmarks.Run),
        ("lifecycle", LifecycleBenchmarks.Run),
        ("vmm", VmmBenchmarks.Run),
        // Last of the vcpu part: it waits on cross-thread wake-ups, the slowest thing in the KVM rig,
        // and whatever ran before it is kept if the rig's time limit ends the run there. (It used
        // to hang there: the raw C kick never reached KVM_RUN; see bench/c/kvm_common.c.)
        ("vcpu-interrupts", VcpuBenchmarks.RunInterrupts),
        // Its own part (bench/results/smp.json): issue 10's two-VCPU rows.
        ("smp", SmpBenchmarks.Run),
    ];

    public static int Main(string[] args)
    {
        if (args is ["--noop"])
            return 0;
        if (args is ["--probe-kvm"])
            return RawGuest.Availability() is null ? 0 : 1;
        if (args is ["--combine", string folder, "--json", string json, "--out", string md])
            return Results.Combine(folder, json, md);
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

        if (config.RawCPath is not null)
            RawC.Load(config.RawCPath);
        var started = DateTimeOffset.Now;
        var total = Stopwatch.StartNew();
        var results = new List<Section>();
        var planned = Sections.Where(sec => config.Only.Count == 0 || config.Only.Contains(sec.Key)).ToList();
        for (int k = 0; k < planned.Count; k++)
        {
            (string key, Func<Config, Section> run) = planned[k];
            Console.WriteLine($"== {key}");
            var sw = Stopwatch.StartNew();
            Section section = run(config);
            results.Add(section);
            if (section.Skipped is not null)
                Console.WriteLine($"  skipped: {section.Skipped}");
            foreach (string note in section.Notes)
                Console.WriteLine($"  note: {note}");
            Console.WriteLine($"  ({sw.Elapsed.TotalSeconds:F1} s)");
            // After every section, so that a run cut short (the KVM rig's time limit) keeps what it measured.
            WritePart(config, results, planned.Skip(k + 1).Select(p => p.Key), started, total.Elapsed);
        }
        Console.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s");
        if (config.JsonPath is not null)
            Console.WriteLine($"wrote {config.JsonPath}");
        return 0;
    }

    private static void WritePart(Config config, List<Section> done, IEnumerable<string> notYet, DateTimeOffset started, TimeSpan elapsed)
    {
        if (config.JsonPath is null)
            return;
        var sections = new List<Section>(done);
        foreach (string key in notYet)
            sections.Add(new Section(key) { Skipped = "not measured: the run ended before this section (time limit)" });
        Results.WritePart(config.JsonPath, config.Part, sections, started, elapsed, config);
        if (Environment.GetEnvironmentVariable("ZX_BENCH_PRINT_JSON") == "1")
        {
            // The KVM rig loses the files a command writes; its output comes back, so the part goes there too.
            Console.WriteLine("==== BEGIN PART JSON ====");
            Console.WriteLine(File.ReadAllText(config.JsonPath).TrimEnd());
            Console.WriteLine("==== END PART JSON ====");
        }
    }

    private static Config Parse(string[] args)
    {
        string? json = null, zxvm = null, rawC = null;
        string part = "host";
        double factor = 1.0;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json" when i + 1 < args.Length:
                    json = args[++i];
                    break;
                case "--part" when i + 1 < args.Length:
                    part = args[++i];
                    break;
                case "--raw-c" when i + 1 < args.Length:
                    rawC = args[++i];
                    break;
                case "--zxvm" when i + 1 < args.Length:
                    zxvm = args[++i];
                    break;
                case "--quick":
                    factor = 0.1;
                    break;
                case "--factor" when i + 1 < args.Length:
                    factor = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
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
        if (rawC is not null && !File.Exists(rawC))
            throw new ArgumentException($"no raw C baseline library at '{rawC}'");
        return new Config { JsonPath = json, Part = part, ZxvmPath = zxvm, RawCPath = rawC, Factor = factor, Only = only };
    }
}
