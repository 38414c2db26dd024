using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Machine;

/// <summary>
/// Whole machines in this process. The VMM's device interrupts use fixed host lines (32, 36, 40,
/// 41) process-wide, so these tests never run in parallel with each other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessMachineCollection
{
    public const string Name = "in-process machines";
}

[Collection(InProcessMachineCollection.Name)]
public sealed class VirtualMachineTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private readonly MemoryStream _console = new();
    private readonly List<string> _trace = new();
    private readonly List<string> _progress = new();

    private MachineOptions Options(byte[] image, ulong memory = 8UL << 20) => new()
    {
        Image = BootImage.Parse(image),
        MemoryBytes = memory,
        ConsoleOutput = _console,
        Trace = line => { lock (_trace) _trace.Add(line); },
        Progress = line => { lock (_progress) _progress.Add(line); },
    };

    private static async Task<MachineExit> Run(MachineOptions options)
    {
        using VirtualMachine machine = VirtualMachine.Create(options);
        machine.Start();
        return await machine.Exit.WaitAsync(Generous);
    }

    [KvmFact]
    public async Task PowerOff_EndsTheMachineWithTheGuestsCode()
    {
        MachineExit exit = await Run(Options(GuestPrograms.PowerOff42));

        Assert.True(exit.PoweredOff);
        Assert.Equal(42, exit.ExitCode);
        Assert.Null(exit.Error);
        Assert.True(exit.Exits >= 1);
    }

    [KvmFact]
    public async Task Reset_EndsTheMachineWithCode0x80()
    {
        MachineExit exit = await Run(Options(GuestPrograms.Reset));

        Assert.True(exit.PoweredOff);
        Assert.Equal(0x80, exit.ExitCode);
    }

    [KvmFact]
    public async Task UartOutput_GoesToTheConsoleStream()
    {
        MachineExit exit = await Run(Options(GuestPrograms.UartHiThenPowerOff7));

        Assert.Equal(7, exit.ExitCode);
        Assert.Equal("hi"u8.ToArray(), _console.ToArray());
    }

    [KvmFact]
    public async Task Guest_FindsTheBootInformationThroughRdi()
    {
        MachineExit exit = await Run(Options(GuestPrograms.PowerOffWithRamMiB, memory: 24UL << 20));

        Assert.Equal(24, exit.ExitCode);
    }

    [KvmFact]
    public async Task MmioStoresAndLoads_ReachTheVirtioRegistersAndTheGuestsRegisters()
    {
        MachineExit exit = await Run(Options(GuestPrograms.VirtioRegistersThenPowerOff));

        Assert.True(exit.PoweredOff, exit.Error);
        Assert.Equal(0x33, exit.ExitCode); // status 3 read back into r9d, device id 3 (console) into r10
    }

    [KvmFact]
    public async Task Trace_HasOneLinePerExit()
    {
        MachineExit exit = await Run(Options(GuestPrograms.VirtioRegistersThenPowerOff));

        string[] lines;
        lock (_trace)
            lines = _trace.ToArray();
        Assert.Contains(lines, l => l.StartsWith("mmio write 0xd0000070 size 4 value 0x1 virtio-console+0x70", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mmio write 0xd0000070 size 4 value 0x3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mmio read  0xd0000008 size 4 value 0x3 virtio-console+0x8", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("io   out  port 0x0600 size 1 value 0x33 -> power", StringComparison.Ordinal));
        Assert.Equal(exit.Exits, lines.Length);
    }

    [KvmFact]
    public async Task Progress_ReportsTheBootPhasesAndThePowerOff()
    {
        await Run(Options(GuestPrograms.PowerOff42));

        string all;
        lock (_progress)
            all = string.Join("\n", _progress);
        Assert.Contains("guest created", all);
        Assert.Contains("8 MiB RAM, raw image loaded (8 bytes, entry 0x100000)", all);
        Assert.Contains("devices attached", all);
        Assert.Contains("guest powered off with code 42", all);
    }

    [KvmFact]
    public async Task AccessToAPortWithoutATrap_StopsTheMachineWithAnError()
    {
        // Port 0x80 has no trap, so the kernel (not the VMM's bus) refuses it: zx_vcpu_resume fails.
        MachineExit exit = await Run(Options(GuestPrograms.OutToPort80));

        Assert.False(exit.PoweredOff);
        Assert.Equal(1, exit.ExitCode);
        Assert.StartsWith("the guest wrote 0x0 to I/O port 0x80 (1 byte) at RIP 0x", exit.Error);
        Assert.DoesNotContain('\n', exit.Error!);
    }

    [KvmFact]
    public async Task TripleFault_StopsTheMachineWithAnError()
    {
        MachineExit exit = await Run(Options(GuestPrograms.Ud2));

        Assert.False(exit.PoweredOff);
        Assert.Equal(1, exit.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(exit.Error));
        Assert.DoesNotContain('\n', exit.Error!);
    }

    [KvmFact]
    public async Task Stop_EndsARunningGuest()
    {
        using VirtualMachine machine = VirtualMachine.Create(Options(GuestPrograms.Spin));
        machine.Start();

        machine.Stop();
        MachineExit exit = await machine.Exit.WaitAsync(Generous);

        Assert.Equal(130, exit.ExitCode);
        Assert.Equal("stopped by the user", exit.Error);
    }

    [KvmFact]
    public async Task Machine_CreatedButNeverStarted_DisposesAndFreesItsInterruptLines()
    {
        Task dispose = Task.Run(() => VirtualMachine.Create(Options(GuestPrograms.PowerOff42)).Dispose());
        await dispose.WaitAsync(Generous);

        MachineExit exit = await Run(Options(GuestPrograms.PowerOff42)); // the same host lines again
        Assert.Equal(42, exit.ExitCode);
    }

    [KvmFact]
    public async Task Machines_OneAfterAnother_ReuseTheInterruptLines()
    {
        for (int i = 0; i < 3; i++)
            Assert.Equal(42, (await Run(Options(GuestPrograms.PowerOff42))).ExitCode);
    }

    [KvmFact]
    public async Task ImageThatDoesNotFit_FailsCreateAndLeavesNothingBehind()
    {
        MachineOptions tooBig = Options(new byte[9 << 20]);

        Assert.Throws<BootImageException>(() => VirtualMachine.Create(tooBig));

        Assert.Equal(42, (await Run(Options(GuestPrograms.PowerOff42))).ExitCode);
    }

    [KvmFact]
    public async Task DeviceThatFailsDuringCreate_LeavesTheInterruptLinesFree()
    {
        MachineOptions badDisk = Options(GuestPrograms.PowerOff42) with { Disk = new UnseekableStream() };

        Assert.ThrowsAny<Exception>(() => VirtualMachine.Create(badDisk));

        Assert.Equal(42, (await Run(Options(GuestPrograms.PowerOff42))).ExitCode);
    }

    [KvmFact]
    public async Task Disk_IsAnnouncedInTheBootInformation()
    {
        // Powers off with the low byte of the boot information's disk capacity (RDI + 24).
        byte[] program = [0x48, 0x8B, 0x47, 0x18, 0x66, 0xBA, 0x00, 0x06, 0xEE, 0xF4]; // mov rax, [rdi+24]; mov dx, 0x600; out dx, al; hlt
        using var disk = new MemoryStream(new byte[100 * 512]);

        MachineExit exit = await Run(Options(program) with { Disk = disk });

        Assert.Equal(100, exit.ExitCode);
    }

    /// <summary>A stream whose length cannot be known (a pipe, say): not a usable disk.</summary>
    private sealed class UnseekableStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException("no length");
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => 0;
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
