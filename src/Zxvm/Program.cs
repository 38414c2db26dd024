using System.Diagnostics;
using Zircon;
using Zircon.Linux.Libc;
using Zircon.Vmm.Machine;

namespace Zxvm;

/// <summary>
/// <c>zxvm</c>: boots a guest on Zircon's hypervisor API. Exit code: the guest's power-off value;
/// 1 when the machine fails; 2 for a bad command line. Errors are one line on standard error.
/// </summary>
public static class Program
{
    /// <summary>Ctrl-]: leaves an interactive console (as telnet does).</summary>
    private const byte EscapeKey = 0x1D;

    // Plain writers over the standard descriptors: System.Console would switch the terminal to
    // .NET's own modes (keypad escapes, line editing) and fight the guest console's raw mode.
    private static readonly StreamWriter StandardError = new(OpenStandardStream(2, FileAccess.Write)) { AutoFlush = true, NewLine = "\n" };
    private static readonly StreamWriter StandardOutput = new(OpenStandardStream(1, FileAccess.Write)) { AutoFlush = true, NewLine = "\n" };

    public static int Main(string[] args)
    {
        try
        {
            return CommandLine.Parse(args) switch
            {
                Command.Help => Print(CommandLine.HelpText),
                Command.Version => Print($"zxvm {typeof(Program).Assembly.GetName().Version?.ToString(3)}"),
                Command.Run run => Run(run.Options),
                _ => 2,
            };
        }
        catch (UsageException e)
        {
            StandardError.WriteLine($"zxvm: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is BootImageException or ZxException or IOException or UnauthorizedAccessException)
        {
            StandardError.WriteLine($"zxvm: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            // A bug of zxvm's own: still one line, and a non-zero exit.
            StandardError.WriteLine($"zxvm: internal error: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static int Print(string text)
    {
        StandardOutput.WriteLine(text);
        return 0;
    }

    private static int Run(RunOptions options)
    {
        var clock = Stopwatch.StartNew();
        Action<string>? progress = options.Verbose ? line => StandardError.WriteLine($"zxvm: {line}") : null;
        LinuxGuest? linux = options.KernelPath is null ? null : LinuxGuestLoader.Load(options);
        BootImage? image = linux is null ? LoadImage(options.ImagePath, options.MemoryBytes) : null;
        progress?.Invoke($"[{clock.Elapsed.TotalMilliseconds,8:F1} ms] " + (linux is not null
            ? $"kernel {options.KernelPath}: {linux.Kernel.Describe()}"
            : $"image {(options.ImagePath ?? "zxos (embedded)")}: {image!.Kind}"));

        using DiskImage? disk = DiskImage.Open(options.DiskPath, scratchForEmbeddedGuest: options.ImagePath is null && linux is null);
        using Stream stdout = OpenStandardStream(1, FileAccess.Write);
        var machineOptions = new MachineOptions
        {
            Image = image,
            Linux = linux,
            MemoryBytes = options.MemoryBytes,
            EntryOverride = options.Entry,
            Disk = disk?.Stream,
            TimerMicroseconds = options.TimerMicroseconds,
            ConsoleOutput = stdout,
            Trace = options.Trace ? line => StandardError.WriteLine($"zxvm: trace: {line}") : null,
            Progress = progress,
        };
        using VirtualMachine machine = CreateMachine(machineOptions);
        using Terminal? terminal = Terminal.EnterRawMode(0);
        machine.Start();
        StartInputPump(machine, interactive: terminal is not null);
        MachineExit exit = machine.Exit.GetAwaiter().GetResult();
        terminal?.Dispose();
        progress?.Invoke($"[{clock.Elapsed.TotalMilliseconds,8:F1} ms] done after {exit.Exits} VCPU exits");
        if (!exit.PoweredOff)
        {
            StandardError.WriteLine($"zxvm: {exit.Error}");
            return exit.ExitCode == 0 ? 1 : exit.ExitCode;
        }
        return exit.ExitCode;
    }

    private static VirtualMachine CreateMachine(MachineOptions options)
    {
        try
        {
            return VirtualMachine.Create(options);
        }
        catch (ZxException e) when (e.Status == ZxStatus.ErrNotSupported)
        {
            throw new IOException("this host cannot run guests: /dev/kvm is missing or unusable (zx_guest_create: ZX_ERR_NOT_SUPPORTED)");
        }
    }

    private static BootImage LoadImage(string? path, ulong memoryBytes)
    {
        if (path is null)
            return BootImage.Parse(EmbeddedGuest.Read());
        return BootImage.Parse(InputFiles.ReadImage(path, memoryBytes));
    }

    /// <summary>Copies standard input to the guest console; on a terminal, Ctrl-] stops the machine.</summary>
    private static void StartInputPump(VirtualMachine machine, bool interactive)
    {
        var thread = new Thread(() =>
        {
            using Stream stdin = OpenStandardStream(0, FileAccess.Read);
            var buffer = new byte[256];
            while (!machine.Exit.IsCompleted)
            {
                int n;
                try
                {
                    n = stdin.Read(buffer);
                }
                catch (IOException)
                {
                    return;
                }
                if (n <= 0)
                    return; // end of input: the guest keeps running until it powers off
                int escape = interactive ? Array.IndexOf(buffer, EscapeKey, 0, n) : -1;
                try
                {
                    Deliver(machine, buffer.AsSpan(0, escape >= 0 ? escape : n));
                }
                catch (Exception e)
                {
                    // A failing console model must not take the process down from this thread.
                    StandardError.WriteLine($"zxvm: input dropped: {e.GetType().Name}: {e.Message}");
                    return;
                }
                if (escape >= 0)
                {
                    machine.Stop();
                    return;
                }
            }
        })
        { Name = "zxvm-stdin", IsBackground = true };
        thread.Start();
    }

    /// <summary>A standard descriptor as a plain, unbuffered file stream (see <see cref="StandardError"/>).</summary>
    private static FileStream OpenStandardStream(int fd, FileAccess access) =>
        new(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false), access, bufferSize: 0);

    /// <summary>Hands input to the guest, waiting while no guest driver takes input yet.</summary>
    private static void Deliver(VirtualMachine machine, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !machine.Exit.IsCompleted)
        {
            int taken = machine.TrySendInput(data);
            data = data[taken..];
            if (taken == 0)
                Thread.Sleep(10);
        }
    }
}
