using Zircon.Vmm.Plumbing;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Machine;

/// <summary>Guest-programmed vectors bound through zx_interrupt_bind_vcpu (needs KVM for a VCPU).</summary>
[Collection(InProcessMachineCollection.Name)]
public sealed class VectorLinesTests
{
    [KvmFact]
    public void Prepare_BindsEachVectorOnce_IgnoresVectorsBelow32_AndDisposeReleasesTheLines()
    {
        using Guest guest = Guest.Create(Resource.Root);
        using Vcpu vcpu = Vcpu.Create(guest, 0x1000);
        var failures = new List<string>();
        using (var lines = new VectorLines(() => [(0u, vcpu)], failures.Add))
        {
            lines.Prepare(0x61, 1);
            lines.Prepare(0x61, 1);
            lines.Prepare(0x1F, 1);
            lines.Prepare(0xEF, 1);
            Assert.Equal((byte[])[0x61, 0xEF], lines.BoundVectors.Order().ToArray());
            Assert.Empty(failures);
            lines.Deliver(0x61); // raises host line 0x61: no exception, no failure
            lines.Deliver(0x70); // never prepared: nothing happens
            // The line is owned while bound: a second physical interrupt on it is refused.
            Assert.Equal(ZxStatus.ErrAlreadyBound, Assert.Throws<ZxException>(() => Interrupt.CreatePhysical(Resource.Root, 0x61)).Status);
        }
        Interrupt.CreatePhysical(Resource.Root, 0x61).Dispose(); // released
    }

    [KvmFact]
    public void Targets_BindTheNamedVcpus_AProcessorStartedLaterJoins_AndRetargetingReplacesTheInterrupt()
    {
        using Guest guest = Guest.Create(Resource.Root);
        using Vcpu bsp = Vcpu.Create(guest, 0x1000);
        Vcpu? ap = null;
        var live = new List<(uint, Vcpu)> { (0u, bsp) };
        var failures = new List<string>();
        try
        {
            using var lines = new VectorLines(() => [.. live], failures.Add);
            lines.Prepare(0x62, 0b11);                 // CPUs 0 and 1; only 0 exists
            Assert.Equal(0b01UL, lines.BoundTargets(0x62));
            var thread = new Thread(() => ap = Vcpu.Create(guest, 0x8000)); // its own thread, as zx_vcpu_create wants
            thread.Start();
            thread.Join();
            live.Add((1u, ap!));
            lines.ProcessorStarted(1);
            Assert.Equal(0b11UL, lines.BoundTargets(0x62)); // bound to both VCPUs now
            lines.Prepare(0x62, 0b10);                 // the guest moves it to CPU 1 only
            Assert.Equal(0b10UL, lines.BoundTargets(0x62));
            lines.Deliver(0x62);
            Assert.Empty(failures);
        }
        finally
        {
            ap?.Dispose();
        }
    }

    [Fact]
    public void WithoutAVcpu_NothingIsBound()
    {
        using var lines = new VectorLines(() => [], _ => Assert.Fail("no failure expected"));
        lines.Prepare(0x40, 1);
        lines.Deliver(0x40);
        Assert.Empty(lines.BoundVectors);
    }
}
