using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Zircon;
using Zircon.Vmm.Machine;

namespace Zxvm;

/// <summary>
/// <c>zxvm</c>: boots a guest on Zircon's hypervisor API. Exit status: <see cref="ExitCodes"/> (the
/// guest's power-off code 0–127 as is; zxvm's own outcomes 128 and above). Errors are one line on
/// standard error, never a stack trace.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        StandardStreams streams = StandardStreams.Process;
        try
        {
            return CommandLine.Parse(args) switch
            {
                ParsedCommand.Version => Print(streams, $"zxvm {typeof(Program).Assembly.GetName().Version?.ToString(3)}"),
                ParsedCommand.Completion c => Print(streams, CompletionScript.For(c.Shell)),
                ParsedCommand.Builtin b => InvokeBuiltin(streams, b.Result),
                ParsedCommand.Run run => Run(run.Options, streams),
                _ => ExitCodes.Internal,
            };
        }
        catch (UsageException e)
        {
            return Fail(streams, ExitCodes.Usage, e.Message);
        }
        catch (Exception e)
        {
            // A bug of zxvm's own: still one line, and a status of its own.
            return Fail(streams, ExitCodes.Internal, $"internal error: {e.GetType().Name}: {e.Message}");
        }
    }

    private static int Print(StandardStreams streams, string text)
    {
        streams.WriteLine(text.TrimEnd('\n'));
        return streams.IsBroken ? ExitCodes.BrokenPipe : 0;
    }

    private static int Fail(StandardStreams streams, int code, string message)
    {
        streams.WriteErrorLine($"zxvm: {message}");
        return streams.IsBroken ? ExitCodes.BrokenPipe : code;
    }

    /// <summary>Help and [suggest] completions: System.CommandLine writes them; zxvm's one writer prints them whole.</summary>
    private static int InvokeBuiltin(StandardStreams streams, ParseResult result)
    {
        var output = new StringWriter { NewLine = "\n" };
        int code = result.Invoke(new InvocationConfiguration { Output = output, Error = output, EnableDefaultExceptionHandler = false });
        streams.Write(Encoding.UTF8.GetBytes(output.ToString()));
        return streams.IsBroken ? ExitCodes.BrokenPipe : code;
    }

    private static int Run(RunOptions options, StandardStreams streams)
    {
        var stop = new StopRequest();
        // A closed pipe ends zxvm quietly, as it ends a C tool (which SIGPIPE kills): no line, status 141.
        streams.OnBrokenPipe(() => stop.Request(ExitCodes.BrokenPipe, null));
        using Log log = options.LogFile is null ? Log.ToStandardError(options.LogLevel, streams) : OpenLogFile(options, streams);
        using IDisposable signals = ConsoleSession.HandleSignals(stop, log);
        try
        {
            return RunMachine(options, streams, stop, log);
        }
        catch (FileProblemException e)
        {
            return Exit(stop, log, streams, ExitCodes.BadFile, e.Message);
        }
        catch (BootImageException e)
        {
            return Exit(stop, log, streams, ExitCodes.BadFile, e.Message);
        }
        catch (HypervisorProblemException e)
        {
            return Exit(stop, log, streams, ExitCodes.NoHypervisor, e.Message);
        }
        catch (UsageException e)
        {
            return Exit(stop, log, streams, ExitCodes.Usage, e.Message);
        }
        catch (Exception e) when (e is ZxException or IOException or UnauthorizedAccessException)
        {
            return Exit(stop, log, streams, ExitCodes.MachineFailed, e.Message);
        }
    }

    /// <summary>An early stop (signal, closed pipe) outranks a failure it may have caused.</summary>
    private static int Exit(StopRequest stop, Log log, StandardStreams streams, int code, string? message)
    {
        if (stop.Reason is { } reason)
            (code, message) = reason;
        if (message is not null)
            log.Error(message);
        return streams.IsBroken ? ExitCodes.BrokenPipe : code;
    }

    private static Log OpenLogFile(RunOptions options, StandardStreams streams)
    {
        try
        {
            return Log.ToFile(options.LogLevel, streams, options.LogFile!);
        }
        catch (FileProblemException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static int RunMachine(RunOptions options, StandardStreams streams, StopRequest stop, Log log)
    {
        if (options.KernelPath is not null)
            throw new UsageException("--kernel: this zxvm cannot boot Linux kernels yet (no bzImage loader)");
        var clock = Stopwatch.StartNew();
        BootImage image = LoadImage(options.ImagePath);
        log.Info($"[{clock.Elapsed.TotalMilliseconds,8:F1} ms] image {options.ImagePath ?? "zxos (embedded)"}: {image.Kind}");

        using DiskImage? disk = DiskImage.Open(options.Disk, scratchForEmbeddedGuest: options.ImagePath is null);
        if (disk is not null)
            log.Debug($"disk {(options.Disk?.Path ?? disk.Stream.Name)}: {disk.Sectors} sectors, {(disk.ReadOnly ? "read-only" : "read-write")}");
        if (disk is { ReadOnly: true })
            log.Info($"disk {options.Disk!.Path} is attached read-only: the guest is told (VIRTIO_BLK_F_RO) and its writes fail");
        var machineOptions = new MachineOptions
        {
            Image = image,
            MemoryBytes = options.MemoryBytes,
            EntryOverride = options.Entry,
            Disk = disk?.Stream,
            TimerMicroseconds = options.TimerMicroseconds,
            ConsoleOutput = new ConsoleOutputStream(streams),
            Trace = log.IsEnabled(LogLevel.Trace) ? log.Trace : null,
            Progress = log.IsEnabled(LogLevel.Info) ? log.Info : null,
        };
        using VirtualMachine machine = CreateMachine(machineOptions);
        MachineExit exit = ConsoleSession.Run(new VirtualMachineGuest(machine), stop, log);
        log.Info($"[{clock.Elapsed.TotalMilliseconds,8:F1} ms] done after {exit.Exits} VCPU exits");
        (int code, LogLevel level, string? line) = ConsoleSession.Outcome(exit, stop);
        if (line is not null)
            log.Write(level, line);
        return streams.IsBroken ? ExitCodes.BrokenPipe : code;
    }

    private static VirtualMachine CreateMachine(MachineOptions options)
    {
        try
        {
            return VirtualMachine.Create(options);
        }
        catch (ZxException e) when (e.Status == ZxStatus.ErrNotSupported)
        {
            throw new HypervisorProblemException($"this host cannot run guests: {HypervisorProblem.Explain()}");
        }
    }

    private static BootImage LoadImage(string? path)
    {
        if (path is null)
            return BootImage.Parse(EmbeddedGuest.Read());
        return BootImage.Parse(FileProblems.Open(path, "--image", () => File.ReadAllBytes(path)));
    }
}
