namespace Zircon.Stress;

/// <summary>
/// Watches a progress counter; when it stops moving for <c>stall</c>, prints every thread of the
/// process with its state, kernel wait channel and current system call (/proc/self/task), once,
/// so that a hang shows where it is even when nothing else gets out (the KVM rig's output is read
/// back after a timeout).
/// </summary>
internal sealed class HangReporter : IDisposable
{
    private readonly Func<long> _progress;
    private readonly string _what;
    private readonly TimeSpan _stall;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public HangReporter(string what, Func<long> progress, TimeSpan stall)
    {
        _what = what;
        _progress = progress;
        _stall = stall;
        _thread = new Thread(Watch) { IsBackground = true, Name = "hang-reporter" };
        _thread.Start();
    }

    private void Watch()
    {
        long last = _progress();
        DateTime since = DateTime.UtcNow;
        while (!_stop.Token.WaitHandle.WaitOne(1000))
        {
            long now = _progress();
            if (now != last)
            {
                (last, since) = (now, DateTime.UtcNow);
                continue;
            }
            if (DateTime.UtcNow - since < _stall)
                continue;
            Console.WriteLine($"{_what}: no progress for {_stall.TotalSeconds:F0} s (at {now}); threads:");
            foreach (string task in Directory.GetDirectories("/proc/self/task"))
                Console.WriteLine("  " + Describe(task));
            return;
        }
    }

    private static string Describe(string task)
    {
        string Read(string name)
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, name)).Trim();
            }
            catch (IOException)
            {
                return "?";
            }
            catch (UnauthorizedAccessException)
            {
                return "?";
            }
        }
        string stat = Read("stat");
        int close = stat.LastIndexOf(')');
        string state = close > 0 && close + 2 < stat.Length ? stat[(close + 2)..].Split(' ')[0] : "?";
        return $"{Path.GetFileName(task)} {Read("comm")} state={state} wchan={Read("wchan")} syscall={Read("syscall").Split(' ')[0]}";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}
