using System.Text;

namespace Zxvm;

/// <summary>How much zxvm says, from least to most (<c>--log-level</c>).</summary>
public enum LogLevel
{
    /// <summary>Only the line saying why zxvm failed.</summary>
    Error,

    /// <summary>Also what zxvm did differently from what was asked (the default).</summary>
    Warn,

    /// <summary>Also boot phases with their timing (<c>--verbose</c>).</summary>
    Info,

    /// <summary>Also host-side details: terminal mode, signals, disk geometry.</summary>
    Debug,

    /// <summary>Also one line per VCPU exit (<c>--trace</c>).</summary>
    Trace,
}

/// <summary>
/// zxvm's one log, shared by every thread (main, VCPU, devices, input, signal handlers): a line
/// per call, written whole, to standard error through <see cref="StandardStreams"/> or, with
/// <c>--log-file</c>, appended to that file. Errors always go to standard error as well, so the
/// user sees why zxvm stopped.
/// </summary>
public sealed class Log : IDisposable
{
    private readonly StandardStreams _streams;
    private readonly FileStream? _file;
    private readonly Lock _fileLock = new();

    private Log(LogLevel level, StandardStreams streams, FileStream? file)
    {
        Level = level;
        _streams = streams;
        _file = file;
    }

    public LogLevel Level { get; }

    /// <summary>A log to standard error.</summary>
    public static Log ToStandardError(LogLevel level, StandardStreams streams) => new(level, streams, null);

    /// <summary>A log appended to <paramref name="path"/> (created if absent).</summary>
    /// <exception cref="FileProblemException">The file cannot be opened for appending.</exception>
    public static Log ToFile(LogLevel level, StandardStreams streams, string path)
    {
        FileStream file = FileProblems.Open(path, "--log-file", () => new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), mayCreate: true);
        return new Log(level, streams, file);
    }

    public bool IsEnabled(LogLevel level) => level <= Level;

    public void Error(string message) => Write(LogLevel.Error, message);

    public void Warn(string message) => Write(LogLevel.Warn, message);

    public void Info(string message) => Write(LogLevel.Info, message);

    public void Debug(string message) => Write(LogLevel.Debug, message);

    public void Trace(string message) => Write(LogLevel.Trace, message);

    public void Write(LogLevel level, string message)
    {
        if (!IsEnabled(level))
            return;
        string line = Format(level, message);
        if (_file is null || level == LogLevel.Error)
            _streams.WriteErrorLine(line);
        if (_file is not null)
            AppendToFile(line);
    }

    /// <summary>"zxvm: " and, below warnings, the level: the error line stays the plain one-liner users expect.</summary>
    public static string Format(LogLevel level, string message) => level switch
    {
        LogLevel.Error or LogLevel.Info => $"zxvm: {message}",
        LogLevel.Warn => $"zxvm: warning: {message}",
        LogLevel.Debug => $"zxvm: debug: {message}",
        _ => $"zxvm: trace: {message}",
    };

    private void AppendToFile(string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_fileLock)
        {
            try
            {
                _file!.Write(bytes);
                _file.Flush();
            }
            catch (IOException)
            {
                // A full disk must not stop the machine; the log is best effort past its opening.
            }
        }
    }

    public void Dispose()
    {
        lock (_fileLock)
            _file?.Dispose();
    }
}
