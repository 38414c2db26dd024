using Zircon.Vmm.Machine;
using Zxvm;

namespace Zxvm.Harness;

/// <summary>
/// <c>zxvm-harness console [--fail-on-start]</c>: zxvm's run path (<see cref="Zxvm.Program.RunGuest"/>)
/// around a stand-in guest that runs until stopped and never takes input, like a guest that spins.
/// <c>zxvm-harness streams N</c>: N lines on standard output and N log lines on standard error, from
/// two threads at once, through zxvm's one writer.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        StandardStreams streams = StandardStreams.Process;
        switch (args)
        {
            case ["console", .. var rest]:
                return Zxvm.Program.RunGuest(LogLevel.Debug, null, streams, _ => new StandInGuest(streams, failOnStart: rest.Contains("--fail-on-start")));
            case ["streams", var count]:
                return Streams(streams, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
            default:
                streams.WriteErrorLine("usage: zxvm-harness console [--fail-on-start] | streams N");
                return 2;
        }
    }

    private static int Streams(StandardStreams streams, int count)
    {
        var stop = new StopRequest();
        streams.OnBrokenPipe(() => stop.Request(ExitCodes.BrokenPipe, null));
        using Log log = Log.ToStandardError(LogLevel.Info, streams);
        var output = new Thread(() =>
        {
            for (int i = 0; i < count && !stop.IsRequested; i++)
                streams.WriteLine($"out {i} {new string('o', i % 97)}");
        });
        var errors = new Thread(() =>
        {
            for (int i = 0; i < count && !stop.IsRequested; i++)
                log.Info($"err {i} {new string('e', i % 89)}");
        });
        output.Start();
        errors.Start();
        output.Join();
        errors.Join();
        return streams.IsBroken ? ExitCodes.BrokenPipe : 0;
    }

    /// <summary>A guest that runs until stopped and takes no input (as one spinning in a loop).</summary>
    private sealed class StandInGuest(StandardStreams streams, bool failOnStart) : IConsoleGuest
    {
        private readonly TaskCompletionSource<MachineExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<MachineExit> Exit => _exit.Task;

        public void Start()
        {
            if (failOnStart)
                throw new IOException("the stand-in guest failed to start");
            streams.WriteLine($"stand-in guest running, pid {Environment.ProcessId}");
        }

        public int TrySendInput(ReadOnlySpan<byte> data) => 0;

        public void Stop() => _exit.TrySetResult(new MachineExit(ExitCodes.Interrupted, "stopped by the user", 0));
    }
}
