namespace Zircon.Stress;

/// <summary>
/// The process's open descriptors (/proc/self/fd), threads (/proc/self/task), resident memory
/// (/proc/self/statm) and kernel handles, so a phase can show it leaves nothing behind.
/// </summary>
internal readonly record struct ResourceSample(int Fds, int Threads, long RssBytes, int Handles)
{
    public static ResourceSample Take()
    {
        // Let finished threads go and garbage (and its finalizers) be collected first.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        string statm = File.ReadAllText("/proc/self/statm");
        long pages = long.Parse(statm.Split(' ')[1]);
        return new ResourceSample(
            CountFds(),
            Directory.GetDirectories("/proc/self/task").Length,
            pages * Environment.SystemPageSize,
            KernelContext.Handles.Count);
    }

    /// <summary>Checks growth from <paramref name="before"/> stays within slack (pools and caches warm up once).</summary>
    public static void CheckGrowth(Report report, string phase, ResourceSample before, ResourceSample after)
    {
        report.Check($"{phase}: kernel handles", after.Handles <= before.Handles, $"{before.Handles} -> {after.Handles}");
        report.Check($"{phase}: fds", after.Fds <= before.Fds + 8, $"{before.Fds} -> {after.Fds}{(after.Fds > before.Fds + 8 ? "; now open: " + DescribeFds() : "")}");
        report.Check($"{phase}: threads", after.Threads <= before.Threads + 8, $"{before.Threads} -> {after.Threads}");
        report.Check($"{phase}: RSS", after.RssBytes <= before.RssBytes + (128L << 20), $"{before.RssBytes >> 20} MiB -> {after.RssBytes >> 20} MiB");
    }

    /// <summary>
    /// Open descriptors, not counting the runtime's open assembly files (each assembly the
    /// runtime loads on first use keeps its file open for the process's life).
    /// </summary>
    private static int CountFds()
    {
        int count = 0;
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            string? target = null;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
            }
            if (target is null || !target.EndsWith(".dll", StringComparison.Ordinal))
                count++;
        }
        return count;
    }

    /// <summary>What the open descriptors are, grouped ("anon_inode:[eventfd] x8, ...").</summary>
    public static string DescribeFds()
    {
        var kinds = new Dictionary<string, int>();
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            string target;
            try
            {
                target = new FileInfo(fd).LinkTarget ?? "?";
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }
            if (target.StartsWith("/memfd:", StringComparison.Ordinal))
                target = "memfd";
            kinds[target] = kinds.GetValueOrDefault(target) + 1;
        }
        return string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} x{k.Value}"));
    }

    public override string ToString() => $"fds={Fds} threads={Threads} rss={RssBytes >> 20}MiB handles={Handles}";
}
