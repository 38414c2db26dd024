using System.Diagnostics;
using Zircon.Vmm.Bus;
using Zircon.Vmm.Devices;
using Zircon.Vmm.Devices.Plumbing;
using Zircon.Vmm.Devices.Virtio;
using Zircon.Vmm.Plumbing;
using Zircon.Vmm.Vcpus;

namespace Zircon.Vmm.Machine;

/// <summary>
/// A zxvm machine built on Zircon's hypervisor API: a guest with RAM, the devices of
/// docs/zxvm-machine.md on an address-space bus reached through traps, device interrupts on host
/// lines bound to the VCPU, a device thread for doorbells and one VCPU loop.
/// </summary>
public sealed class VirtualMachine : IDisposable
{
    private readonly MachineOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<IDisposable> _owned = new();
    private readonly List<Interrupt> _interrupts = new();
    private readonly AddressSpaceBus _bus = new();
    private readonly TaskCompletionSource<MachineExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Guest _guest;
    private readonly GuestRam _ram;
    private readonly DoorbellServer _doorbells;
    private readonly VcpuLoop _vcpuLoop;
    private readonly Lock _outputLock = new();
    private readonly Uart16550 _uart;
    private readonly VirtioConsole _console;
    private readonly VirtioMmioTransport _consoleTransport;
    private readonly List<(string Name, VirtioMmioTransport Transport)> _virtio = new();
    private readonly ulong _entry;

    private VirtualMachine(MachineOptions options)
    {
        _options = options;
        try
        {
            _guest = Guest.Create(Resource.Root);
            _owned.Add(_guest); // disposes its physical-memory VMAR too
            Phase("guest created");

            _ram = GuestRam.Create(_guest, options.MemoryBytes);
            _owned.Add(_ram);
            BootLayout.WritePageTables(_ram);
            options.Image.LoadInto(_ram);
            _entry = options.EntryOverride ?? options.Image.Entry;
            Phase($"{options.MemoryBytes >> 20} MiB RAM, {options.Image.Kind} image loaded ({options.Image.LoadedSize} bytes, entry 0x{_entry:x})");

            _doorbells = new DoorbellServer(error => Finish(new MachineExit(1, error, _vcpuLoop?.ExitCount ?? 0)), options.Trace);
            _owned.Add(_doorbells);

            _uart = new Uart16550(b => WriteConsole([b]), Line(MachineLayout.UartVector));
            AddIo(MachineLayout.UartPort, MachineLayout.UartPorts, _uart, "uart");

            var timer = new TimerDevice(new HostPeriodicTimer(), Line(MachineLayout.TimerVector));
            _owned.Add(timer);
            AddIo(MachineLayout.TimerPort, MachineLayout.TimerPorts, timer, "timer");

            var power = new PowerDevice();
            power.Stopped += code => Finish(new MachineExit(code, null, _vcpuLoop!.ExitCount) { Reset = power.ResetRequested });
            AddIo(MachineLayout.PowerPort, MachineLayout.PowerPorts, power, "power");

            _console = new VirtioConsole(WriteConsole);
            _consoleTransport = AddVirtio(MachineLayout.VirtioConsoleBase, _console, MachineLayout.VirtioConsoleVector, "virtio-console");
            ulong diskSectors = 0;
            if (options.Disk is not null)
            {
                var block = new VirtioBlock(options.Disk);
                diskSectors = block.Capacity;
                AddVirtio(MachineLayout.VirtioBlockBase, block, MachineLayout.VirtioBlockVector, "virtio-blk");
            }
            BootLayout.WriteBootInfo(_ram, options.TimerMicroseconds, diskSectors);
            Phase("devices attached: uart, timer, power, virtio-console" + (options.Disk is null ? "" : ", virtio-blk"));

            _vcpuLoop = new VcpuLoop(() => Vcpu.Create(_guest, _entry), PrepareVcpu, _bus, options.Trace);
        }
        catch
        {
            // A half-built machine must not keep the guest, its RAM or the host interrupt lines.
            DisposeOwned();
            throw;
        }
    }

    /// <summary>Builds the machine (guest, RAM, image, devices, traps).</summary>
    /// <exception cref="ZxException">The host cannot run it (e.g. NOT_SUPPORTED without KVM).</exception>
    /// <exception cref="BootImageException">The image does not fit.</exception>
    public static VirtualMachine Create(MachineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new VirtualMachine(options);
    }

    /// <summary>Starts the VCPU and device threads.</summary>
    public void Start()
    {
        _doorbells.Start();
        _vcpuLoop.Start();
        _vcpuLoop.Completion.ContinueWith(t => Finish(t.Result.Faulted
            ? new MachineExit(1, t.Result.Error, _vcpuLoop.ExitCount)
            : new MachineExit(0, "stopped", _vcpuLoop.ExitCount)), TaskScheduler.Default);
    }

    /// <summary>Completes when the guest powers off, faults, or <see cref="Stop"/> is called.</summary>
    public Task<MachineExit> Exit => _exit.Task;

    /// <summary>
    /// Input from the host console: to virtio-console once its driver is up, else to the UART if its
    /// driver enabled the receive interrupt. Returns how many bytes a device took (0 while no guest
    /// driver reads input yet: the caller keeps the bytes and tries again).
    /// </summary>
    public int TrySendInput(ReadOnlySpan<byte> data)
    {
        if ((_consoleTransport.Status & VirtioStatus.DriverOk) != 0)
            return _console.Receive(data);
        if (_uart.ReceiveInterruptEnabled)
            return _uart.Receive(data);
        return 0;
    }

    /// <summary>Stops the machine (e.g. the user pressed the escape key).</summary>
    public void Stop() => Finish(new MachineExit(130, "stopped by the user", _vcpuLoop.ExitCount));

    private void PrepareVcpu(Vcpu vcpu)
    {
        foreach (Interrupt interrupt in _interrupts)
            interrupt.BindVcpu(vcpu);
        ZxVcpuState state = vcpu.ReadState();
        state.Rdi = BootLayout.BootInfo;
        vcpu.WriteState(state);
        Phase("VCPU 0 created, device interrupts bound; entering the guest");
    }

    private void Finish(MachineExit exit)
    {
        if (_exit.TrySetResult(exit))
        {
            Phase(exit.Error is null ? $"guest powered off with code {exit.ExitCode}" : $"machine stopped: {exit.Error}");
            foreach ((string name, VirtioMmioTransport transport) in _virtio)
                Phase($"{name}: status 0x{transport.Status:x2}, interrupt status 0x{transport.InterruptStatus:x}");
            _vcpuLoop.Stop();
        }
    }

    private IInterruptSignal Line(uint vector)
    {
        Interrupt interrupt = Interrupt.CreatePhysical(Resource.Root, vector);
        _interrupts.Add(interrupt);
        _owned.Add(interrupt);
        return new InterruptLineSignal(vector);
    }

    private void AddIo(ushort port, ushort count, IBusDevice device, string name)
    {
        _bus.Add(AddressSpaceKind.Io, port, count, device, name);
        _guest.SetIoTrap(port, count, key: port);
    }

    private VirtioMmioTransport AddVirtio(ulong registerBase, VirtioDevice device, uint vector, string name)
    {
        var transport = new VirtioMmioTransport(device, _ram, Line(vector));
        _virtio.Add((name, transport));
        _bus.Add(AddressSpaceKind.Memory, registerBase, MachineLayout.RegisterPageSize, transport, name);
        _guest.SetMemoryTrap(registerBase, MachineLayout.RegisterPageSize, key: registerBase);
        ulong doorbell = registerBase + MachineLayout.DoorbellOffset;
        ulong key = _doorbells.Add(doorbell, transport);
        _guest.SetBellTrap(doorbell, MachineLayout.RegisterPageSize, _doorbells.Port, key);
        return transport;
    }

    private void WriteConsole(ReadOnlySpan<byte> bytes)
    {
        lock (_outputLock)
        {
            _options.ConsoleOutput.Write(bytes);
            _options.ConsoleOutput.Flush();
        }
    }

    private void Phase(string what) => _options.Progress?.Invoke($"[{_clock.Elapsed.TotalMilliseconds,8:F1} ms] {what}");

    public void Dispose()
    {
        _vcpuLoop?.Stop();
        _vcpuLoop?.Completion.Wait(TimeSpan.FromSeconds(5));
        DisposeOwned();
    }

    private void DisposeOwned()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
    }
}
