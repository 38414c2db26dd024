using System.Diagnostics;

namespace Zircon.Benchmarks;

/// <summary>Creating a guest and running it to its first exit, and tearing it down: Zircon against raw C and the C# KVM layer.</summary>
public static class LifecycleBenchmarks
{
    public static Section Run(Config config)
    {
        var s = new Section("Guest lifecycle");
        string? unavailable = RawGuest.Availability() ?? (RawC.Loaded ? null : "no raw C baseline library (--raw-c; bench/run.sh builds it)");
        if (unavailable is not null)
        {
            s.Skipped = unavailable;
            return s;
        }
        s.Where = Machine.InKvmRig ? VcpuBenchmarks.RigLabel : null;
        byte[] image = GuestImage.Build(GuestProgram.FirstExit);
        int count = config.Scale(100);
        const int Warmup = 3;

        var zxCreate = new double[count];
        var zxTeardown = new double[count];
        var zxTotal = new double[count];
        var rawCreate = new double[count];
        var rawTeardown = new double[count];
        var rawTotal = new double[count];
        var cCreate = new double[count];
        var cTeardown = new double[count];
        var cTotal = new double[count];
        // Zircon and raw KVM take turns, so that the host's slow phases (memslot changes wait for
        // SRCU grace periods here) fall on both alike.
        for (int i = -Warmup; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var zx = ZirconGuest.Create(image, allTraps: false);
            zx.ResumeToIo(GuestImage.LoopPort);
            long exited = Stopwatch.GetTimestamp();
            zx.Dispose();
            long end = Stopwatch.GetTimestamp();
            if (i >= 0)
            {
                zxCreate[i] = Measure.Nanoseconds(exited - start);
                zxTeardown[i] = Measure.Nanoseconds(end - exited);
                zxTotal[i] = Measure.Nanoseconds(end - start);
            }

            start = Stopwatch.GetTimestamp();
            var raw = RawGuest.Create(image);
            raw.RunToOut(GuestImage.LoopPort);
            exited = Stopwatch.GetTimestamp();
            raw.Dispose();
            end = Stopwatch.GetTimestamp();
            if (i >= 0)
            {
                rawCreate[i] = Measure.Nanoseconds(exited - start);
                rawTeardown[i] = Measure.Nanoseconds(end - exited);
                rawTotal[i] = Measure.Nanoseconds(end - start);
            }

            RawC.Check(RawC.Lifecycle(image, (nuint)image.Length, (nuint)GuestImage.MemorySize, GuestImage.LoopPort, out long cc, out long ct), "lifecycle");
            if (i >= 0)
            {
                cCreate[i] = cc;
                cTeardown[i] = ct;
                cTotal[i] = cc + ct;
            }
        }

        s.Add("guest_create + 16 MiB VMO mapped + vcpu_create + first exit", Stats.FromSamples(zxCreate),
            "raw C KVM_CREATE_VM + memfd slot + VCPU + first KVM_RUN exit", Stats.FromSamples(cCreate),
            "VMO, VMAR and handle bookkeeping, CPUID edits and trap set-up around the same ioctls.", target: 1.20, third: ("C# KVM layer", Stats.FromSamples(rawCreate)));
        s.Add("teardown (close VCPU, VMO, VMAR, guest handles)", Stats.FromSamples(zxTeardown),
            "raw C close VCPU and VM fds, munmap, close memfd", Stats.FromSamples(cTeardown),
            "the guest deletes its memory slot (KVM_SET_USER_MEMORY_REGION with size 0, which waits for an SRCU grace period) before closing the VM fd, where raw KVM just closes the fd (GuestDispatcher.DestroyIfUnused → GuestAddressSpace.Clear).",
            target: 1.20, third: ("C# KVM layer", Stats.FromSamples(rawTeardown)));
        s.Add("total: create → first exit → teardown", Stats.FromSamples(zxTotal),
            "raw C", Stats.FromSamples(cTotal), target: 1.20, third: ("C# KVM layer", Stats.FromSamples(rawTotal)));

        return s;
    }

    internal static (string Path, string[] Args) SelfCommand()
    {
        string process = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
            return (process, [typeof(LifecycleBenchmarks).Assembly.Location, "--noop"]);
        return (process, ["--noop"]);
    }

    /// <summary>Milliseconds of the first <c>zxvm --verbose</c> line ("zxvm: [  62.0 ms] ...") containing <paramref name="phase"/>.</summary>
    internal static double PhaseMs(string log, string phase)
    {
        foreach (string line in log.Split('\n'))
        {
            if (!line.Contains(phase, StringComparison.Ordinal))
                continue;
            int open = line.IndexOf('['), ms = line.IndexOf(" ms]", StringComparison.Ordinal);
            if (open >= 0 && ms > open && double.TryParse(line[(open + 1)..ms].Trim(), System.Globalization.CultureInfo.InvariantCulture, out double value))
                return value;
        }
        throw new InvalidOperationException($"zxvm --verbose printed no '{phase}' line:\n{log}");
    }

    /// <summary>
    /// Runs a process to completion with <paramref name="input"/> on stdin; wall time in ns. With
    /// <paramref name="sample"/>, calls it with the process id about every millisecond while the
    /// process runs (e.g. to read its /proc status).
    /// </summary>
    internal static double RunProcess(string path, string[] args, string input, string? expect, out string stderrText, Action<int>? sample = null)
    {
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            info.ArgumentList.Add(a);
        // run.sh tunes tiered compilation for the measuring loops; a process start should see the defaults.
        info.Environment.Remove("DOTNET_TC_CallCountingDelayMs");
        long start = Stopwatch.GetTimestamp();
        using Process p = Process.Start(info)!;
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        long deadline = Environment.TickCount64 + 60_000;
        while (sample is null ? !p.WaitForExit(60_000) : !p.HasExited)
        {
            if (sample is null || Environment.TickCount64 > deadline)
            {
                p.Kill();
                throw new TimeoutException($"{path} did not exit within 60 s");
            }
            sample(p.Id);
            Thread.Sleep(1);
        }
        p.WaitForExit();
        double ns = Measure.Since(start);
        string output = stdout.Result;
        stderrText = stderr.Result;
        if (p.ExitCode != 0 || (expect is not null && !output.Contains(expect, StringComparison.Ordinal)))
            throw new InvalidOperationException($"{path} {string.Join(' ', args)} exited {p.ExitCode}; stdout: {output}; stderr: {stderrText}");
        return ns;
    }
}
