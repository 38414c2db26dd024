namespace Zxvm;

/// <summary>
/// zxvm's exit status. The guest's own power-off code passes through unchanged only in 0–127; every
/// outcome of zxvm's own is 128 or above, so a script can always tell them apart:
/// 128 + a signal number for the conventional "stopped" cases, and 200–205 for zxvm's failures
/// (above 192, so no shell can mistake them for a death by signal). See README and docs/decisions.md.
/// </summary>
public static class ExitCodes
{
    /// <summary>The highest power-off value passed through as the exit status.</summary>
    public const int GuestMax = 127;

    /// <summary>The guest asked for a reset (port 0x601); zxvm does not reboot.</summary>
    public const int GuestReset = 128;

    /// <summary>SIGHUP: the terminal went away (128 + 1).</summary>
    public const int HangUp = 129;

    /// <summary>Ctrl-] on the console, or SIGINT (128 + 2).</summary>
    public const int Interrupted = 130;

    /// <summary>Standard output or error is a pipe nobody reads any more (128 + SIGPIPE 13), as a killed C tool.</summary>
    public const int BrokenPipe = 141;

    /// <summary>SIGTERM (128 + 15).</summary>
    public const int Terminated = 143;

    /// <summary>A bad command line.</summary>
    public const int Usage = 200;

    /// <summary>A file zxvm was given cannot be used (absent, no permission, a directory, a bad size or format).</summary>
    public const int BadFile = 201;

    /// <summary>This host cannot run guests (no /dev/kvm, or no permission to open it).</summary>
    public const int NoHypervisor = 202;

    /// <summary>The machine failed while running (the guest crashed, or touched an address nothing serves).</summary>
    public const int MachineFailed = 203;

    /// <summary>The guest powered off with a value above <see cref="GuestMax"/> (the value is on standard error).</summary>
    public const int GuestCodeOutOfRange = 204;

    /// <summary>A bug of zxvm's own.</summary>
    public const int Internal = 205;
}
