using System.Runtime.InteropServices;
using Zircon.Linux.Libc;
using Zircon.Vmm.Machine;

namespace Zxvm;

/// <summary>
/// A running machine on zxvm's standard streams: raw terminal (restored on every way out), input
/// pump with Ctrl-], and the signals that end zxvm. Used by <c>zxvm run</c>, and by the terminal
/// tests with a stand-in guest (tests/harness/Zxvm.Harness), so the same code is tested without KVM.
/// </summary>
public static class ConsoleSession
{
    /// <summary>
    /// Catches SIGTERM, SIGHUP and SIGINT (the last only reaches zxvm when the terminal is not raw,
    /// or from kill) for the whole run: each becomes a <see cref="StopRequest"/>, so the machine stops
    /// and the main thread restores the terminal and exits with 128 + the signal number, instead of
    /// .NET ending the process with the terminal left raw.
    /// </summary>
    public static IDisposable HandleSignals(StopRequest stop, Log log)
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach ((PosixSignal signal, int code, string name) in new[]
        {
            (PosixSignal.SIGTERM, ExitCodes.Terminated, "SIGTERM"),
            (PosixSignal.SIGHUP, ExitCodes.HangUp, "SIGHUP"),
            (PosixSignal.SIGINT, ExitCodes.Interrupted, "SIGINT"),
        })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                log.Debug($"{name} received");
                stop.Request(code, $"stopped by {name}");
            }));
        }
        return new Registrations(registrations);
    }

    /// <summary>
    /// Starts <paramref name="guest"/> with standard input (<paramref name="inputFd"/>) as its
    /// console input, raw if it is a terminal, and waits for the machine to end. The terminal is
    /// back in its saved mode when this returns or throws.
    /// </summary>
    public static MachineExit Run(IConsoleGuest guest, StopRequest stop, Log log, int inputFd = 0)
    {
        using Terminal? terminal = Terminal.EnterRawMode(inputFd);
        log.Debug(terminal is null ? "standard input is not a terminal: no raw mode, no Ctrl-]" : "console in raw mode; Ctrl-] quits");
        var pump = new InputPump(guest, inputFd, interactive: terminal is not null,
            () => stop.Request(ExitCodes.Interrupted, "stopped by the user (Ctrl-])"), log);
        try
        {
            stop.Attach(guest.Stop);
            guest.Start();
            pump.Start();
            return guest.Exit.GetAwaiter().GetResult();
        }
        finally
        {
            pump.Stop();
        }
    }

    /// <summary>
    /// The exit status and the line to print for how the run ended: an early stop first (signal,
    /// Ctrl-], closed pipe), then the guest's own code (0–127 as is), then the machine's failure.
    /// </summary>
    public static (int ExitCode, LogLevel Level, string? Line) Outcome(MachineExit exit, StopRequest stop)
    {
        if (stop.Reason is { } reason)
            return (reason.ExitCode, LogLevel.Error, reason.Message);
        if (!exit.PoweredOff)
            return (ExitCodes.MachineFailed, LogLevel.Error, exit.Error);
        if (exit.Reset)
            return (ExitCodes.GuestReset, LogLevel.Warn, $"the guest asked for a reset; zxvm does not reboot (exit status {ExitCodes.GuestReset})");
        if (exit.ExitCode > ExitCodes.GuestMax)
            return (ExitCodes.GuestCodeOutOfRange, LogLevel.Error,
                $"the guest powered off with code {exit.ExitCode}, above {ExitCodes.GuestMax} (exit status {ExitCodes.GuestCodeOutOfRange}; 0-{ExitCodes.GuestMax} pass through)");
        return (exit.ExitCode, LogLevel.Info, null);
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (PosixSignalRegistration r in registrations)
                r.Dispose();
        }
    }
}
