using System.Diagnostics;
using Zircon.Vmm.Boot;
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
/// lines bound to the VCPUs, a device thread for doorbells and one VCPU loop per processor (the
/// guest starts all but the first, see <see cref="Processors"/>).
/// </summary>
public sealed class VirtualMachine : IDisposable
{
    private readonly MachineOptions _options;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<IDisposable> _owned = new();
    private readonly List<Interrupt> _interrupts = new();
    private readonly List<Interrupt> _everyProcessorInterrupts = new();
    private readonly AddressSpaceBus _bus = new();
    private readonly TaskCompletionSource<MachineExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Guest _guest;
    private readonly GuestRam _ram;
    private readonly DoorbellServer _doorbells;
    private readonly Processors _processors;
    private readonly Lock _outputLock = new();
    private readonly Uart16550 _uart;
    private readonly VirtioConsole _console;
    private readonly VirtioMmioTransport _consoleTransport;
    private readonly List<(string Name, VirtioMmioTransport Transport)> _virtio = new();
    private ulong _entry;
    private Boot.LinuxEntry? _linuxEntry;
    private VectorLines? _vectorLines;

    private VirtualMachine(MachineOptions options)
    {
        _options = options;
        try
        {
            _guest = Guest.Create(Resource.Root);
            _owned.Add(_guest); // disposes its physical-memory VMAR too
            if (options.Processors > 1)
                DeclareProcessors(options.Processors);
            Phase(options.Processors > 1 ? $"guest created with {options.Processors} processors" : "guest created");

            _ram = GuestRam.Create(_guest, options.MemoryBytes);
            _owned.Add(_ram);
            BootLayout.WritePageTables(_ram);

            _doorbells = new DoorbellServer(error => Finish(new MachineExit(1, error, _processors?.ExitCount ?? 0)), options.Trace);
            _owned.Add(_doorbells);

            if (options.Linux is LinuxGuest linux)
            {
                (_uart, _console, _consoleTransport) = BuildLinuxMachine(linux);
            }
            else
            {
                BootImage image = options.Image ?? throw new ArgumentException("MachineOptions needs an Image or a Linux guest");
                image.LoadInto(_ram);
                _entry = options.EntryOverride ?? image.Entry;
                Phase($"{options.MemoryBytes >> 20} MiB RAM, {image.Kind} image loaded ({image.LoadedSize} bytes, entry 0x{_entry:x})");
                (_uart, _console, _consoleTransport) = BuildZxvmMachine();
            }

            _processors = new Processors(_guest, options.Processors, _bus, PrepareVcpu, ProcessorEnded,
                line => _options.Progress?.Invoke(line), options.Trace);
        }
        catch
        {
            // A half-built machine must not keep the guest, its RAM or the host interrupt lines.
            DisposeOwned();
            throw;
        }
    }

    /// <summary>The zxvm machine of zxos: UART, timer and power ports, virtio devices on fixed lines.</summary>
    private (Uart16550, VirtioConsole, VirtioMmioTransport) BuildZxvmMachine()
    {
        var uart = new Uart16550(b => WriteConsole([b]), Line(MachineLayout.UartVector));
        AddIo(MachineLayout.UartPort, MachineLayout.UartPorts, uart, "uart");

        // The timer is bound to every processor: each tick reaches each of them (zx_interrupt_bind_vcpu to several VCPUs).
        var timer = new TimerDevice(new HostPeriodicTimer(), Line(MachineLayout.TimerVector, everyProcessor: true));
        _owned.Add(timer);
        AddIo(MachineLayout.TimerPort, MachineLayout.TimerPorts, timer, "timer");

        var power = new PowerDevice();
        power.Stopped += code => Finish(new MachineExit(code, null, _processors!.ExitCount) { Reset = power.ResetRequested });
        AddIo(MachineLayout.PowerPort, MachineLayout.PowerPorts, power, "power");

        var console = new VirtioConsole(WriteConsole);
        VirtioMmioTransport consoleTransport = AddVirtio(MachineLayout.VirtioConsoleBase, console, Line(MachineLayout.VirtioConsoleVector), "virtio-console");
        ulong diskSectors = 0;
        if (_options.Disk is not null)
        {
            var block = new VirtioBlock(_options.Disk);
            diskSectors = block.Capacity;
            AddVirtio(MachineLayout.VirtioBlockBase, block, Line(MachineLayout.VirtioBlockVector), "virtio-blk");
        }
        BootLayout.WriteBootInfo(_ram, _options.TimerMicroseconds, diskSectors, _options.Processors);
        Phase("devices attached: uart, timer, power, virtio-console" + (_options.Disk is null ? "" : ", virtio-blk"));
        return (uart, console, consoleTransport);
    }

    /// <summary>
    /// The Linux machine: the kernel, initrd, command line, ACPI tables and boot structure from one
    /// memory map; an IO-APIC delivering through interrupts bound to the VCPU; COM1 on IRQ 4,
    /// virtio-mmio console and block on IRQs 5 and 6, ACPI power registers, the keyboard
    /// controller's reset line, and every other port answering as an empty ISA bus.
    /// </summary>
    private (Uart16550, VirtioConsole, VirtioMmioTransport) BuildLinuxMachine(LinuxGuest linux)
    {
        var map = new Boot.LinuxMemoryMap(_ram.Size);
        Boot.LinuxEntry entry = Boot.LinuxBoot.Load(_ram.Bytes, linux.Kernel, linux.Initrd, linux.CommandLine, map,
            LinuxMachineLayout.Acpi(withDisk: _options.Disk is not null, _options.Processors));
        _entry = entry.Rip;
        _linuxEntry = entry;
        Phase($"{_ram.Size >> 20} MiB RAM, {linux.Kernel.Describe()}; initrd {linux.Initrd.Length} bytes; command line {linux.CommandLine.Length} bytes; VCPU starts at 0x{entry.Rip:x}");

        _vectorLines = new VectorLines(() => _processors?.LiveVcpus ?? [], error => Finish(new MachineExit(1, error, _processors?.ExitCount ?? 0)));
        _owned.Add(_vectorLines);
        var ioApic = new IoApic(_vectorLines, LinuxMachineLayout.IoApicId);
        _bus.Add(AddressSpaceKind.Memory, LinuxMachineLayout.IoApicAddress, IoApic.MmioSize, ioApic, "io-apic");
        _guest.SetMemoryTrap(LinuxMachineLayout.IoApicAddress, IoApic.MmioSize, key: LinuxMachineLayout.IoApicAddress);

        var uart = new Uart16550(b => WriteConsole([b]), ioApic.Pin(LinuxMachineLayout.SerialIrq));
        AddIo(LinuxMachineLayout.SerialPort, MachineLayout.UartPorts, uart, "uart");

        var power = new AcpiPowerRegisters(LinuxMachineLayout.S5SleepType, LinuxMachineLayout.ResetValue);
        power.Requested += request => Finish(new MachineExit(LinuxExitCode(request), null, _processors!.ExitCount, request == PowerRequest.PowerOff ? "powered off" : "rebooted"));
        AddIo(LinuxMachineLayout.AcpiPortBase, (ushort)AcpiPowerRegisters.PortCount, power, "acpi-power");
        AddIo(KeyboardControllerReset.BasePort, KeyboardControllerReset.PortCount, new KeyboardControllerReset(() => power.Request(PowerRequest.Reboot)), "i8042-reset");

        var console = new VirtioConsole(WriteConsole);
        VirtioMmioTransport consoleTransport = AddVirtio(LinuxMachineLayout.VirtioConsoleAddress, console, ioApic.Pin(LinuxMachineLayout.VirtioConsoleIrq), "virtio-console");
        if (_options.Disk is not null)
            AddVirtio(LinuxMachineLayout.VirtioBlockAddress, new VirtioBlock(_options.Disk), ioApic.Pin(LinuxMachineLayout.VirtioBlockIrq), "virtio-blk");

        int gaps = 0;
        var unassigned = new UnassignedPorts();
        // Zircon's IO traps must end at or below 0xFFFF (zx_guest_set_trap: OUT_OF_RANGE otherwise),
        // so port 0xFFFF itself stays unserved.
        foreach ((ulong start, ulong length) in _bus.Gaps(AddressSpaceKind.Io, 0, 0xFFFF))
        {
            AddIo((ushort)start, (ushort)length, unassigned, "unassigned");
            gaps++;
        }
        Phase($"devices attached: io-apic, uart (IRQ {LinuxMachineLayout.SerialIrq}), acpi-power, i8042-reset, virtio-console (IRQ {LinuxMachineLayout.VirtioConsoleIrq})"
            + (_options.Disk is null ? "" : $", virtio-blk (IRQ {LinuxMachineLayout.VirtioBlockIrq})") + $"; {gaps} unassigned port ranges");
        return (uart, console, consoleTransport);
    }

    /// <summary>Exit code of a Linux guest's power request: 0 for power-off and for reboot (as kvmtool does).</summary>
    public static int LinuxExitCode(PowerRequest request) => request switch
    {
        PowerRequest.PowerOff => 0,
        _ => 0,
    };

    /// <summary>Builds the machine (guest, RAM, image, devices, traps).</summary>
    /// <exception cref="ZxException">The host cannot run it (e.g. NOT_SUPPORTED without KVM).</exception>
    /// <exception cref="BootImageException">The image does not fit.</exception>
    /// <exception cref="ProcessorLimitException">More processors than the host's hypervisor gives a guest.</exception>
    public static VirtualMachine Create(MachineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new VirtualMachine(options);
    }

    /// <summary>Starts the device thread and the bootstrap processor's VCPU thread.</summary>
    public void Start()
    {
        _doorbells.Start();
        _processors.StartBootstrap(_entry);
    }

    /// <summary>Processors whose VCPU the guest has started so far (0 first).</summary>
    public IReadOnlyList<uint> StartedProcessors => _processors.Started;

    private void DeclareProcessors(int count)
    {
        int max = _guest.MaxProcessors;
        if (count > max)
            throw new ProcessorLimitException(count, max);
        _guest.DeclareProcessors(count);
    }

    private void ProcessorEnded(uint id, VcpuOutcome outcome)
    {
        if (outcome.Faulted)
            Finish(new MachineExit(1, id == 0 ? outcome.Error : $"processor {id}: {outcome.Error}", _processors.ExitCount));
        else if (id == 0)
            Finish(new MachineExit(0, "stopped", _processors.ExitCount));
    }

    /// <summary>Completes when the guest powers off, faults, or <see cref="Stop"/> is called.</summary>
    public Task<MachineExit> Exit => _exit.Task;

    /// <summary>
    /// Input from the host console: to virtio-console once its driver is up, else to the UART if its
    /// driver enabled the receive interrupt (on the Linux machine the UART comes first). Returns how many bytes a device took (0 while no guest
    /// driver reads input yet: the caller keeps the bytes and tries again).
    /// </summary>
    public int TrySendInput(ReadOnlySpan<byte> data)
    {
        // Linux's console is COM1 (console=ttyS0) even when its virtio_console driver is loaded, so
        // the Linux machine gives the UART precedence; zxos prefers virtio-console once it is up.
        if (_linuxEntry is not null && _uart.ReceiveInterruptEnabled)
            return _uart.Receive(data);
        if ((_consoleTransport.Status & VirtioStatus.DriverOk) != 0)
            return _console.Receive(data);
        if (_uart.ReceiveInterruptEnabled)
            return _uart.Receive(data);
        return 0;
    }

    /// <summary>Stops the machine (e.g. the user pressed the escape key).</summary>
    public void Stop() => Finish(new MachineExit(130, "stopped by the user", _processors.ExitCount));

    private void PrepareVcpu(uint id, Vcpu vcpu)
    {
        foreach (Interrupt interrupt in _everyProcessorInterrupts)
            interrupt.BindVcpu(vcpu);
        _vectorLines?.ProcessorStarted(id);
        if (id != 0)
        {
            // An application processor starts where its STARTUP said, in real mode; nothing to set.
            Phase($"VCPU {id} created on its own thread (STARTUP), interrupts for every processor bound");
            return;
        }
        foreach (Interrupt interrupt in _interrupts)
            interrupt.BindVcpu(vcpu);
        ZxVcpuState state = vcpu.ReadState();
        if (_linuxEntry is Boot.LinuxEntry linux)
        {
            state.Rsi = linux.Rsi; // bzImage: boot_params
            state.Rsp = linux.Rsp;
        }
        else
        {
            state.Rdi = BootLayout.BootInfo;
        }
        vcpu.WriteState(state);
        Phase("VCPU 0 created, device interrupts bound; entering the guest");
    }

    private void Finish(MachineExit exit)
    {
        if (_exit.TrySetResult(exit))
        {
            Phase(exit.Error is null ? $"guest {exit.Request ?? "powered off"} with code {exit.ExitCode}" : $"machine stopped: {exit.Error}");
            foreach ((string name, VirtioMmioTransport transport) in _virtio)
                Phase($"{name}: status 0x{transport.Status:x2}, interrupt status 0x{transport.InterruptStatus:x}");
            _processors.Stop();
        }
    }

    private IInterruptSignal Line(uint vector, bool everyProcessor = false)
    {
        Interrupt interrupt = Interrupt.CreatePhysical(Resource.Root, vector);
        (everyProcessor ? _everyProcessorInterrupts : _interrupts).Add(interrupt);
        _owned.Add(interrupt);
        return new InterruptLineSignal(vector);
    }

    private void AddIo(ushort port, ushort count, IBusDevice device, string name)
    {
        _bus.Add(AddressSpaceKind.Io, port, count, device, name);
        _guest.SetIoTrap(port, count, key: port);
    }

    private VirtioMmioTransport AddVirtio(ulong registerBase, VirtioDevice device, IInterruptSignal interrupt, string name)
    {
        var transport = new VirtioMmioTransport(device, _ram, interrupt);
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
        _processors?.Stop();
        _processors?.Completion.Wait(TimeSpan.FromSeconds(5));
        DisposeOwned();
    }

    private void DisposeOwned()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
    }
}
