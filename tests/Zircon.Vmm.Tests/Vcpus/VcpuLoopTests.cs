using Zircon.Vmm.Bus;
using Zircon.Vmm.Vcpus;

namespace Zircon.Vmm.Tests.Vcpus;

/// <summary>The VCPU loop's life cycle where no VCPU is involved (creation fails, or it never starts).</summary>
public sealed class VcpuLoopTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static VcpuLoop LoopWhoseVcpuCannotBeCreated(Exception failure) =>
        new(() => throw failure, _ => throw new InvalidOperationException("must not run"), new AddressSpaceBus());

    [Fact]
    public void NewLoop_IsCreated() =>
        Assert.Equal(VcpuRunState.Created, LoopWhoseVcpuCannotBeCreated(new InvalidOperationException()).State);

    [Fact]
    public async Task VcpuCreationFailure_EndsTheLoopWithAOneLineFault()
    {
        VcpuLoop loop = LoopWhoseVcpuCannotBeCreated(new InvalidOperationException("no VCPU today"));

        loop.Start();
        VcpuOutcome outcome = await loop.Completion.WaitAsync(Generous);

        Assert.True(outcome.Faulted);
        Assert.Equal("InvalidOperationException: no VCPU today", outcome.Error);
        Assert.Equal(VcpuRunState.Stopped, loop.State);
    }

    [Fact]
    public async Task ZxExceptionFromVcpuCreation_IsReportedByItsMessageOnly()
    {
        VcpuLoop loop = LoopWhoseVcpuCannotBeCreated(new ZxException(ZxStatus.ErrNotSupported, "zx_vcpu_create"));

        loop.Start();
        VcpuOutcome outcome = await loop.Completion.WaitAsync(Generous);

        Assert.True(outcome.Faulted);
        Assert.Equal("zx_vcpu_create: ZX_ERR_NOT_SUPPORTED", outcome.Error);
    }

    [Fact]
    public async Task Start_Twice_Throws()
    {
        VcpuLoop loop = LoopWhoseVcpuCannotBeCreated(new InvalidOperationException());
        loop.Start();

        Assert.Throws<InvalidOperationException>(loop.Start);
        await loop.Completion.WaitAsync(Generous);
    }

    [Fact]
    public async Task Stop_BeforeStart_CompletesTheLoop()
    {
        VcpuLoop loop = LoopWhoseVcpuCannotBeCreated(new InvalidOperationException("must not be created"));

        loop.Stop();

        // Whoever waits for the loop (VirtualMachine.Dispose) must not hang on a loop that never ran.
        VcpuOutcome outcome = await loop.Completion.WaitAsync(Generous);
        Assert.False(outcome.Faulted);
        Assert.Equal(VcpuRunState.Stopped, loop.State);
        Assert.Throws<InvalidOperationException>(loop.Start);
    }

    [Fact]
    public void PauseAndContinue_BeforeStart_DoNothing()
    {
        VcpuLoop loop = LoopWhoseVcpuCannotBeCreated(new InvalidOperationException());

        loop.Pause();
        Assert.Equal(VcpuRunState.Created, loop.State);
        loop.Continue();
        Assert.Equal(VcpuRunState.Created, loop.State);
    }

    [Fact]
    public void VcpuOutcome_Factories()
    {
        Assert.Equal(new VcpuOutcome(false, null), VcpuOutcome.Stopped);
        Assert.Equal(new VcpuOutcome(true, "x"), VcpuOutcome.Fault("x"));
    }
}
