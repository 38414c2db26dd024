namespace Zircon.Stress;

/// <summary>Checks and figures of one run; ends with the line test.sh adds up.</summary>
internal sealed class Report
{
    private readonly Lock _lock = new();
    private int _passed, _failed, _skipped;

    /// <summary>Figures for docs/RELIABILITY.md ("calls", "packets", "guests", ...).</summary>
    public Dictionary<string, long> Figures { get; } = new();

    public void Check(string name, bool ok, string detail = "")
    {
        lock (_lock)
        {
            if (ok)
                _passed++;
            else
                _failed++;
            Console.WriteLine($"[{(ok ? " OK " : "FAIL")}] {name}{(detail.Length > 0 ? ": " + detail : "")}");
        }
    }

    public void Skip(string name, string reason)
    {
        lock (_lock)
        {
            _skipped++;
            Console.WriteLine($"[SKIP] {name}: {reason}");
        }
    }

    public void Add(string figure, long amount)
    {
        lock (_lock)
            Figures[figure] = Figures.GetValueOrDefault(figure) + amount;
    }

    public int Failed => _failed;

    public void PrintSummary()
    {
        Console.WriteLine("figures: " + string.Join(", ", Figures.Select(f => $"{f.Key}={f.Value}")));
        Console.WriteLine($"{_passed} passed, {_failed} failed, {_skipped} skipped");
    }
}
