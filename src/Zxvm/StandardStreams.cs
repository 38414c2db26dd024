using System.Text;
using Zircon.Linux.Libc;

namespace Zxvm;

/// <summary>
/// The one writer of standard output (fd 1) and standard error (fd 2), shared by every thread.
/// Each call is one <c>write(2)</c> of whole text under one lock, so: lines never interleave
/// mid-line; redirecting both streams into one file (<c>&gt;f 2&gt;&amp;1</c>, one open file description)
/// keeps every line, in the order written; and a closed pipe is noticed once (EPIPE: .NET ignores
/// SIGPIPE), reported through <see cref="OnBrokenPipe"/>, after which nothing more is written.
/// </summary>
public sealed class StandardStreams
{
    public const int OutputFd = 1, ErrorFd = 2;

    private readonly Lock _lock = new();
    private readonly int _outputFd, _errorFd;
    private Action? _brokenPipe;
    private bool _broken;

    /// <param name="outputFd">Standard output (tests may pass another descriptor).</param>
    /// <param name="errorFd">Standard error.</param>
    public StandardStreams(int outputFd = OutputFd, int errorFd = ErrorFd)
    {
        _outputFd = outputFd;
        _errorFd = errorFd;
    }

    /// <summary>The process's standard output and error.</summary>
    public static StandardStreams Process { get; } = new();

    /// <summary>True once a write met a closed pipe: the process should end quietly (<see cref="ExitCodes.BrokenPipe"/>).</summary>
    public bool IsBroken
    {
        get
        {
            lock (_lock)
                return _broken;
        }
    }

    /// <summary>
    /// Called once, on the writing thread, when a write meets a closed pipe; runs at once if that has
    /// already happened. Must not write.
    /// </summary>
    public void OnBrokenPipe(Action action)
    {
        bool now;
        lock (_lock)
        {
            _brokenPipe = action;
            now = _broken;
        }
        if (now)
            action();
    }

    /// <summary>Bytes to standard output as they are (the guest's console).</summary>
    public void Write(ReadOnlySpan<byte> bytes) => Write(_outputFd, bytes);

    /// <summary>One line to standard output.</summary>
    public void WriteLine(string line) => Write(_outputFd, Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>One line to standard error.</summary>
    public void WriteErrorLine(string line) => Write(_errorFd, Encoding.UTF8.GetBytes(line + "\n"));

    private void Write(int fd, ReadOnlySpan<byte> bytes)
    {
        Action? brokenPipe = null;
        lock (_lock)
        {
            if (_broken)
                return;
            int errno = UnbufferedDescriptor.WriteAll(fd, bytes);
            // EIO: a terminal that hung up (SIGHUP follows); nothing to write to, nothing to report.
            if (errno == UnbufferedDescriptor.EPIPE)
            {
                _broken = true;
                brokenPipe = _brokenPipe;
            }
        }
        brokenPipe?.Invoke();
    }
}
