namespace Zircon.Vmm.Devices;

/// <summary>
/// The zxvm power device (ports 0x600–0x601): a byte written at offset 0 powers the machine off with
/// that byte as the exit code; any write at offset 1 is a reset request, which ends the VMM with
/// <see cref="ResetExitCode"/> (reboot is not supported). The first request wins; later ones are ignored.
/// </summary>
/// <remarks>Reads return 0. Thread-safe.</remarks>
public sealed class PowerDevice : IBusDevice
{
    /// <summary>Offset of the power-off register.</summary>
    public const ulong PowerOffOffset = 0;

    /// <summary>Offset of the reset register.</summary>
    public const ulong ResetOffset = 1;

    /// <summary>Exit code of a reset request.</summary>
    public const int ResetExitCode = 0x80;

    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Raised once, on the thread that made the request (the VCPU thread), with the exit code.
    /// Handlers must not block for long: the VCPU waits for them.
    /// </summary>
    public event Action<int>? Stopped;

    /// <summary>Completes with the exit code on the first power-off or reset request.</summary>
    public Task<int> ExitCodeTask => _exit.Task;

    /// <summary>True when the request that stopped the machine was a reset (port offset 1), not a power-off.</summary>
    public bool ResetRequested { get; private set; }

    /// <summary>The exit code once requested; null while the machine runs.</summary>
    public int? ExitCode => _exit.Task.IsCompletedSuccessfully ? _exit.Task.Result : null;

    /// <inheritdoc />
    public ulong Read(ulong offset, int size) => 0;

    /// <inheritdoc />
    public void Write(ulong offset, int size, ulong value)
    {
        switch (offset)
        {
            case PowerOffOffset:
                Request((byte)value, reset: false);
                break;
            case ResetOffset:
                Request(ResetExitCode, reset: true);
                break;
        }
    }

    private void Request(int exitCode, bool reset)
    {
        lock (_exit)
        {
            if (_exit.Task.IsCompleted)
                return;
            ResetRequested = reset; // before the result, so whoever sees the code sees the kind
            _exit.SetResult(exitCode);
        }
        Stopped?.Invoke(exitCode);
    }
}
