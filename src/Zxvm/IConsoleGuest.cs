using Zircon.Vmm.Machine;

namespace Zxvm;

/// <summary>What the console session needs of a machine (zxvm's <see cref="VirtualMachine"/>; a stand-in in the terminal tests).</summary>
public interface IConsoleGuest
{
    /// <summary>Completes when the machine ends.</summary>
    Task<MachineExit> Exit { get; }

    /// <summary>Starts the VCPU and devices.</summary>
    void Start();

    /// <summary>Offers input; returns how many bytes the guest took (0 while nothing reads input).</summary>
    int TrySendInput(ReadOnlySpan<byte> data);

    /// <summary>Stops the machine; <see cref="Exit"/> completes soon after.</summary>
    void Stop();
}

/// <summary>A <see cref="VirtualMachine"/> (and the disk it owns) as a console guest.</summary>
internal sealed class VirtualMachineGuest(VirtualMachine machine, IDisposable? disk) : IConsoleGuest, IDisposable
{
    public Task<MachineExit> Exit => machine.Exit;

    public void Start() => machine.Start();

    public int TrySendInput(ReadOnlySpan<byte> data) => machine.TrySendInput(data);

    public void Stop() => machine.Stop();

    public void Dispose()
    {
        machine.Dispose();
        disk?.Dispose();
    }
}
