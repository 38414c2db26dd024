namespace Zircon.Vmm.Machine;

/// <summary>A Linux guest: the kernel, its initrd (empty for none) and its command line.</summary>
public sealed record LinuxGuest(Boot.LinuxKernel Kernel, byte[] Initrd, string CommandLine);

/// <summary>What to build: the guest image (or a Linux guest), its RAM, its disk and where its console goes.</summary>
public sealed record MachineOptions
{
    /// <summary>A zxvm-machine image (zxos or a raw/ELF image); null when <see cref="Linux"/> is set.</summary>
    public BootImage? Image { get; init; }

    /// <summary>Build the Linux machine (docs/zxvm-machine.md, "The Linux machine") for this kernel instead.</summary>
    public LinuxGuest? Linux { get; init; }

    /// <summary>Guest RAM in bytes (a whole number of MiB, at most <see cref="GuestRam.MaxSize"/>).</summary>
    public ulong MemoryBytes { get; init; } = 64UL << 20;

    /// <summary>Processors (VCPUs), 1 to <see cref="MaxProcessors"/>; the guest starts all but the first (docs/zxvm-machine.md).</summary>
    public int Processors { get; init; } = 1;

    /// <summary>The most processors a machine can have: Zircon's 64 VCPUs per guest.</summary>
    public const int MaxProcessors = 64;

    /// <summary>Start here instead of the image's entry point.</summary>
    public ulong? EntryOverride { get; init; }

    /// <summary>Backing store of the virtio-blk device; null for no disk.</summary>
    public Stream? Disk { get; init; }

    /// <summary>Timer period the boot information announces, in µs.</summary>
    public ulong TimerMicroseconds { get; init; } = 10_000;

    /// <summary>Where the UART and virtio-console write.</summary>
    public required Stream ConsoleOutput { get; init; }

    /// <summary>One line per VCPU exit, or null.</summary>
    public Action<string>? Trace { get; init; }

    /// <summary>Boot phases with their timing, or null.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>How the machine ended.</summary>
/// <param name="ExitCode">The process exit code zxvm ends with.</param>
/// <param name="Error">Why the machine failed (one line), or null when the guest ended it.</param>
/// <param name="Exits">VCPU exits served.</param>
/// <param name="Request">How the guest ended it: "powered off" or "rebooted" (Linux machine); null otherwise.</param>
public readonly record struct MachineExit(int ExitCode, string? Error, long Exits, string? Request = null)
{
    /// <summary>The guest asked for a reset (port 0x601) rather than a power-off; <see cref="ExitCode"/> is 0x80.</summary>
    public bool Reset { get; init; }

    /// <summary>The guest powered off (or reset); <see cref="ExitCode"/> is its code.</summary>
    public bool PoweredOff => Error is null;
}
