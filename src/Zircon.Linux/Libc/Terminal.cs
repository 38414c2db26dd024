using System.Runtime.InteropServices;

namespace Zircon.Linux.Libc;

/// <summary>
/// Raw mode for an interactive terminal (a VMM console): no line buffering, no echo, no signal
/// keys, so every byte typed goes to the guest. Disposing restores the saved settings.
/// </summary>
public sealed unsafe partial class Terminal : IDisposable
{
    private const int TCSANOW = 0;
    private const uint ICANON = 0x2, ECHO = 0x8, ISIG = 0x1, IEXTEN = 0x8000;
    private const uint IXON = 0x400, ICRNL = 0x100, BRKINT = 0x2, INPCK = 0x10, ISTRIP = 0x20;
    private const int VMIN = 6, VTIME = 5;

    private readonly int _fd;
    private readonly Termios _saved;
    private int _restored;

    [StructLayout(LayoutKind.Sequential)]
    private struct Termios
    {
        public uint c_iflag, c_oflag, c_cflag, c_lflag;
        public byte c_line;
        public fixed byte c_cc[32];
        public uint c_ispeed, c_ospeed;
    }

    private Terminal(int fd, Termios saved)
    {
        _fd = fd;
        _saved = saved;
    }

    /// <summary>Whether <paramref name="fd"/> is a terminal.</summary>
    public static bool IsTerminal(int fd) => isatty(fd) == 1;

    /// <summary>Puts the terminal on <paramref name="fd"/> into raw mode; null if it is not a terminal.</summary>
    public static Terminal? EnterRawMode(int fd)
    {
        if (!IsTerminal(fd))
            return null;
        Termios t;
        // SAFETY: t is a local struct of the size glibc's tcgetattr writes.
        if (tcgetattr(fd, &t) != 0)
            return null;
        Termios raw = t;
        raw.c_iflag &= ~(IXON | ICRNL | BRKINT | INPCK | ISTRIP);
        raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        // SAFETY: raw is a valid termios copied from the terminal's own settings.
        if (tcsetattr(fd, TCSANOW, &raw) != 0)
            return null;
        return new Terminal(fd, t);
    }

    /// <summary>Restores the terminal mode saved at creation.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _restored, 1) != 0)
            return;
        Termios saved = _saved;
        // SAFETY: saved holds the settings read from this terminal.
        tcsetattr(_fd, TCSANOW, &saved);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int isatty(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcgetattr(int fd, Termios* termios);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int tcsetattr(int fd, int action, Termios* termios);
}
