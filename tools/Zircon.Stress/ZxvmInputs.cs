using System.Buffers.Binary;
using System.Diagnostics;

namespace Zircon.Stress;

/// <summary>
/// Bad inputs to the zxvm program: garbage, truncated and absurd ELF and bzImage headers, special
/// files and directories as images and disks, a disk that changes size. Each run must end within
/// its time limit with a non-zero status and exactly one "zxvm: ..." line on stderr, never a
/// stack trace, and must not read more than guest RAM can hold.
/// </summary>
internal sealed class ZxvmInputs(Report report, string zxvm)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <param name="budget">Time for the bad inputs.</param>
    /// <param name="withShrinkingDisk">Also the disk that shrinks under a running guest (needs KVM);
    /// false when the guest parts run apart (<c>--parts host</c>), which then run it.</param>
    public void Run(TimeSpan budget, bool withShrinkingDisk)
    {
        string dir = Directory.CreateTempSubdirectory("zircon-stress-").FullName;
        try
        {
            var cases = new List<(string Name, string[] Args)>();
            var rng = new Random(1234);
            string File(string name, byte[] bytes)
            {
                string path = Path.Combine(dir, name);
                System.IO.File.WriteAllBytes(path, bytes);
                return path;
            }
            foreach (int size in new[] { 1, 3, 64, 511, 4096, 65536 })
            {
                var garbage = new byte[size];
                rng.NextBytes(garbage);
                cases.Add(($"garbage image ({size} bytes)", ["run", "--image", File($"garbage{size}", garbage), "--memory", "16M"]));
            }
            byte[] elf = Elf(entry: 0x20_0000, phoff: 64, phnum: 1, paddr: 0x20_0000, filesz: 16, memsz: 16, offset: 120);
            foreach (int cut in new[] { 4, 16, 40, 63, 64, 100, 119 })
                cases.Add(($"ELF truncated at {cut}", ["run", "--image", File($"elf-cut{cut}", elf[..cut])]));
            cases.Add(("ELF with 65535 program headers", ["run", "--image", File("elf-phnum", Elf(0x20_0000, 64, 0xFFFF, 0x20_0000, 16, 16, 120))]));
            cases.Add(("ELF with program headers past the end", ["run", "--image", File("elf-phoff", Elf(0x20_0000, ulong.MaxValue - 8, 1, 0x20_0000, 16, 16, 120))]));
            cases.Add(("ELF segment at 2^64-16", ["run", "--image", File("elf-paddr", Elf(0x20_0000, 64, 1, ulong.MaxValue - 15, 16, 16, 120))]));
            cases.Add(("ELF segment of 2^63 bytes", ["run", "--image", File("elf-memsz", Elf(0x20_0000, 64, 1, 0x20_0000, 16, 1UL << 63, 120))]));
            cases.Add(("ELF file size larger than memory size", ["run", "--image", File("elf-filesz", Elf(0x20_0000, 64, 1, 0x20_0000, 4096, 16, 120))]));
            cases.Add(("ELF data offset past the end", ["run", "--image", File("elf-offset", Elf(0x20_0000, 64, 1, 0x20_0000, 16, 16, ulong.MaxValue / 2))]));
            cases.Add(("ELF entry outside RAM", ["run", "--image", File("elf-entry", Elf(ulong.MaxValue, 64, 1, 0x20_0000, 16, 16, 120))]));
            foreach ((string name, Action<byte[]> edit) in BzImageEdits())
            {
                byte[] bz = BzImage();
                edit(bz);
                cases.Add(($"bzImage {name}", ["run", "--image", File($"bz-{cases.Count}", bz), "--memory", "16M"]));
            }
            cases.Add(("bzImage truncated in its setup header", ["run", "--image", File("bz-cut", BzImage()[..0x208])]));
            cases.Add(("image larger than RAM", ["run", "--image", File("huge", new byte[9 << 20]), "--memory", "8M"]));
            cases.Add(("/dev/zero as image", ["run", "--image", "/dev/zero"]));
            cases.Add(("/dev/urandom as image", ["run", "--image", "/dev/urandom"]));
            cases.Add(("/dev/null as image", ["run", "--image", "/dev/null"]));
            cases.Add(("directory as image", ["run", "--image", dir]));
            cases.Add(("missing image", ["run", "--image", Path.Combine(dir, "missing")]));
            cases.Add(("directory as disk", ["run", "--disk", dir]));
            cases.Add(("/dev/zero as disk", ["run", "--disk", "/dev/zero"]));
            cases.Add(("/dev/null as disk", ["run", "--disk", "/dev/null"]));
            cases.Add(("empty disk", ["run", "--disk", File("empty-disk", [])]));
            cases.Add(("disk of 100 bytes", ["run", "--disk", File("tiny-disk", new byte[100])]));
            cases.Add(("absurd memory", ["run", "--memory", "99999999999999999999G"]));
            cases.Add(("absurd entry", ["run", "--entry", "0xffffffffffffffffff"]));

            long deadline = Environment.TickCount64 + (long)budget.TotalMilliseconds;
            int ran = 0;
            foreach ((string name, string[] args) in cases)
            {
                if (Environment.TickCount64 > deadline)
                {
                    report.Skip($"zxvm input: {name}", "out of time for this run");
                    continue;
                }
                RunOne(name, args);
                ran++;
            }
            report.Add("zxvm bad inputs", ran);
            if (withShrinkingDisk)
                DiskThatChangesSize(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Only the disk that shrinks under a running guest (run with the guest parts).</summary>
    public void RunShrinkingDisk()
    {
        string dir = Directory.CreateTempSubdirectory("zircon-stress-").FullName;
        try
        {
            DiskThatChangesSize(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private void RunOne(string name, string[] args)
    {
        (int exit, string stderr, TimeSpan took, bool timedOut) = Start(args);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        bool oneLine = lines.Length == 1 && lines[0].StartsWith("zxvm: ", StringComparison.Ordinal);
        bool stackTrace = stderr.Contains("   at ", StringComparison.Ordinal);
        report.Check($"zxvm input: {name}", !timedOut && exit != 0 && oneLine && !stackTrace,
            timedOut ? $"still running after {Limit.TotalSeconds} s" : $"exit {exit} in {took.TotalMilliseconds:F0} ms: {(lines.Length > 0 ? lines[0] : "(no message)")}{(lines.Length > 1 ? $" (+{lines.Length - 1} lines)" : "")}");
    }

    /// <summary>A disk that shrinks while zxvm runs: with KVM the guest sees I/O errors, never a failed machine.</summary>
    private void DiskThatChangesSize(string dir)
    {
        if (!System.IO.File.Exists("/dev/kvm"))
        {
            report.Skip("zxvm input: disk that shrinks while the guest runs", "no /dev/kvm on this host (the guest must run to read the disk)");
            return;
        }
        string disk = Path.Combine(dir, "shrinking.img");
        System.IO.File.WriteAllBytes(disk, new byte[1 << 20]);
        var shrinker = new Thread(() =>
        {
            Thread.Sleep(100);
            using var f = new FileStream(disk, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            f.SetLength(512);
        });
        shrinker.Start();
        (int exit, string stderr, _, bool timedOut) = Start(["run", "--disk", disk], stdin: "");
        shrinker.Join();
        report.Check("zxvm input: disk that shrinks while the guest runs", !timedOut && !stderr.Contains("   at ", StringComparison.Ordinal) && !stderr.Contains("device failed", StringComparison.Ordinal),
            $"exit {exit}: {stderr.Trim()}");
    }

    private (int Exit, string Stderr, TimeSpan Took, bool TimedOut) Start(string[] args, string? stdin = null)
    {
        var start = new ProcessStartInfo(zxvm) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (string a in args)
            start.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, stderr.Result, clock.Elapsed, true);
        }
        _ = stdout.Result;
        return (process.ExitCode, stderr.Result, clock.Elapsed, false);
    }

    private static byte[] Elf(ulong entry, ulong phoff, ushort phnum, ulong paddr, ulong filesz, ulong memsz, ulong offset)
    {
        var b = new byte[136];
        BinaryPrimitives.WriteUInt32LittleEndian(b, 0x464C457F);
        b[4] = 2; b[5] = 1; b[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 2);    // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), 62);   // x86-64
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(24), entry);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(32), phoff);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(52), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(54), 56);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(56), phnum);
        // One PT_LOAD at 64.
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(64), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(68), 7);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(72), offset);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(80), paddr);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(88), paddr);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(96), filesz);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(104), memsz);
        return b;
    }

    /// <summary>The start of a Linux bzImage: boot sector, setup header with "HdrS" at 0x202.</summary>
    private static byte[] BzImage()
    {
        var b = new byte[0x1000];
        b[0x1F1] = 4;                                                 // setup_sects
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x1FE), 0xAA55);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0x202), 0x53726448); // "HdrS"
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x206), 0x020F);     // protocol 2.15
        b[0x211] = 1;                                                 // loadflags: LOADED_HIGH
        return b;
    }

    private static IEnumerable<(string, Action<byte[]>)> BzImageEdits() =>
    [
        ("as is (no kernel after the setup)", _ => { }),
        ("with 255 setup sectors", b => b[0x1F1] = 255),
        ("with protocol 0xFFFF", b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x206), 0xFFFF)),
        ("with protocol 1.0", b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(0x206), 0x0100)),
        ("with a huge init_size", b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0x260), uint.MaxValue)),
        ("with a huge payload offset", b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(0x248), uint.MaxValue)),
    ];
}
