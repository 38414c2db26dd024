using Zircon.Vmm.Bus;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Machine;
using Zircon.Vmm.Tests.Support;
using Zircon.Vmm.Vcpus;

namespace Zircon.Vmm.Tests.Vcpus;

/// <summary>The VCPU loop driving a real VCPU: exits served from the bus, pause, continue, stop.</summary>
[Collection(InProcessMachineCollection.Name)]
public sealed class VcpuLoopGuestTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    /// <summary>mov dx, 0x500; 1: out dx, al; inc al; jmp 1b — an endless stream of port writes.</summary>
    private static readonly byte[] EndlessOut = [0x66, 0xBA, 0x00, 0x05, 0xEE, 0xFE, 0xC0, 0xEB, 0xFB];

    /// <summary>in al, 0x504 (via dx); out 0x500, al; then hlt forever (IF = 0).</summary>
    private static readonly byte[] InThenOut = [0x66, 0xBA, 0x04, 0x05, 0xEC, 0x66, 0xBA, 0x00, 0x05, 0xEE, 0xF4, 0xEB, 0xFD];

    /// <summary>
    /// movsx r8, byte [0xd0000004]; out 0x500, eax = r8 &gt;&gt; 32 (0xffffffff if the load sign-extended);
    /// mov [0xd0000008], r9 = 0x1122334455667788; then hlt forever.
    /// </summary>
    private static readonly byte[] MmioSignExtendThenStore =
    [
        0xBB, 0x00, 0x00, 0x00, 0xD0,                               // mov ebx, 0xd0000000
        0x4C, 0x0F, 0xBE, 0x43, 0x04,                               // movsx r8, byte [rbx+4]
        0x4C, 0x89, 0xC0,                                           // mov rax, r8
        0x48, 0xC1, 0xE8, 0x20,                                     // shr rax, 32
        0x66, 0xBA, 0x00, 0x05,                                     // mov dx, 0x500
        0xEF,                                                       // out dx, eax
        0x49, 0xB9, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // mov r9, 0x1122334455667788
        0x4C, 0x89, 0x4B, 0x08,                                     // mov [rbx+8], r9
        0xF4, 0xEB, 0xFD,                                           // hlt; jmp hlt
    ];

    private readonly Guest? _guest;
    private readonly GuestRam? _ram;
    private readonly AddressSpaceBus _bus = new();
    private readonly CountingDevice _port = new(readValue: 42);
    private readonly CountingDevice _mmio = new(readValue: 0x80);

    public VcpuLoopGuestTests()
    {
        if (KvmFactAttribute.SkipReason is not null)
            return;
        _guest = Guest.Create(Resource.Root);
        _ram = GuestRam.Create(_guest, 8UL << 20);
        BootLayout.WritePageTables(_ram);
        _bus.Add(AddressSpaceKind.Io, 0x500, 8, _port, "port");
        _guest.SetIoTrap(0x500, 8, key: 0x500);
        _bus.Add(AddressSpaceKind.Memory, 0xD000_0000, 0x1000, _mmio, "mmio");
        _guest.SetMemoryTrap(0xD000_0000, 0x1000, key: 0xD000_0000);
    }

    public void Dispose()
    {
        _ram?.Dispose();
        _guest?.Dispose();
    }

    private VcpuLoop Loop(byte[] code, List<string>? trace = null)
    {
        BootImage.Parse(code).LoadInto(_ram!);
        return new VcpuLoop(() => Vcpu.Create(_guest!, BootLayout.DefaultLoadAddress), _ => { }, _bus,
            trace is null ? null : line => { lock (trace) trace.Add(line); });
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
                Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    [KvmFact]
    public async Task InFromADevice_CompletesTheGuestsIn()
    {
        VcpuLoop loop = Loop(InThenOut);
        loop.Start();

        await WaitUntil(() => _port.WriteCount > 0, "the guest's OUT");
        loop.Stop();
        VcpuOutcome outcome = await loop.Completion.WaitAsync(Generous);

        Assert.Equal((0UL, 1, 42UL), _port.Writes[0]); // the value IN returned went back out
        Assert.False(outcome.Faulted, outcome.Error);
        Assert.Equal(VcpuRunState.Stopped, loop.State);
    }

    [KvmFact]
    public async Task MmioLoadAndStore_GoThroughTheGuestsRegisters()
    {
        VcpuLoop loop = Loop(MmioSignExtendThenStore);
        loop.Start();

        await WaitUntil(() => _mmio.WriteCount > 0, "the guest's MMIO store");
        loop.Stop();
        await loop.Completion.WaitAsync(Generous);

        Assert.Equal((0UL, 4, 0xFFFF_FFFFUL), _port.Writes[0]);               // movsx r8, byte 0x80 -> r8 = -128
        Assert.Equal((8UL, 8, 0x1122_3344_5566_7788UL), _mmio.Writes[0]);     // 64-bit store of r9
        Assert.Equal(3, loop.ExitCount);
    }

    [KvmFact]
    public async Task Trace_GetsALinePerExit()
    {
        var trace = new List<string>();
        VcpuLoop loop = Loop(InThenOut, trace);
        loop.Start();

        await WaitUntil(() => _port.WriteCount > 0, "the guest's OUT");
        loop.Stop();
        await loop.Completion.WaitAsync(Generous);

        lock (trace)
        {
            Assert.Equal("io   in   port 0x0504 size 1 value 0x2a <- port", trace[0]);
            Assert.Equal("io   out  port 0x0500 size 1 value 0x2a -> port", trace[1]);
        }
    }

    [KvmFact]
    public async Task PauseContinueStop_SteerARunningGuest()
    {
        VcpuLoop loop = Loop(EndlessOut);
        loop.Start();
        await WaitUntil(() => _port.WriteCount > 10, "the guest to run");

        loop.Pause();
        int atPause = _port.WriteCount;
        Assert.Equal(VcpuRunState.Paused, loop.State);
        await Task.Delay(300);
        int paused = _port.WriteCount;
        Assert.InRange(paused, atPause, atPause + 2); // at most the exit in flight (and one resume racing the kick)
        await Task.Delay(300);
        Assert.Equal(paused, _port.WriteCount);       // then no progress while paused

        loop.Continue();
        Assert.Equal(VcpuRunState.Running, loop.State);
        await WaitUntil(() => _port.WriteCount > paused + 10, "the guest to run again");

        loop.Stop();
        VcpuOutcome outcome = await loop.Completion.WaitAsync(Generous);
        Assert.False(outcome.Faulted, outcome.Error);
        Assert.Equal(VcpuRunState.Stopped, loop.State);
        Assert.True(loop.ExitCount >= _port.WriteCount - 1);
    }

    [KvmFact]
    public async Task Stop_WhileTheGuestHalts_EndsTheLoop()
    {
        VcpuLoop loop = Loop(InThenOut);
        loop.Start();
        await WaitUntil(() => _port.WriteCount > 0, "the guest to reach hlt");

        loop.Stop();

        Assert.False((await loop.Completion.WaitAsync(Generous)).Faulted);
    }

    [KvmFact]
    public async Task StopAndPause_RacingWithTheLoopEnding_NeverThrow()
    {
        // Regression: kicking a VCPU its thread was closing threw ZX_ERR_BAD_HANDLE out of Stop().
        for (int round = 0; round < 20; round++)
        {
            VcpuLoop loop = Loop(EndlessOut);
            loop.Start();
            await WaitUntil(() => loop.ExitCount > 0, "the guest to run");
            var hammer = Task.Run(() =>
            {
                while (!loop.Completion.IsCompleted)
                {
                    loop.Pause();
                    loop.Stop();
                }
            });
            loop.Stop();
            Assert.False((await loop.Completion.WaitAsync(Generous)).Faulted);
            await hammer.WaitAsync(Generous);
            loop.Stop();
            loop.Pause();
        }
    }

    [KvmFact]
    public async Task Stop_WhilePaused_EndsTheLoop()
    {
        VcpuLoop loop = Loop(EndlessOut);
        loop.Start();
        await WaitUntil(() => _port.WriteCount > 0, "the guest to run");
        loop.Pause();

        loop.Stop();

        Assert.False((await loop.Completion.WaitAsync(Generous)).Faulted);
        Assert.Equal(VcpuRunState.Stopped, loop.State);
    }

    [KvmFact]
    public async Task ExitNobodyServes_FaultsTheLoopWithTheHandlersMessage()
    {
        // A MEM trap with nothing on the bus behind it.
        _guest!.SetMemoryTrap(0xD000_2000, 0x1000, key: 0xD000_2000);
        byte[] code = [0xBB, 0x00, 0x20, 0x00, 0xD0, 0x8B, 0x03, 0xF4]; // mov ebx, 0xd0002000; mov eax, [rbx]; hlt
        VcpuLoop loop = Loop(code);
        loop.Start();

        VcpuOutcome outcome = await loop.Completion.WaitAsync(Generous);

        Assert.True(outcome.Faulted);
        Assert.Equal("MMIO at 0xd0002000: no device", outcome.Error);
    }
}
