using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Zxvm;

/// <summary>A bad command line; the message is the one line the user sees.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>What <c>zxvm run</c> was asked to do.</summary>
public sealed record RunOptions
{
    public string? ImagePath { get; init; }
    public ulong MemoryBytes { get; init; } = 64UL << 20;
    public DiskSpec? Disk { get; init; }
    public ulong? Entry { get; init; }
    public ulong TimerMicroseconds { get; init; } = 10_000;

    /// <summary>Processors (<c>--cpus</c>), 1 to <see cref="CommandLine.MaxCpus"/>; the host's hypervisor may allow fewer.</summary>
    public int Cpus { get; init; } = 1;
    public LogLevel LogLevel { get; init; } = LogLevel.Warn;
    public string? LogFile { get; init; }

    /// <summary>A Linux bzImage to boot (<c>--kernel</c>), with <see cref="InitrdPath"/> and <see cref="KernelCommandLine"/>.</summary>
    public string? KernelPath { get; init; }
    public string? InitrdPath { get; init; }
    public string? KernelCommandLine { get; init; }
}

/// <summary>The parsed command.</summary>
public abstract record ParsedCommand
{
    /// <summary><c>zxvm --version</c>.</summary>
    public sealed record Version : ParsedCommand;

    /// <summary><c>zxvm run ...</c>.</summary>
    public sealed record Run(RunOptions Options) : ParsedCommand;

    /// <summary><c>zxvm completion SHELL</c>: print the completion script.</summary>
    public sealed record Completion(string Shell) : ParsedCommand;

    /// <summary>Something System.CommandLine answers itself (help, <c>[suggest]</c> completions): invoke it.</summary>
    public sealed record Builtin(ParseResult Result) : ParsedCommand;
}

/// <summary>
/// zxvm's command line on System.CommandLine: <c>--opt value</c> and <c>--opt=value</c>, help per
/// command (<c>zxvm run --help</c>), a repeated single-value option refused, conflicting options
/// refused, completions through the <c>[suggest]</c> directive and <c>zxvm completion bash</c>.
/// Errors are <see cref="UsageException"/>s with one clear line.
/// </summary>
public static class CommandLine
{
    public const ulong MinMemory = 8UL << 20;

    /// <summary>RAM of a Linux guest when --memory is not given (Debian's kernel alone needs about 68 MiB).</summary>
    public const ulong DefaultLinuxMemory = 256UL << 20;

    /// <summary>Command line of a Linux guest when --cmdline is not given: the kernel's console on COM1.</summary>
    public const string DefaultKernelCommandLine = "console=ttyS0";
    /// <summary>2047 MiB: the VMM reaches guest RAM through one span (<see cref="Zircon.Vmm.Machine.GuestRam.MaxSize"/>).</summary>
    public const ulong MaxMemory = Zircon.Vmm.Machine.GuestRam.MaxSize;

    /// <summary>The most processors <c>--cpus</c> accepts: Zircon's 64 VCPUs per guest.</summary>
    public const int MaxCpus = Zircon.Vmm.Machine.MachineOptions.MaxProcessors;

    public static readonly string[] LogLevels = ["error", "warn", "info", "debug", "trace"];
    public static readonly string[] Shells = ["bash"];

    private static readonly Option<string> Image = new("--image")
    {
        Description = "Guest image: raw (loads at 0x100000, starts at its first byte) or ELF64 x86-64",
        HelpName = "FILE",
    };

    private static readonly Option<ulong?> Memory = new("--memory", "-m")
    {
        Description = "Guest RAM: 64M, 1G, or bytes; 8M to 2047M (default 64M)",
        HelpName = "SIZE",
        CustomParser = r => Convert(r, t => (ulong?)ParseMemory(t)),
    };

    private static readonly Option<DiskSpec> Disk = new("--disk")
    {
        Description = "Back the virtio-blk disk with FILE (whole 512-byte sectors); ,ro attaches it read-only",
        HelpName = "FILE[,ro]",
        CustomParser = r => Convert(r, DiskSpec.Parse),
    };

    private static readonly Option<ulong?> Entry = new("--entry")
    {
        Description = "Start at ADDR (0x... or decimal) instead of the image's entry point",
        HelpName = "ADDR",
        CustomParser = r => Convert(r, t => (ulong?)ParseNumber(t, "--entry")),
    };

    private static readonly Option<ulong?> TimerMicroseconds = new("--timer-us")
    {
        Description = "Timer period the guest is told about, in microseconds (1 to 10000000; default 10000)",
        HelpName = "N",
        CustomParser = r => Convert(r, t => (ulong?)ParseTimerPeriod(t)),
    };

    private static readonly Option<int?> Cpus = new("--cpus")
    {
        Description = $"Processors (VCPUs, one thread each): 1 to {MaxCpus}, or fewer if the host's KVM says so (default 1)",
        HelpName = "N",
        CustomParser = r => Convert(r, t => (int?)ParseCpus(t)),
    };

    private static readonly Option<string> LogLevelOption = new("--log-level")
    {
        Description = "How much zxvm logs: error, warn (default), info (boot phases), debug, trace (every VCPU exit)",
        HelpName = "LEVEL",
    };

    private static readonly Option<string> LogFile = new("--log-file")
    {
        Description = "Append log lines to FILE instead of standard error (errors go to both)",
        HelpName = "FILE",
    };

    private static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Same as --log-level info" };

    private static readonly Option<bool> Trace = new("--trace") { Description = "Same as --log-level trace" };

    private static readonly Option<string> Kernel = new("--kernel")
    {
        Description = "Boot a Linux kernel instead of --image: an ELF vmlinux with a PVH note, or a bzImage (Linux guests get 256M unless --memory says otherwise)",
        HelpName = "FILE",
    };

    private static readonly Option<string> Initrd = new("--initrd") { Description = "Initial RAM disk for --kernel", HelpName = "FILE" };

    private static readonly Option<string> KernelCommandLine = new("--cmdline") { Description = $"Kernel command line for --kernel, passed exactly (default: {DefaultKernelCommandLine})", HelpName = "STR" };

    private static readonly Option<bool> VersionFlag = new("--version") { Description = "Print zxvm's version" };

    private static readonly Argument<string> Shell = new("shell") { Description = "The shell: bash" };

    private static readonly Argument<string?> HelpTopic = new("command") { Description = "The command to describe", Arity = ArgumentArity.ZeroOrOne };

    private static readonly System.CommandLine.Command RunCommand = BuildRun();
    private static readonly System.CommandLine.Command CompletionCommand = new("completion", "Print a shell completion script (bash: source <(zxvm completion bash))") { Shell };
    private static readonly System.CommandLine.Command HelpCommand = new("help", "Describe zxvm or one of its commands") { HelpTopic };
    private static readonly RootCommand Root = BuildRoot();
    private static readonly System.CommandLine.Completions.SuggestDirective Suggest = Root.Directives.OfType<System.CommandLine.Completions.SuggestDirective>().Single();

    /// <summary>The command tree (for help text and tests).</summary>
    public static RootCommand Tree => Root;

    public static ParsedCommand Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
            throw new UsageException("missing command; try 'zxvm --help'");
        ParseResult result = Root.Parse(args);
        if (result.Action is HelpAction or HelpWithEpilog || result.GetResult(Suggest) is not null)
            return new ParsedCommand.Builtin(result);
        if (result.CommandResult.Command == Root && IsGiven(result, VersionFlag) && result.UnmatchedTokens.Count == 0)
            return new ParsedCommand.Version();
        RefuseRepeats(result);
        if (result.Errors.Count > 0)
        {
            // "zxvm frobnicate" is an unknown command before it is a missing one.
            if (result.CommandResult.Command == Root && result.UnmatchedTokens.Count > 0)
            {
                string token = result.UnmatchedTokens[0];
                throw new UsageException($"unknown {(token.StartsWith('-') ? "option" : "command")} '{token}'; the commands are run, completion and help (see 'zxvm --help')");
            }
            throw new UsageException(Describe(result.Errors[0], result));
        }
        if (IsGiven(result, VersionFlag))
            throw new UsageException("--version goes alone: zxvm --version");
        System.CommandLine.Command command = result.CommandResult.Command;
        if (command == HelpCommand)
        {
            string? topic = result.GetValue(HelpTopic);
            if (topic is not null && topic != RunCommand.Name && topic != CompletionCommand.Name)
                throw new UsageException($"no command '{topic}' to describe; the commands are run and completion");
            return new ParsedCommand.Builtin(Root.Parse(topic is null ? ["--help"] : [topic, "--help"]));
        }
        if (command == CompletionCommand)
        {
            string shell = result.GetValue(Shell)!;
            if (!Shells.Contains(shell))
                throw new UsageException($"completion: no script for shell '{shell}'; zxvm has one for: {string.Join(", ", Shells)}");
            return new ParsedCommand.Completion(shell);
        }
        if (command == RunCommand)
            return new ParsedCommand.Run(ToRunOptions(result));
        throw new UsageException("missing command; try 'zxvm --help'");
    }

    private static RootCommand BuildRoot()
    {
        var root = new RootCommand("zxvm: a virtual machine monitor on Zircon's hypervisor API (guests on Linux KVM)");
        // System.CommandLine's --version prints the informational version; zxvm prints "zxvm X.Y.Z".
        foreach (Option option in root.Options.Where(o => o is VersionOption).ToList())
            root.Options.Remove(option);
        root.Options.Add(VersionFlag);
        root.Subcommands.Add(RunCommand);
        root.Subcommands.Add(CompletionCommand);
        root.Subcommands.Add(HelpCommand);
        // The help option is the root's, inherited by every command; run's help adds the exit statuses.
        HelpOption help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithEpilog((HelpAction)help.Action!, RunCommand, RunEpilog);
        return root;
    }

    private static System.CommandLine.Command BuildRun()
    {
        var run = new System.CommandLine.Command("run", "Boot a guest: the embedded zxos, or --image FILE")
        {
            Image, Memory, Cpus, Disk, Entry, TimerMicroseconds, LogLevelOption, LogFile, Verbose, Trace, Kernel, Initrd, KernelCommandLine,
        };
        LogLevelOption.AcceptOnlyFromAmong(LogLevels);
        Shell.CompletionSources.Add(Shells);
        return run;
    }

    /// <summary>What <c>zxvm run --help</c> says after the options.</summary>
    public const string RunEpilog = """
        Console:
          The guest's serial port and virtio-console are zxvm's standard input and output. On a
          terminal, input is raw (Ctrl-C goes to the guest) and Ctrl-] quits.

        Exit status:
          0-127    the guest powered off with this code (port 0x600)
          128      the guest asked for a reset (zxvm does not reboot)
          129      SIGHUP
          130      Ctrl-] on the console, or SIGINT
          141      standard output or error is a closed pipe (zxvm ends quietly)
          143      SIGTERM
          200      bad command line
          201      a file cannot be used (absent, permission, directory, size, format)
          202      this host cannot run guests (no /dev/kvm, or no permission to open it)
          203      the machine failed (the guest crashed or touched an address nothing serves)
          204      the guest powered off with a code above 127
          205      internal error of zxvm
        """;

    private static RunOptions ToRunOptions(ParseResult result)
    {
        RefuseConflicts(result, LogLevelOption, Verbose, "both set the log level");
        RefuseConflicts(result, LogLevelOption, Trace, "both set the log level");
        RefuseConflicts(result, Kernel, Image, "both name what to boot");
        RefuseConflicts(result, Kernel, Entry, "a kernel's entry point is its own");
        if (result.GetResult(Kernel) is null)
        {
            foreach (Option needsKernel in new Option[] { Initrd, KernelCommandLine })
                if (result.GetResult(needsKernel) is not null)
                    throw new UsageException($"{needsKernel.Name} goes with --kernel");
        }
        LogLevel level = result.GetValue(Trace) ? LogLevel.Trace
            : result.GetValue(Verbose) ? LogLevel.Info
            : result.GetValue(LogLevelOption) is { } name ? (LogLevel)Array.IndexOf(LogLevels, name)
            : LogLevel.Warn;
        return new RunOptions
        {
            ImagePath = result.GetValue(Image),
            MemoryBytes = result.GetValue(Memory) ?? (result.GetResult(Kernel) is null ? new RunOptions().MemoryBytes : DefaultLinuxMemory),
            Disk = result.GetValue(Disk),
            Entry = result.GetValue(Entry),
            TimerMicroseconds = result.GetValue(TimerMicroseconds) ?? new RunOptions().TimerMicroseconds,
            Cpus = result.GetValue(Cpus) ?? 1,
            LogLevel = level,
            LogFile = result.GetValue(LogFile),
            KernelPath = result.GetValue(Kernel),
            InitrdPath = result.GetValue(Initrd),
            KernelCommandLine = result.GetValue(KernelCommandLine),
        };
    }

    /// <summary>A value option given twice is an error (the second used to replace the first silently).</summary>
    private static void RefuseRepeats(ParseResult result)
    {
        foreach (Option option in RunCommand.Options)
        {
            if (option.Arity.MaximumNumberOfValues == 0 || result.GetResult(option) is not { IdentifierTokenCount: > 1 } given)
                continue;
            if (option == Disk)
                throw new UsageException("--disk given twice: the zxvm machine has one disk (one virtio-blk device)");
            throw new UsageException($"{option.Name} given {given.IdentifierTokenCount} times; give it once");
        }
    }

    private static void RefuseConflicts(ParseResult result, Option a, Option b, string why)
    {
        if (IsGiven(result, a) && IsGiven(result, b))
            throw new UsageException($"{a.Name} and {b.Name} {why}; give one");
    }

    private static bool IsGiven(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>One line: System.CommandLine's message, lower-cased and pointed at the command's help.</summary>
    private static string Describe(ParseError error, ParseResult result)
    {
        // One line: System.CommandLine lists allowed values on lines of their own.
        string message = System.Text.RegularExpressions.Regex.Replace(error.Message, @"\s*\n\s*", " ").Trim().TrimEnd('.');
        if (message.StartsWith("--", StringComparison.Ordinal))
            return message; // zxvm's own message: it names the option already
        if (message.Length > 1 && char.IsUpper(message[0]) && !char.IsUpper(message[1]))
            message = char.ToLowerInvariant(message[0]) + message[1..];
        System.CommandLine.Command command = result.CommandResult.Command;
        string help = command == Root ? "zxvm --help" : $"zxvm {command.Name} --help";
        return $"{message} (see '{help}')";
    }

    /// <summary>Runs a text parser inside System.CommandLine, turning its <see cref="UsageException"/> into a parse error.</summary>
    private static T Convert<T>(ArgumentResult result, Func<string, T> parse)
    {
        if (result.Tokens.Count != 1)
        {
            result.AddError($"{OptionName(result)} takes one value");
            return default!;
        }
        try
        {
            return parse(result.Tokens[0].Value);
        }
        catch (UsageException e)
        {
            result.AddError(e.Message);
            return default!;
        }
    }

    private static string OptionName(ArgumentResult result) => (result.Parent as OptionResult)?.Option.Name ?? result.Argument.Name;

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

    /// <summary>A processor count: a decimal number from 1 to <see cref="MaxCpus"/>.</summary>
    public static int ParseCpus(string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw new UsageException($"--cpus: '{text}' is not a number of processors (1 to {MaxCpus})");
        if (n < 1 || n > MaxCpus)
            throw new UsageException($"--cpus must be between 1 and {MaxCpus} (got {text})");
        return n;
    }

    private static ulong ParseTimerPeriod(string text)
    {
        ulong us = ParseNumber(text, "--timer-us");
        if (us == 0 || us > 10_000_000)
            throw new UsageException($"--timer-us must be between 1 and 10000000 (got {text})");
        return us;
    }
}
