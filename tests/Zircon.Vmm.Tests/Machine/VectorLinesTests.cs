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
        using (var lines = new VectorLines(() => vcpu, failures.Add))
        {
            lines.Prepare(0x61);
            lines.Prepare(0x61);
            lines.Prepare(0x1F);
            lines.Prepare(0xEF);
            Assert.Equal((byte[])[0x61, 0xEF], lines.BoundVectors.Order().ToArray());
            Assert.Empty(failures);
            lines.Deliver(0x61); // raises host line 0x61: no exception, no failure
            lines.Deliver(0x70); // never prepared: nothing happens
            // The line is owned while bound: a second physical interrupt on it is refused.
            Assert.Equal(ZxStatus.ErrAlreadyBound, Assert.Throws<ZxException>(() => Interrupt.CreatePhysical(Resource.Root, 0x61)).Status);
        }
        Interrupt.CreatePhysical(Resource.Root, 0x61).Dispose(); // released
    }

    [Fact]
    public void WithoutAVcpu_NothingIsBound()
    {
        using var lines = new VectorLines(() => null, _ => Assert.Fail("no failure expected"));
        lines.Prepare(0x40);
        lines.Deliver(0x40);
        Assert.Empty(lines.BoundVectors);
    }
}
