using Zircon.Vmm.Boot;
using Zircon.Vmm.Machine;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Machine;

/// <summary>The Linux machine built in this process on a real guest (needs KVM and Debian's kernel).</summary>
[Collection(InProcessMachineCollection.Name)]
public sealed class LinuxMachineTests
{
    [KvmFact]
    public void BuildingTheLinuxMachine_ForDebiansBzImage_Succeeds_AndTearsDown()
    {
        if (DebianKernel.Problem is { } problem)
            Assert.Fail(problem);
        var progress = new List<string>();
        var options = new MachineOptions
        {
            Linux = new LinuxGuest(LinuxKernel.Parse(DebianKernel.BzImage), [], "console=ttyS0"),
            MemoryBytes = 128UL << 20,
            Disk = new MemoryStream(new byte[1 << 20]),
            ConsoleOutput = new MemoryStream(),
            Progress = progress.Add,
        };
        using (VirtualMachine.Create(options))
        {
        }
        Assert.Contains(progress, p => p.Contains("bzImage, boot protocol 2.", StringComparison.Ordinal));
        Assert.Contains(progress, p => p.Contains("virtio-blk (IRQ 6)", StringComparison.Ordinal));
        Assert.Contains(progress, p => p.Contains("unassigned port ranges", StringComparison.Ordinal));
    }
}
