using System.Globalization;

namespace Zxvm;

/// <summary>A bad command line; the message is the one line the user sees.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>What <c>zxvm run</c> was asked to do.</summary>
public sealed record RunOptions
{
    public string? ImagePath { get; init; }
    public ulong MemoryBytes { get; init; } = 64UL << 20;
    public string? DiskPath { get; init; }
    public ulong? Entry { get; init; }
    public ulong TimerMicroseconds { get; init; } = 10_000;
    public bool Trace { get; init; }
    public bool Verbose { get; init; }

    /// <summary>A Linux kernel (ELF vmlinux with a PVH note, or bzImage) to boot on the Linux machine.</summary>
    public string? KernelPath { get; init; }
    public string? InitrdPath { get; init; }
    /// <summary>The kernel command line, passed exactly; null for <see cref="CommandLine.DefaultKernelCommandLine"/>.</summary>
    public string? KernelCommandLine { get; init; }
}

/// <summary>The parsed command: help, version, or run.</summary>
public abstract record Command
{
    public sealed record Help : Command;
    public sealed record Version : Command;
    public sealed record Run(RunOptions Options) : Command;
}

/// <summary>Parses <c>zxvm</c>'s arguments. Errors are <see cref="UsageException"/>s with one clear line.</summary>
public static class CommandLine
{
    public const ulong MinMemory = 8UL << 20;
    /// <summary>2047 MiB: the VMM reaches guest RAM through one span (<see cref="Zircon.Vmm.Machine.GuestRam.MaxSize"/>).</summary>
    public const ulong MaxMemory = Zircon.Vmm.Machine.GuestRam.MaxSize;

    /// <summary>RAM of a Linux guest when --memory is not given (Debian's kernel alone needs about 68 MiB).</summary>
    public const ulong DefaultLinuxMemory = 256UL << 20;

    /// <summary>Command line of a Linux guest when --cmdline is not given: the kernel's console on COM1.</summary>
    public const string DefaultKernelCommandLine = "console=ttyS0";

    public const string HelpText = """
        zxvm: a virtual machine monitor on Zircon's hypervisor API (guests on Linux KVM)

        usage:
          zxvm run [options]          boot the embedded guest OS (zxos)
          zxvm run --image FILE ...   boot a raw or ELF64 x86-64 guest image
          zxvm run --kernel FILE ...  boot Linux (vmlinux through PVH, or bzImage)
          zxvm --help | --version

        options for run:
          --image FILE      guest image; raw images load at 0x100000 and start at their first byte
          --memory SIZE     guest RAM, e.g. 64M, 1G, or bytes (8M to 2047M; default 64M)
          --disk FILE       back the virtio-blk device with FILE (read-write if possible)
          --entry ADDR      start at ADDR (hex 0x... or decimal) instead of the image's entry
          --kernel FILE     a Linux kernel: an ELF vmlinux with a PVH note, or a bzImage
          --initrd FILE     the kernel's initial RAM disk
          --cmdline STR     the kernel command line, passed exactly (default "console=ttyS0");
                            Linux guests get 256M unless --memory says otherwise
          --timer-us N      timer period the guest is told about, in microseconds (default 10000)
          --trace           print every VCPU exit to standard error
          --verbose         print boot phases and their timing to standard error

        The console is the guest's serial port and virtio-console on standard input/output. On a
        terminal, input is raw; press Ctrl-] to quit. The exit code is the guest's (its power-off
        value); 1 if the machine failed, 2 for a bad command line.
        """;

    public static Command Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
            throw new UsageException("missing command; try 'zxvm --help'");
        switch (args[0])
        {
            case "--help" or "-h" or "help":
                return new Command.Help();
            case "--version":
                return new Command.Version();
            case "run":
                return new Command.Run(ParseRun(args.Skip(1).ToList()));
            default:
                throw new UsageException($"unknown command '{args[0]}'; try 'zxvm --help'");
        }
    }

    private static RunOptions ParseRun(List<string> args)
    {
        var options = new RunOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--image":
                    options = options with { ImagePath = Value(args, ref i, arg) };
                    break;
                case "--memory":
                    options = options with { MemoryBytes = ParseMemory(Value(args, ref i, arg)) };
                    break;
                case "--disk":
                    options = options with { DiskPath = Value(args, ref i, arg) };
                    break;
                case "--entry":
                    options = options with { Entry = ParseNumber(Value(args, ref i, arg), arg) };
                    break;
                case "--timer-us":
                    ulong us = ParseNumber(Value(args, ref i, arg), arg);
                    if (us == 0 || us > 10_000_000)
                        throw new UsageException("--timer-us must be between 1 and 10000000");
                    options = options with { TimerMicroseconds = us };
                    break;
                case "--kernel":
                    options = options with { KernelPath = Value(args, ref i, arg) };
                    break;
                case "--initrd":
                    options = options with { InitrdPath = Value(args, ref i, arg) };
                    break;
                case "--cmdline":
                    // The value may start with "-" or be empty: it is the kernel's, taken as is.
                    if (i + 1 >= args.Count)
                        throw new UsageException("--cmdline needs a value");
                    options = options with { KernelCommandLine = args[++i] };
                    break;
                case "--trace":
                    options = options with { Trace = true };
                    break;
                case "--verbose" or "-v":
                    options = options with { Verbose = true };
                    break;
                case "--help" or "-h":
                    throw new UsageException("'--help' goes before the command: zxvm --help");
                default:
                    throw new UsageException(arg.StartsWith('-') ? $"unknown option '{arg}' for run" : $"unexpected argument '{arg}'");
            }
        }
        return CheckLinuxOptions(options, memoryGiven: args.Contains("--memory"));
    }

    private static RunOptions CheckLinuxOptions(RunOptions options, bool memoryGiven)
    {
        if (options.KernelPath is null)
        {
            if (options.InitrdPath is not null || options.KernelCommandLine is not null)
                throw new UsageException("--initrd and --cmdline need --kernel");
            return options;
        }
        if (options.ImagePath is not null || options.Entry is not null)
            throw new UsageException("--kernel cannot be combined with --image or --entry");
        return memoryGiven ? options : options with { MemoryBytes = DefaultLinuxMemory };
    }

    private static string Value(List<string> args, ref int i, string option)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new UsageException($"{option} needs a value");
        return args[++i];
    }

    /// <summary>Sizes like 64M, 1G, 512K or plain bytes; whole MiB between 8M and 2047M.</summary>
    public static ulong ParseMemory(string text)
    {
        string t = text.Trim().ToUpperInvariant();
        ulong multiplier = 1;
        if (t.EndsWith("IB", StringComparison.Ordinal))
            t = t[..^2];
        else if (t.EndsWith('B'))
            t = t[..^1];
        if (t.Length > 0 && "KMG".Contains(t[^1]))
        {
            multiplier = t[^1] switch { 'K' => 1UL << 10, 'M' => 1UL << 20, _ => 1UL << 30 };
            t = t[..^1];
        }
        if (!ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n))
            throw new UsageException($"--memory: '{text}' is not a size (try 64M or 1G)");
        ulong bytes = n > MaxMemory / multiplier ? ulong.MaxValue : n * multiplier;
        if (bytes < MinMemory || bytes > MaxMemory)
            throw new UsageException($"--memory must be between 8M and 2047M (got {text})");
        if (bytes % (1UL << 20) != 0)
            throw new UsageException($"--memory must be a whole number of MiB (got {text})");
        return bytes;
    }

    public static ulong ParseNumber(string text, string option)
    {
        bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok)
            throw new UsageException($"{option}: '{text}' is not a number");
        return value;
    }
}
