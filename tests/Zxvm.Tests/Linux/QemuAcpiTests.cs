using System.Diagnostics;
using System.Text;
using Zircon.TestSupport;
using Zircon.Vmm.Boot.Acpi;
using Zircon.Vmm.Boot;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;
using Zxvm.Tests.Support;

namespace Zxvm.Tests.Linux;

/// <summary>
/// Debian's kernel judges zxvm's ACPI tables without KVM: QEMU's microvm (TCG) boots the same
/// vmlinux with its own ACPI off and zxvm's tables placed at 0xE0000, where Linux scans for the
/// RSDP. QEMU's microvm has its IO-APIC, local APIC and COM1 where zxvm describes them, so the
/// kernel routes COM1 through the IO-APIC as the tables say, creates the virtio-mmio platform
/// devices of the DSDT (no device answers there under QEMU), and powers off through \_S5 and the
/// sleep control register (which QEMU lacks, so the kernel then stops).
/// </summary>
[Collection(ZxvmCollection.Name)]
public sealed class QemuAcpiTests : IDisposable
{
    private const string Qemu = "/usr/bin/qemu-system-x86_64";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    public sealed class QemuFactAttribute : FactAttribute
    {
        public QemuFactAttribute()
        {
            if (!File.Exists(Qemu))
                Skip = "needs qemu-system-x86_64 (Debian: qemu-system-x86) to let Linux judge the ACPI tables without KVM";
            else if (DebianKernel.Problem is { } problem)
                Skip = problem;
        }
    }

    [QemuFact]
    public async Task LinuxUnderQemu_AcceptsTheAcpiTables_RoutesCom1ThroughTheIoApic_AndEntersS5()
    {
        string acpi = _files.Write("acpi.bin", AcpiTables.Build(LinuxMachineLayout.Acpi(withDisk: true), LinuxMemoryMap.AcpiTables));
        string initramfs = _files.Write("initramfs.cpio", Initramfs.Build(DebianKernel.ModulesDirectory));
        var start = new ProcessStartInfo(Qemu) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string a in new[]
        {
            "-M", "microvm,acpi=off,pic=off,pit=off,rtc=off", "-cpu", "max", "-m", "128M", "-nodefaults", "-nographic",
            "-no-reboot", "-serial", "stdio", "-kernel", DebianKernel.VmlinuxPath, "-initrd", initramfs,
            // TCG has no kvm-clock: give the kernel its TSC rate so it need not calibrate against absent timers.
            "-append", "console=ttyS0 tsc_early_khz=2000000 lpj=2000000",
            "-device", $"loader,file={acpi},addr=0x{LinuxMemoryMap.AcpiTables:x},force-raw=on",
        })
            start.ArgumentList.Add(a);
        using Process qemu = Process.Start(start)!;
        var console = new StringBuilder();
        using var timeout = new CancellationTokenSource(Limit);
        var buffer = new char[4096];
        try
        {
            while (!console.ToString().Contains("reboot: Power down", StringComparison.Ordinal))
            {
                int n = await qemu.StandardOutput.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                    break;
                console.Append(buffer, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            if (!qemu.HasExited)
                qemu.Kill(entireProcessTree: true);
            await qemu.WaitForExitAsync();
        }
        string text = console.ToString();
        string context = "\n--- console ---\n" + text;
        foreach (string expected in new[]
        {
            "ACPI: RSDP 0x00000000000E0000 000024 (v02 ZXVM  )",
            "ACPI: FACP 0x", "ACPI: APIC 0x", "ACPI: DSDT 0x",
            "IOAPIC[0]: apic_id 1, version ",               // QEMU's own IO-APIC answers with its version
            "ACPI: Using ACPI (MADT) for SMP configuration information",
            "ACPI: LAPIC_NMI (acpi_id[0xff] dfl dfl lint[0x1])",
            "ACPI: PM: (supports S0 S5)",
            "ACPI: Using IOAPIC for interrupt routing",
            "pnp: PnP ACPI: found 1 devices",
            "ttyS0 at I/O 0x3f8",
            Initramfs.Marker,
            "LNRO0005:00", "LNRO0005:01",
            "ACPI: PM: Preparing to enter system sleep state S5",
        })
            Assert.True(text.Contains(expected, StringComparison.Ordinal), $"missing \"{expected}\"" + context);
        Assert.Matches(@"IO-APIC\s+4-edge\s+ttyS0", text);
        // The initramfs loaded every virtio module (in dependency order), and virtio_mmio probed the
        // DSDT's devices (nothing answers at their addresses under QEMU).
        Assert.False(text.Contains("Unknown symbol", StringComparison.Ordinal), "a module failed to load" + context);
        Assert.False(text.Contains("can't insert", StringComparison.Ordinal), "insmod failed" + context);
        if (Environment.GetEnvironmentVariable("ZXVM_QEMU_CONSOLE") is { Length: > 0 } dump)
            File.WriteAllText(dump, text);
    }
}
