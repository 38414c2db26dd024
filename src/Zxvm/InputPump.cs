using Zircon.Linux.Libc;

namespace Zxvm;

/// <summary>
/// Standard input to the guest console, on two threads. The reader looks at every byte as soon as
/// it is read — on a terminal, Ctrl-] ends zxvm at once, whatever the guest does with its input — and
/// queues the rest; the deliverer offers queued bytes to the guest until it takes them. (With one
/// thread, a guest that takes nothing kept the reader waiting, and Ctrl-] was never seen.)
/// </summary>
internal sealed class InputPump
{
    /// <summary>Ctrl-]: leaves an interactive console (as telnet does).</summary>
    public const byte EscapeKey = 0x1D;

    private const int PipedLimit = 64 * 1024;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(10);

    private readonly IConsoleGuest _guest;
    private readonly int _fd;
    private readonly bool _interactive;
    private readonly Action _escape;
    private readonly Log _log;
    private readonly PendingInput _pending;
    private volatile bool _stopped;

    /// <param name="guest">Where input goes.</param>
    /// <param name="fd">Standard input.</param>
    /// <param name="interactive">A terminal: Ctrl-] calls <paramref name="escape"/> instead of reaching the guest.</param>
    /// <param name="escape">Ends zxvm (called on the reader thread).</param>
    /// <param name="log">For debug lines.</param>
    public InputPump(IConsoleGuest guest, int fd, bool interactive, Action escape, Log log)
    {
        _guest = guest;
        _fd = fd;
        _interactive = interactive;
        _escape = escape;
        _log = log;
        _pending = new PendingInput(interactive ? null : PipedLimit);
    }

    /// <summary>Bytes read and not yet taken by the guest.</summary>
    public int Pending => _pending.Count;

    public void Start()
    {
        new Thread(ReadLoop) { Name = "zxvm-stdin", IsBackground = true }.Start();
        new Thread(DeliverLoop) { Name = "zxvm-input", IsBackground = true }.Start();
    }

    /// <summary>Ends delivery (the reader may stay blocked in read(2); it is a background thread).</summary>
    public void Stop()
    {
        _stopped = true;
        _pending.Close();
    }

    private void ReadLoop()
    {
        try
        {
            ReadUntilEscapeOrEnd();
        }
        catch (Exception e)
        {
            // No exception may escape a host thread of ours; without input the machine runs on.
            _log.Error($"internal error reading input: {e.GetType().Name}: {e.Message}");
        }
    }

    private void ReadUntilEscapeOrEnd()
    {
        var buffer = new byte[256];
        while (!_stopped)
        {
            int n = UnbufferedDescriptor.Read(_fd, buffer);
            if (n <= 0)
            {
                // End of input (the guest keeps running until it powers off), or a read error
                // (EIO: the terminal hung up; SIGHUP ends zxvm).
                _log.Debug(n == 0 ? "standard input ended" : $"standard input: read failed (errno {-n})");
                return;
            }
            int escape = _interactive ? Array.IndexOf(buffer, EscapeKey, 0, n) : -1;
            if (escape >= 0)
            {
                _log.Debug("Ctrl-] on the console");
                _escape();
                return;
            }
            _pending.Add(buffer.AsSpan(0, n));
        }
    }

    private void DeliverLoop()
    {
        var buffer = new byte[256];
        try
        {
            while (!_stopped && !_guest.Exit.IsCompleted)
            {
                int n = _pending.Peek(buffer, TimeSpan.FromMilliseconds(100));
                if (n == 0)
                    continue;
                int taken = _guest.TrySendInput(buffer.AsSpan(0, n));
                _pending.Consume(taken);
                if (taken == 0)
                    Thread.Sleep(RetryDelay); // no guest driver reads input yet
            }
        }
        catch (Exception e)
        {
            // No exception may escape a host thread: a device-model bug ends the input, not zxvm.
            _log.Error($"internal error delivering input: {e.GetType().Name}: {e.Message}");
        }
    }
}
