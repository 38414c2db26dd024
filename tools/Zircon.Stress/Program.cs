using System.Diagnostics;
using Zircon.Stress;

// zircon-stress SECONDS [--zxvm PATH] [--abi-fuzz PATH] [--parts host|guests|all]
// Runs the parts of the reliability suite within about SECONDS seconds and ends with the line
// "N passed, N failed, N skipped". Exit status 1 if anything failed. --parts host runs all but the
// guest faults and soak, --parts guests only those (stress.sh runs them in the KVM rig when this
// host has no /dev/kvm); the default is all.
string parts = Option("--parts") ?? "all";
if (args.Length < 1 || !int.TryParse(args[0], out int seconds) || seconds < 5 || parts is not ("all" or "host" or "guests"))
{
    Console.Error.WriteLine("usage: zircon-stress SECONDS(>=5) [--zxvm PATH] [--abi-fuzz PATH] [--parts host|guests|all]");
    return 2;
}
bool runHost = parts != "guests", runGuests = parts != "host";
string? zxvm = Option("--zxvm");
string? abiFuzz = Option("--abi-fuzz");
int threads = Math.Max(4, Environment.ProcessorCount * 2);

var report = new Report();
var clock = Stopwatch.StartNew();
// What lives as long as the process once made is made before the baseline: the root resource
// and root VMAR handles, the fuzzer's host interrupt lines (each keeps its eventfd) and the
// line-watcher thread, and .NET's child-process plumbing (a pipe, a socket, an epoll).
Syscalls.GetRootResource();
Syscalls.VmarRootSelf();
for (uint line = SyscallFuzzer.FirstFuzzLine; line < SyscallFuzzer.FirstFuzzLine + SyscallFuzzer.FuzzLines; line++)
{
    if (Syscalls.InterruptCreate(Syscalls.GetRootResource(), line, 0, out uint irq) == ZxStatus.Ok)
        Syscalls.HandleClose(irq);
}
using (Process warmup = Process.Start(new ProcessStartInfo("true") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true })!)
{
    warmup.StandardOutput.ReadToEnd();
    warmup.WaitForExit();
}
ResourceSample start = ResourceSample.Take();
Console.WriteLine($"zircon-stress: {seconds} s, {threads} threads, start {start}");

// Shares of the budget: fuzzers and port/interrupt stress get most of it; run alone, the guest
// parts get all of it.
TimeSpan Share(double part) => TimeSpan.FromSeconds(Math.Max(1, seconds * (runHost ? part : 1)));

if (runHost)
{
    new SyscallFuzzer(report).Run(Share(0.25), threads);
    new PortStress(report).Run(Share(0.1), producers: 4, consumers: 1);
    new PortStress(report).Run(Share(0.1), producers: 4, consumers: 3);
    new InterruptStress(report).Run(Share(0.2), threads);
}
if (runGuests)
{
    var guests = new GuestStress(report);
    guests.RunFaults();
    guests.RunSoak(Share(0.15));
    if (!runHost && zxvm is not null)
        new ZxvmInputs(report, zxvm).RunShrinkingDisk();
}
if (runHost)
{
    if (abiFuzz is null)
        report.Skip("C ABI fuzzer", "no --abi-fuzz program given (stress.sh builds tests/c/stress/abi_fuzz.c)");
    else
        RunAbiFuzz(abiFuzz, Share(0.1));
    if (zxvm is null)
        report.Skip("zxvm bad inputs", "no --zxvm program given (stress.sh passes artifacts/bin/zxvm)");
    else
        new ZxvmInputs(report, zxvm).Run(Share(0.1) + TimeSpan.FromSeconds(10), withShrinkingDisk: runGuests);
}

ResourceSample end = ResourceSample.Take();
ResourceSample.CheckGrowth(report, "whole run", start, end);
Console.WriteLine($"zircon-stress: done in {clock.Elapsed.TotalSeconds:F1} s, end {end}");
report.PrintSummary();
return report.Failed == 0 ? 0 : 1;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

void RunAbiFuzz(string program, TimeSpan budget)
{
    var startInfo = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
    startInfo.ArgumentList.Add(((int)Math.Ceiling(budget.TotalSeconds)).ToString());
    startInfo.ArgumentList.Add(threads.ToString());
    using Process process = Process.Start(startInfo)!;
    Task<string> stderr = process.StandardError.ReadToEndAsync();
    string stdout = process.StandardOutput.ReadToEnd();
    bool exited = process.WaitForExit(budget + TimeSpan.FromSeconds(30));
    if (!exited)
        process.Kill(entireProcessTree: true);
    string line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("abi_fuzz:", StringComparison.Ordinal)) ?? "";
    if (line.Split("calls=").ElementAtOrDefault(1)?.Split(' ')[0] is { } count && long.TryParse(count, out long calls))
        report.Add("C ABI fuzzed calls", calls);
    report.Check("C ABI fuzzer: the process survived, no ZX_ERR_INTERNAL", exited && process.ExitCode == 0,
        exited ? $"exit {process.ExitCode}: {line} {stderr.Result.Trim()}" : "hung");
}
