using Zircon.Vmm.Tests.Support;
using Zxvm.Tests.Support;

namespace Zxvm.Tests.Linux;

/// <summary>What the Linux end-to-end tests need, and why each skips where it cannot run (the reason is shown).</summary>
public static class LinuxHost
{
    /// <summary>The CPU virtualises with VMX or SVM (a stock KVM host; PVM hosts show neither flag).</summary>
    public static bool HasVmxOrSvm { get; } = File.Exists("/proc/cpuinfo")
        && File.ReadLines("/proc/cpuinfo").Any(l => l.StartsWith("flags", StringComparison.Ordinal) && (l.Contains(" vmx") || l.Contains(" svm")));

    /// <summary>Set to 1 to run the long PVH boot on an emulating (PVM) host, minutes long.</summary>
    public const string LongTestVariable = "ZXVM_LINUX_LONG_TEST";

    public static string? GuestSkipReason => KvmFactAttribute.SkipReason ?? DebianKernel.Problem;
}

/// <summary>Boots Debian's kernel: needs KVM (any flavour, PVM included) and the kernel.</summary>
public sealed class LinuxGuestFactAttribute : FactAttribute
{
    public LinuxGuestFactAttribute()
    {
        if (LinuxHost.GuestSkipReason is { } reason)
            Skip = reason;
    }
}

/// <summary>Boots Debian's kernel to its /init: needs KVM on a CPU with VMX or SVM (a PVM host emulates ring 0 and stops in int3_selftest).</summary>
public sealed class FullLinuxBootFactAttribute : FactAttribute
{
    public FullLinuxBootFactAttribute()
    {
        if (LinuxHost.GuestSkipReason is { } reason)
            Skip = reason;
        else if (!LinuxHost.HasVmxOrSvm)
            Skip = "full Linux boot needs VMX or SVM: this host's KVM emulates guest ring 0 (PVM), where Linux stops at int3_selftest (docs/zxvm-machine.md)";
    }
}

/// <summary>The minutes-long PVH boot on an emulating host, opt-in with ZXVM_LINUX_LONG_TEST=1.</summary>
public sealed class LongPvmLinuxFactAttribute : FactAttribute
{
    public LongPvmLinuxFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(LinuxHost.LongTestVariable) != "1")
            Skip = $"opt-in: set {LinuxHost.LongTestVariable}=1 to boot Linux until it stops at the PVM emulation failure (minutes)";
        else if (LinuxHost.GuestSkipReason is { } reason)
            Skip = $"{LinuxHost.LongTestVariable}=1 asks for the long PVM boot, but it cannot run here: {reason}";
        else if (LinuxHost.HasVmxOrSvm)
            Skip = "the emulation failure it checks happens only where KVM emulates guest ring 0 (PVM); this CPU has VMX or SVM and boots the kernel through (the full-boot tests cover it)";
    }
}
