using System.Text;
using System.Text.RegularExpressions;
using Zircon.TestSupport;
using Zircon.Vmm.Boot;
using Zircon.Vmm.Tests.Support;
using Zxvm.Tests.Support;

namespace Zxvm.Tests.Linux;

/// <summary>
/// Debian's kernel on zxvm, end to end: what the kernel's own console says about the machine zxvm
/// built. Runs where /dev/kvm exists; the full boot only where the CPU has VMX or SVM.
/// </summary>
[Collection(ZxvmCollection.Name)]
public sealed class LinuxBootTests : IDisposable
{
    /// <summary>On an emulating (PVM) host the banner comes after tens of seconds; be generous.</summary>
    private static readonly TimeSpan EarlyConsoleLimit = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan FullBootLimit = TimeSpan.FromMinutes(3);
    private const string Memory = "128M";
    private const string EarlyCommandLine = "console=ttyS0 earlyprintk=serial,ttyS0,115200";

    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string InitramfsPath() => _files.Write("initramfs.cpio", Initramfs.Build(DebianKernel.ModulesDirectory));

    [LinuxGuestFact]
    public async Task Pvh_TheKernelConsole_ShowsBanner_CommandLine_MemoryMap_AndTheInterruptControllers()
    {
        // Where guest ring 0 is emulated (PVM: no VMX/SVM flag), two early emulation failures are
        // avoided by the kernel's own options (kvm-host.md); the echo must still be exact.
        string commandLine = LinuxHost.HasVmxOrSvm ? EarlyCommandLine : EarlyCommandLine + " clearcpuid=cx16 noxsave";
        (string console, string stderr, _) = await ZxvmProcess.WatchAsync(EarlyConsoleLimit,
            text => text.Contains("Using ACPI (MADT) for SMP configuration information", StringComparison.Ordinal),
            "run", "--kernel", DebianKernel.VmlinuxPath, "--initrd", InitramfsPath(), "--memory", Memory, "--cmdline", commandLine);
        string context = $"\n--- console ---\n{console}\n--- stderr ---\n{stderr}";
        Assert.True(console.Contains("Linux version 6.", StringComparison.Ordinal), "no banner" + context);
        Assert.True(console.Contains($"Command line: {commandLine}\n", StringComparison.Ordinal) || console.Contains($"Command line: {commandLine}\r\n", StringComparison.Ordinal), "command line not echoed exactly" + context);
        AssertMemoryMap(console, 128UL << 20, context);
        Assert.True(console.Contains("ACPI: RSDP 0x00000000000E0000", StringComparison.Ordinal), "RSDP not found" + context);
        Assert.True(console.Contains("IOAPIC[0]: apic_id 1, version 17, address 0xfec00000, GSI 0-23", StringComparison.Ordinal), "IO-APIC not found" + context);
        Assert.True(console.Contains("ACPI: LAPIC_NMI (acpi_id[0xff] dfl dfl lint[0x1])", StringComparison.Ordinal), "local APIC NMI not found" + context);
    }

    /// <summary>The kernel prints the map it got ("BIOS-e820: [mem a-b] usable"): it must be zxvm's, entry by entry.</summary>
    private static void AssertMemoryMap(string console, ulong ram, string context)
    {
        var printed = Regex.Matches(console, @"BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (\w+)")
            .Select(m => (Convert.ToUInt64(m.Groups[1].Value, 16), Convert.ToUInt64(m.Groups[2].Value, 16), m.Groups[3].Value)).ToList();
        var expected = new LinuxMemoryMap(ram).Entries
            .Select(e => (e.Address, e.End - 1, e.Type == E820Type.Ram ? "usable" : e.Type == E820Type.Reserved ? "reserved" : "ACPI")).ToList();
        // The early console and the real one may both print the map: the first copy must be the
        // map, and nothing else may appear in any copy.
        Assert.True(expected.SequenceEqual(printed.Take(expected.Count)) && printed.Distinct().Count() == expected.Count,
            $"memory map differs: expected {string.Join(", ", expected)}" + context);
    }

    [FullLinuxBootFact]
    public async Task Pvh_FullBoot_ReachesInit_ReadsTheVirtioDisk_AndPowersOffWithExit0()
    {
        await FullBoot(DebianKernel.VmlinuxPath);
    }

    [FullLinuxBootFact]
    public async Task Pvh_TwoCpus_TheKernelBringsUpBoth_AndEachTakesInterrupts()
    {
        ZxvmResult result = await ZxvmProcess.RunAsync(FullBootLimit, null,
            "run", "--cpus", "2", "--kernel", DebianKernel.VmlinuxPath, "--initrd", InitramfsPath(), "--memory", Memory, "--cmdline", "console=ttyS0");
        Assert.True(result.ExitCode == 0, $"expected exit 0 after the guest's power-off; {result}");
        string o = result.Stdout;
        // The MADT listed both; the kernel started CPU 1 with INIT/STARTUP, which zxvm turned into VCPU 1.
        Assert.Contains("smp: Brought up 1 node, 2 CPUs", o);
        Assert.Contains(Initramfs.Marker, o);
        // /proc/interrupts: a column per CPU, and each CPU took its local timer and IPIs.
        Assert.True(Regex.IsMatch(o, @"^\s*CPU0\s+CPU1\s*$", RegexOptions.Multiline), $"no /proc/interrupts header for two CPUs\n{result}");
        foreach (string row in new[] { "LOC", "RES|CAL" })
        {
            Match m = Regex.Match(o, $@"(?:{row}):\s+(\d+)\s+(\d+)");
            Assert.True(m.Success && long.Parse(m.Groups[1].Value) + long.Parse(m.Groups[2].Value) > 0 && long.Parse(m.Groups[2].Value) > 0,
                $"{row}: {m.Value}\n{result}");
        }
    }

    // Known failure, kept visible: under KVM on SVM (the KVM rig) the bzImage path prints the
    // banner, the e820 map and the ACPI tables, then the VCPU stops with NOT_SUPPORTED right after
    // "ACPI: LAPIC_NMI" (before the IO-APIC line), while the same kernel through PVH boots to /init.
    [FullLinuxBootFact(Skip = "known failure on SVM: the bzImage path stops after ACPI: LAPIC_NMI (PVH boots); see docs/decisions.md")]
    public async Task BzImage_FullBoot_ReachesInit_ReadsTheVirtioDisk_AndPowersOffWithExit0()
    {
        await FullBoot(DebianKernel.BzImagePath);
    }

    private async Task FullBoot(string kernel)
    {
        byte[] disk = new byte[1 << 20];
        Encoding.ASCII.GetBytes("zxvm-disk-sector-0-hello-linux!!").CopyTo(disk, 0);
        string diskPath = _files.Write("disk.img", disk);
        ZxvmResult result = await ZxvmProcess.RunAsync(FullBootLimit, null,
            "run", "--kernel", kernel, "--initrd", InitramfsPath(), "--memory", Memory, "--disk", diskPath, "--cmdline", "console=ttyS0 quiet");
        Assert.True(result.ExitCode == 0, $"expected exit 0 after the guest's power-off; {result}");
        Assert.Contains(Initramfs.Marker, result.Stdout);
        Assert.Contains("VDA:zxvm-disk-sector-0-hello-linux!!", result.Stdout);
        // The UART's interrupt arrived through the IO-APIC (pin 4, edge).
        Assert.Matches(@"IO-APIC\s+4-edge\s+ttyS0", result.Stdout);
        Assert.Empty(result.StderrLines);
    }

    [LongPvmLinuxFact]
    public async Task Pvh_OnAnEmulatingHost_StopsAtTheEmulationFailure_WithOneLineNamingTheRip()
    {
        // clearcpuid=cx16 noxsave get past the first two emulation failures (kvm-host.md); int3_selftest remains.
        ZxvmResult result = await ZxvmProcess.RunAsync(TimeSpan.FromMinutes(10), null,
            "run", "--kernel", DebianKernel.VmlinuxPath, "--initrd", InitramfsPath(), "--memory", Memory,
            "--cmdline", EarlyCommandLine + " clearcpuid=cx16 noxsave");
        if (result.ExitCode == 0)
            return; // a host that runs the kernel through (VMX/SVM): nothing to report
        string line = ZxvmAssert.FailsWithOneLine(result, ExitCodes.MachineFailed);
        Assert.Matches(@"emulation failure at guest RIP 0xffffffff[0-9a-f]{8}$", line);
        Assert.Contains("Linux version", result.Stdout);
    }
}
