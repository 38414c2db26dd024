using System.Text;
using System.Text.RegularExpressions;
using Zxvm.Tests.Support;

namespace Zxvm.Tests;

/// <summary><c>zxvm run</c> booting the embedded zxos and small images of the tests' own.</summary>
[Collection(ZxvmCollection.Name)]
public sealed class RunTests : IDisposable
{
    private static readonly Regex TimedPhase = new(@"^zxvm: \[\s*\d+\.\d ms\] ");

    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [KvmFact]
    public async Task Run_EmbeddedGuest_ExercisesEveryDeviceAndEchoesInput()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync("hello\n", "run");

        Assert.True(result.ExitCode == 0, result.ToString());
        string o = result.Stdout;
        Assert.Contains("zxos: hello from ring 3 (RAM 64 MiB)", o);
        Assert.Contains("zxos: timer: 10 ticks", o);
        Assert.Contains("zxos: disk: 2048 sectors (1024 KiB)", o);
        Assert.Contains("zxos: disk: sector 0: 68 65 6c 6c 6f 20 66 72 6f 6d 20 74 68 65 20 68  |hello from the h|", o);
        Assert.Contains("zxos: disk: wrote sector 1 (\"zxos wrote this sector\"), read back, match", o);
        Assert.Contains("zxos: hello over virtio-console", o);
        Assert.Contains("echo: hello", o);
        Assert.Contains("zxos: console: echoed 5 bytes", o);
        Assert.Contains("zxos: done", o);
        Assert.DoesNotContain("FAIL", o);
        Assert.Empty(result.Stderr);
        Assert.True(o.IndexOf("hello from ring 3", StringComparison.Ordinal) < o.IndexOf("zxos: done", StringComparison.Ordinal), result.ToString());
    }

    [KvmFact]
    public async Task Run_TwoCpus_EveryCpuReportsIn_IpisBothWays_TheTimerReachesBoth_AndPowerOffEndsIt()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync("hi\n", "run", "--cpus", "2", "--verbose");

        Assert.True(result.ExitCode == 0, result.ToString());
        string o = result.Stdout;
        Assert.DoesNotContain("FAIL", o);
        // CPU 1 came up through INIT/STARTUP and ran its work in ring 3.
        Assert.Matches(@"zxos: cpu 1: up, ring 3 work 0x[0-9a-f]+ \(ok\)", o);
        Assert.Contains("zxos: smp: 2 cpus up, IPIs both ways, timer on every cpu, second STARTUP ignored", o);
        // Who took what: each CPU an IPI from the other and ticks of the timer bound to both.
        foreach (int cpu in new[] { 0, 1 })
        {
            Match m = Regex.Match(o, $@"zxos: cpu {cpu}: timer (\d+), ipi (\d+),");
            Assert.True(m.Success, result.ToString());
            Assert.True(int.Parse(m.Groups[1].Value) > 0 && int.Parse(m.Groups[2].Value) > 0, m.Value);
        }
        Assert.Matches(@"zxos: cpu 1: .* virtio-console 0, virtio-blk 0,", o); // devices stay on CPU 0
        Assert.Contains("zxos: done", o);
        // zxvm made VCPU 1 from the STARTUP packet on a thread of its own.
        Assert.Contains("guest created with 2 processors", result.Stderr);
        Assert.Contains("VCPU 1 created on its own thread (STARTUP)", result.Stderr);
    }

    [KvmFact]
    public async Task Run_OneCpu_HasNoSmpReport()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--cpus", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("zxos: cpu 1", result.Stdout);
        Assert.DoesNotContain("zxos: smp", result.Stdout);
        Assert.Contains("zxos: done", result.Stdout);
    }

    [KvmFact]
    public async Task OnATerminal_CtrlRightBracket_StopsAGuestThatRunsForever()
    {
        string spin = _files.Write("spin.bin", [0xEB, 0xFE]); // jmp $

        (int exitCode, string screen) = await ZxvmProcess.RunOnTerminalAsync(TimeSpan.FromSeconds(2), "\u001d", "run", "--image", spin);

        Assert.True(exitCode == 130, $"exit {exitCode}\n{screen}");
        Assert.Contains("zxvm: stopped by the user", screen);
        Assert.DoesNotContain("\u001b[?1h", screen); // no terminal modes of System.Console's
    }

    [KvmFact]
    public async Task Run_WithoutInput_StillFinishes()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("zxos: console: echoed 0 bytes (no input)", result.Stdout);
        Assert.Contains("zxos: done", result.Stdout);
    }

    [KvmFact]
    public async Task Run_WithDisk_ReadsSectorZeroAndWritesSectorOneOfTheHostFile()
    {
        byte[] disk = new byte[64 * 1024];
        Encoding.ASCII.GetBytes("ZXVM TEST DISK!\n").CopyTo(disk, 0);
        disk[511] = 0x5A;
        disk[512 + 100] = 0xEE; // must be overwritten with zeros by the guest's sector-1 write
        string path = _files.Write("disk.img", disk);

        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--disk", path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("zxos: disk: 128 sectors (64 KiB)", result.Stdout);
        Assert.Contains("zxos: disk: sector 0: 5a 58 56 4d 20 54 45 53 54 20 44 49 53 4b 21 0a  |ZXVM TEST DISK!.|", result.Stdout);
        Assert.Contains("read back, match", result.Stdout);

        byte[] after = File.ReadAllBytes(path);
        Assert.Equal(disk.Length, after.Length);
        Assert.Equal(disk[..512], after[..512]); // sector 0 untouched
        byte[] marker = Encoding.ASCII.GetBytes("zxos wrote this sector");
        Assert.Equal(marker, after[512..(512 + marker.Length)]);
        Assert.All(after[(512 + marker.Length)..1024], b => Assert.Equal(0, b));
        Assert.Equal(disk[1024..], after[1024..]);
    }

    [KvmFact]
    public async Task Run_Memory16M_IsWhatTheGuestSees()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--memory", "16M");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("zxos: hello from ring 3 (RAM 16 MiB)", result.Stdout);
        Assert.Contains("zxos: done", result.Stdout);
    }

    [KvmFact]
    public async Task Run_LargestMemory_Boots()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--memory", "2047M");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("zxos: hello from ring 3 (RAM 2047 MiB)", result.Stdout);
        Assert.Contains("zxos: done", result.Stdout);
    }

    [KvmFact]
    public async Task Run_Trace_WritesOneLinePerExitToStderr()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--trace");

        Assert.True(result.ExitCode == 0, result.ToString());
        // Level trace includes info (boot phases) and debug (disk, input): the rest is one line per exit.
        string[] lines = result.StderrLines.Where(l => !TimedPhase.IsMatch(l) && !l.StartsWith("zxvm: debug: ", StringComparison.Ordinal)).ToArray();
        Assert.All(lines, l => Assert.StartsWith("zxvm: trace: ", l));
        Assert.Contains(lines, l => l.StartsWith("zxvm: trace: io   out  port 0x03f8 size 1", StringComparison.Ordinal)); // UART output
        Assert.Contains(lines, l => l.StartsWith("zxvm: trace: io   out  port 0x0500 size 4", StringComparison.Ordinal)); // timer period
        Assert.Contains(lines, l => l.StartsWith("zxvm: trace: mmio read  0xd0000000 size 4 value 0x74726976 virtio-console+0x0", StringComparison.Ordinal)); // magic
        Assert.Contains(lines, l => l.StartsWith("zxvm: trace: mmio write", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("zxvm: trace: bell 0xd000", StringComparison.Ordinal)); // doorbell pages
        Assert.Contains(lines, l => l.StartsWith("zxvm: trace: io   out  port 0x0600 size 1 value 0x0 -> power", StringComparison.Ordinal));
        Assert.Contains("zxos: done", result.Stdout);
    }

    [KvmFact]
    public async Task Run_Verbose_ShowsBootPhasesWithTiming()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--verbose");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.StderrLines;
        var timed = new Regex(@"^zxvm: \[\s*\d+\.\d ms\] ");
        Assert.All(lines, l => Assert.Matches(timed, l));
        string all = result.Stderr;
        Assert.Contains("image zxos (embedded): raw", all);
        Assert.Contains("guest created", all);
        Assert.Contains("64 MiB RAM, raw image loaded", all);
        Assert.Contains("devices attached: uart, timer, power, virtio-console, virtio-blk", all);
        Assert.Contains("entering the guest", all);
        Assert.Contains("guest powered off with code 0", all);
        Assert.Matches(@"done after \d+ VCPU exits", all);
    }

    [KvmFact]
    public async Task Run_RawImage_ExitsWithWhatTheGuestWritesToThePowerPort()
    {
        string image = _files.Write("poweroff.bin", GuestImages.PowerOff42);

        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--image", image);

        Assert.True(result.ExitCode == 42, result.ToString());
        Assert.Empty(result.Stdout);
        Assert.Empty(result.Stderr);
    }

    [KvmFact]
    public async Task Run_ElfImage_LoadsSegmentsAndStartsAtItsEntryPoint()
    {
        string image = _files.Write("poweroff.elf", GuestImages.ElfPowerOff42());

        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--image", image, "--verbose");

        Assert.True(result.ExitCode == 42, result.ToString());
        Assert.Contains("ELF64 image loaded", result.Stderr);
        Assert.Contains("entry 0x200010", result.Stderr);
    }

    [KvmFact]
    public async Task Run_Entry_OverridesTheImagesEntryPoint()
    {
        string image = _files.Write("entry.bin", GuestImages.Ud2ThenPowerOff42);

        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--image", image, "--entry", "0x100002");

        Assert.True(result.ExitCode == 42, result.ToString());
    }

    [KvmFact]
    public async Task Run_RawImage_HasNoDiskUnlessAsked()
    {
        string image = _files.Write("poweroff.bin", GuestImages.PowerOff42);

        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--image", image, "--verbose");

        Assert.True(result.ExitCode == 42, result.ToString());
        Assert.Contains("devices attached: uart, timer, power, virtio-console", result.Stderr);
        Assert.DoesNotContain("virtio-blk", result.Stderr);
    }

    [KvmFact]
    public async Task Run_ReadOnlyDisk_TheGuestIsToldAndTheFileStaysUntouched()
    {
        byte[] disk = new byte[64 * 1024];
        Encoding.ASCII.GetBytes("ZXVM TEST DISK!\n").CopyTo(disk, 0);
        string path = _files.Write("ro.img", disk);

        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run", "--disk", path + ",ro", "--verbose");

        Assert.Contains("attached read-only", result.Stderr);
        Assert.Contains("zxos: disk: 128 sectors (64 KiB)", result.Stdout);
        Assert.Equal(disk, File.ReadAllBytes(path)); // zxos's sector-1 write did not reach the file
    }

    [KvmFact]
    public async Task Run_ScratchDisk_IsRemovedAfterTheRun()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(null, "run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("zxos: disk: 2048 sectors", result.Stdout);
        // The scratch disk is named after the zxvm process and must be gone once it has exited.
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), $"zxvm-scratch-{result.ProcessId}.img")), result.ToString());
    }
}
