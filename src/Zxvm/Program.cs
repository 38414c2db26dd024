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
    /// <summary>When zxvm started: the time on --verbose lines counts from here.</summary>
    private static long s_started = Stopwatch.GetTimestamp();

    private static double ElapsedMilliseconds => Stopwatch.GetElapsedTime(s_started).TotalMilliseconds;

    public static int Main(string[] args)
    {
        s_started = Stopwatch.GetTimestamp();
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

    private static int Run(RunOptions options, StandardStreams streams) =>
        RunGuest(options.LogLevel, options.LogFile, streams, log => CreateGuest(options, streams, log));

    /// <summary>
    /// Everything around a machine on zxvm's console, shared by <c>zxvm run</c> and the terminal tests
    /// (which pass a stand-in guest): the log, signal handling, a closed pipe, the console session,
    /// and the exit status with its one line. <paramref name="createGuest"/> may throw the
    /// exceptions of a bad file, image or host; a guest that is <see cref="IDisposable"/> is disposed.
    /// </summary>
    public static int RunGuest(LogLevel level, string? logFile, StandardStreams streams, Func<Log, IConsoleGuest> createGuest)
    {
        var stop = new StopRequest();
        // A closed pipe ends zxvm quietly, as it ends a C tool (which SIGPIPE kills): no line, status 141.
        streams.OnBrokenPipe(() => stop.Request(ExitCodes.BrokenPipe, null));
        Log log;
        try
        {
            log = logFile is null ? Log.ToStandardError(level, streams) : Log.ToFile(level, streams, logFile);
        }
        catch (FileProblemException e)
        {
            return Fail(streams, ExitCodes.BadFile, e.Message);
        }
        using (log)
        using (ConsoleSession.HandleSignals(stop, log))
        {
            try
            {
                IConsoleGuest guest = createGuest(log);
                try
                {
                    MachineExit exit = ConsoleSession.Run(guest, stop, log);
                    log.Info($"[{ElapsedMilliseconds,8:F1} ms] done after {exit.Exits} VCPU exits");
                    (int code, LogLevel lineLevel, string? line) = ConsoleSession.Outcome(exit, stop);
                    if (line is not null)
                        log.Write(lineLevel, line);
                    return streams.IsBroken ? ExitCodes.BrokenPipe : code;
                }
                finally
                {
                    (guest as IDisposable)?.Dispose();
                }
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

    private static VirtualMachineGuest CreateGuest(RunOptions options, StandardStreams streams, Log log)
    {
        LinuxGuest? linux = options.KernelPath is null ? null : LinuxGuestLoader.Load(options);
        BootImage? image = linux is null ? LoadImage(options.ImagePath, options.MemoryBytes) : null;
        log.Info($"[{ElapsedMilliseconds,8:F1} ms] " + (linux is not null
            ? $"kernel {options.KernelPath}: {linux.Kernel.Describe()}"
            : $"image {options.ImagePath ?? "zxos (embedded)"}: {image!.Kind}"));

        DiskImage? disk = DiskImage.Open(options.Disk, scratchForEmbeddedGuest: options.ImagePath is null && linux is null);
        try
        {
            if (disk is not null)
                log.Debug($"disk {options.Disk?.Path ?? disk.Stream.Name}: {disk.Sectors} sectors, {(disk.ReadOnly ? "read-only" : "read-write")}");
            if (disk is { ReadOnly: true })
                log.Info($"disk {options.Disk!.Path} is attached read-only: the guest is told (VIRTIO_BLK_F_RO) and its writes fail");
            var machineOptions = new MachineOptions
            {
                Image = image,
                Linux = linux,
                MemoryBytes = options.MemoryBytes,
                EntryOverride = options.Entry,
                Disk = disk?.Stream,
                TimerMicroseconds = options.TimerMicroseconds,
                Processors = options.Cpus,
                ConsoleOutput = new ConsoleOutputStream(streams),
                Trace = log.IsEnabled(LogLevel.Trace) ? log.Trace : null,
                Progress = log.IsEnabled(LogLevel.Info) ? log.Info : null,
            };
            return new VirtualMachineGuest(CreateMachine(machineOptions), disk);
        }
        catch
        {
            disk?.Dispose();
            throw;
        }
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
        catch (ProcessorLimitException e)
        {
            throw new UsageException($"--cpus {e.Requested}: this host's KVM gives a guest at most {e.Limit} processors");
        }
    }

    private static BootImage LoadImage(string? path, ulong memoryBytes)
    {
        if (path is null)
            return BootImage.Parse(EmbeddedGuest.Read());
        // Never read more than guest RAM can hold (a device such as /dev/zero has no end).
        return BootImage.Parse(FileProblems.Open(path, "--image", () => InputFiles.ReadImage(path, memoryBytes)));
    }
}
