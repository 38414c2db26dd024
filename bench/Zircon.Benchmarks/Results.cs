using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zircon.Benchmarks;

/// <summary>
/// The shared results format: each benchmark part writes <c>bench/results/&lt;part&gt;.json</c>
/// (<c>{"rows": [{"name", "ours", "baseline", "unit", "ratio", "target", "verdict", "note"}]}</c>
/// plus a title, notes and the machine), and <see cref="Combine"/> merges every part file in the
/// folder, this program's or another tool's, into <c>bench/results.json</c> and <c>bench/results.md</c>.
/// </summary>
public static class Results
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes one part file from the sections this run measured.</summary>
    public static void WritePart(string path, string part, List<Section> sections, DateTimeOffset started, TimeSpan elapsed, Config config)
    {
        var rows = new JsonArray();
        var notes = new JsonArray();
        var skipped = new JsonArray();
        foreach (Section s in sections)
        {
            if (s.Skipped is not null)
            {
                skipped.Add($"{s.Title}: {s.Skipped}");
                continue;
            }
            foreach (Row r in s.Rows)
                rows.Add(RowJson(s, r));
            foreach (string note in s.Notes)
                notes.Add($"{s.Title}: {note}");
        }
        var root = new JsonObject
        {
            ["part"] = part,
            ["title"] = string.Join("; ", sections.Select(s => s.Title)),
            ["date"] = started.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture),
            ["elapsed_s"] = Math.Round(elapsed.TotalSeconds, 1),
            ["iteration_factor"] = config.Factor,
            ["machine"] = Machine.Describe(),
            ["rows"] = rows,
            ["notes"] = notes,
            ["skipped"] = skipped,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, root.ToJsonString(Indented) + "\n");
    }

    private static JsonObject RowJson(Section s, Row r)
    {
        string unit = r.Unit ?? "ns";
        var o = new JsonObject
        {
            ["name"] = r.Operation,
            ["ours"] = Number(r.Zircon.MedianNs),
            ["baseline"] = Number(r.BaselineStats.MedianNs),
            ["unit"] = unit,
            ["ratio"] = Number(Math.Round(r.Ratio, 3)),
            ["target"] = r.Target is { } t ? Math.Round(t, 3) : null,
            ["verdict"] = r.Verdict,
            ["section"] = s.Title,
            ["baseline_name"] = r.Baseline,
            ["ours_p90"] = Number(r.Zircon.P90Ns),
            ["baseline_p90"] = Number(r.BaselineStats.P90Ns),
            ["ours_alloc_bytes_per_op"] = Number(Math.Round(r.Zircon.AllocBytesPerOp, 2)),
            ["baseline_alloc_bytes_per_op"] = Number(Math.Round(r.BaselineStats.AllocBytesPerOp, 2)),
        };
        if (r.ZeroAlloc)
            o["target_alloc_bytes_per_op"] = 0;
        if (r.Third is { } third)
        {
            o["third_name"] = third.Name;
            o["third"] = Number(third.Stats.MedianNs);
        }
        var note = new List<string>();
        if (s.Where is not null)
            note.Add(s.Where);
        if (r.Verdict == "MISS" && r.Bound is not null)
            note.Add("bound: " + r.Bound);
        else if (r.Why is not null && r.Ratio > 1.15)
            note.Add(r.Why);
        if (note.Count > 0)
            o["note"] = string.Join(" ", note);
        return o;
    }

    private static JsonNode? Number(double value) => double.IsNaN(value) || double.IsInfinity(value) ? null : JsonValue.Create(value);

    /// <summary>Merges every <c>*.json</c> part in <paramref name="folder"/> into the combined JSON and Markdown files.</summary>
    public static int Combine(string folder, string jsonPath, string markdownPath)
    {
        string[] files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.json") : [];
        // This program's parts first, in the order a reader meets them; other tools' parts after.
        string[] order = ["host", "vcpu", "smp"];
        Array.Sort(files, (a, b) =>
        {
            int ia = Array.IndexOf(order, Path.GetFileNameWithoutExtension(a)), ib = Array.IndexOf(order, Path.GetFileNameWithoutExtension(b));
            ia = ia < 0 ? order.Length : ia;
            ib = ib < 0 ? order.Length : ib;
            return ia != ib ? ia.CompareTo(ib) : string.CompareOrdinal(a, b);
        });
        var parts = new List<(string Name, JsonObject Root)>();
        foreach (string file in files)
        {
            try
            {
                if (JsonNode.Parse(File.ReadAllText(file)) is JsonObject root && root["rows"] is JsonArray)
                    parts.Add((Path.GetFileNameWithoutExtension(file), root));
                else
                    Console.Error.WriteLine($"zircon-bench: {file}: no \"rows\" array; left out");
            }
            catch (JsonException e)
            {
                Console.Error.WriteLine($"zircon-bench: {file}: not JSON ({e.Message}); left out");
            }
        }
        var allRows = new JsonArray();
        foreach ((string name, JsonObject root) in parts)
        {
            foreach (JsonNode? row in (JsonArray)root["rows"]!)
            {
                if (row is not JsonObject r)
                    continue;
                var copy = (JsonObject)r.DeepClone();
                copy["part"] = name;
                allRows.Add(copy);
            }
        }
        var combined = new JsonObject
        {
            ["date"] = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture),
            ["machine"] = Machine.Describe(),
            ["parts"] = new JsonArray(parts.Select(p => (JsonNode)JsonValue.Create(p.Name)!).ToArray()),
            ["rows"] = allRows,
        };
        File.WriteAllText(jsonPath, combined.ToJsonString(Indented) + "\n");
        File.WriteAllText(markdownPath, Markdown(parts));
        int pass = allRows.Count(r => (string?)r?["verdict"] == "PASS"), miss = allRows.Count(r => (string?)r?["verdict"] == "MISS");
        Console.WriteLine($"wrote {jsonPath} and {markdownPath}: {allRows.Count} rows, {pass} PASS, {miss} MISS, {allRows.Count - pass - miss} N/A");
        return 0;
    }

    private static string Markdown(List<(string Name, JsonObject Root)> parts)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks: Zircon hot paths against raw C and .NET baselines, with targets");
        md.AppendLine();
        md.AppendLine("Produced by `bench/run.sh` (see the README): it builds what it needs, runs every part (each Zircon path interleaved batch by batch " +
            "with its baseline in the same process), writes one `bench/results/<part>.json` per part and combines them into `bench/results.json` " +
            "and this file. `ratio` is our median ÷ the baseline's median; the verdict compares it with the issue's target (issue 9). " +
            "Rows measured in the KVM rig (QEMU TCG emulating SVM, on a host without /dev/kvm) are labelled: there only the ratio means anything. " +
            "Targets, what bounds each miss and the locks each syscall takes: `docs/benchmark-notes.md`.");
        md.AppendLine();
        string? context = Environment.GetEnvironmentVariable("ZX_BENCH_CONTEXT");
        if (!string.IsNullOrWhiteSpace(context))
        {
            md.AppendLine($"**{context}**");
            md.AppendLine();
        }
        foreach ((string name, JsonObject root) in parts)
        {
            md.AppendLine($"## {name}: {(string?)root["title"] ?? name}");
            md.AppendLine();
            var facts = new List<string>();
            if (root["date"] is JsonNode d)
                facts.Add($"measured {d}");
            if (root["elapsed_s"] is JsonNode e)
                facts.Add($"run took {e} s");
            if (Num(root["iteration_factor"]) is double f && f != 1.0)
                facts.Add($"iteration factor {f}");
            if (facts.Count > 0)
                md.AppendLine($"_{string.Join(", ", facts)}_");
            if (root["machine"] is JsonObject m)
                md.AppendLine($"_machine: {string.Join("; ", m.Select(kv => $"{kv.Key} {kv.Value}"))}_");
            md.AppendLine();
            md.AppendLine("| row | ours | baseline | ratio | target | verdict | alloc B/op | note |");
            md.AppendLine("|---|--:|---|--:|--:|---|--:|---|");
            foreach (JsonNode? node in (JsonArray)root["rows"]!)
            {
                if (node is not JsonObject r)
                    continue;
                string unit = (string?)r["unit"] ?? "";
                string baselineName = (string?)r["baseline_name"] ?? "";
                string baseline = $"{Value(r["baseline"], unit)}{(baselineName.Length > 0 ? $" ({baselineName})" : "")}";
                if (r["third"] is JsonNode third)
                    baseline += $"; {(string?)r["third_name"]}: {Value(third, unit)}";
                string alloc = Num(r["ours_alloc_bytes_per_op"]) is double a ? AllocText(a) : "—";
                string target = Num(r["target"]) is double t ? $"≤ {t.ToString("0.00", CultureInfo.InvariantCulture)}x{(r["target_alloc_bytes_per_op"] is not null ? ", 0 B" : "")}"
                    : r["target"] is JsonNode other ? other.ToString()
                    : r["target_alloc_bytes_per_op"] is not null ? "0 B" : "—";
                string ratio = Num(r["ratio"]) is double q ? q.ToString("0.00", CultureInfo.InvariantCulture) : "—";
                md.AppendLine($"| {Cell((string?)r["name"])} | {Value(r["ours"], unit)} | {Cell(baseline)} | {ratio} | {target} | " +
                    $"**{(string?)r["verdict"] ?? "N/A"}** | {alloc} | {Cell((string?)r["note"])} |");
            }
            md.AppendLine();
            if (root["skipped"] is JsonArray skipped)
            {
                foreach (JsonNode? s in skipped)
                    md.AppendLine($"- Skipped: {s}");
            }
            if (root["notes"] is JsonArray notes)
            {
                foreach (JsonNode? n in notes)
                    md.AppendLine($"- {n}");
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    private static string AllocText(double bytes) => bytes < 0.5 ? "0" : bytes < 10 ? bytes.ToString("0.0", CultureInfo.InvariantCulture) : bytes.ToString("0", CultureInfo.InvariantCulture);

    private static string Cell(string? text) => (text ?? "").Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Value(JsonNode? node, string unit)
    {
        if (node is null)
            return "—";
        if (Num(node) is not double v)
            return node.ToString();
        return unit == "ns" ? Format.Time(v) : $"{v.ToString("0.##", CultureInfo.InvariantCulture)} {unit}";
    }

    /// <summary>A number from a part file (other tools may write strings or nulls).</summary>
    private static double? Num(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out double d) ? d : null;
}

/// <summary>The machine a part was measured on, for the results files.</summary>
public static class Machine
{
    public static JsonObject Describe()
    {
        string? delay = Environment.GetEnvironmentVariable("DOTNET_TC_CallCountingDelayMs");
        return new JsonObject
        {
            ["cpu"] = $"{CpuModel()}, {Environment.ProcessorCount} logical CPUs",
            ["kernel"] = $"Linux {KernelRelease()}",
            ["kvm"] = KvmDescription(),
            ["dotnet"] = $"{RuntimeInformation.FrameworkDescription}, workstation non-concurrent GC" +
                (delay is null ? "" : $", DOTNET_TC_CallCountingDelayMs={delay}"),
            ["load"] = LoadAverage(),
        };
    }

    /// <summary>True inside the KVM rig (scripts/kvm-rig sets ZX_IN_KVM_RIG=1).</summary>
    public static bool InKvmRig => Environment.GetEnvironmentVariable("ZX_IN_KVM_RIG") == "1";

    private static string LoadAverage()
    {
        try
        {
            return "load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + " at the end of the part";
        }
        catch (IOException)
        {
            return "unknown";
        }
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
            return "none (/dev/kvm missing): VCPU rows are measured in the KVM rig";
        string rig = InKvmRig ? "the KVM rig: QEMU TCG emulating SVM, kvm_amd; " : "";
        if (Directory.Exists("/sys/module/kvm_pvm"))
            return rig + "PVM (kvm_pvm module inside an outer KVM guest)";
        if (Directory.Exists("/sys/module/kvm_intel"))
            return rig + "kvm_intel (VMX)";
        if (Directory.Exists("/sys/module/kvm_amd"))
            return rig + "kvm_amd (SVM)";
        return rig + "present";
    }
}
