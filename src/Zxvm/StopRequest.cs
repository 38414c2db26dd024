namespace Zxvm;

/// <summary>
/// Why zxvm is ending early — a signal, Ctrl-], a closed pipe — set by whichever thread notices it
/// first (signal handler, input thread, a writing thread) and read by the main thread, which turns
/// it into the exit status after the machine stopped and the terminal was restored.
/// </summary>
public sealed class StopRequest
{
    private readonly Lock _lock = new();
    private Action? _stopMachine;

    /// <summary>The first request: exit status and the line to print (null: end quietly).</summary>
    public (int ExitCode, string? Message)? Reason { get; private set; }

    /// <summary>The first request wins; every request stops the machine (now, or as soon as there is one).</summary>
    public void Request(int exitCode, string? message)
    {
        Action? stop;
        lock (_lock)
        {
            Reason ??= (exitCode, message);
            stop = _stopMachine;
        }
        stop?.Invoke();
    }

    /// <summary>How to stop the machine once it exists; runs at once if a request came first.</summary>
    public void Attach(Action stopMachine)
    {
        bool now;
        lock (_lock)
        {
            _stopMachine = stopMachine;
            now = Reason is not null;
        }
        if (now)
            stopMachine();
    }

    public bool IsRequested
    {
        get
        {
            lock (_lock)
                return Reason is not null;
        }
    }
}
