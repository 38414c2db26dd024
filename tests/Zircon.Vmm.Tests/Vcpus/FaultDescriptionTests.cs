using Zircon.Vmm.Vcpus;

namespace Zircon.Vmm.Tests.Vcpus;

/// <summary>How a failed resume is told to the user: the reason and the guest RIP from ZX_INFO_VCPU_FAULT.</summary>
public class FaultDescriptionTests
{
    [Theory]
    [InlineData(ZxVcpuFaultReason.EmulationFailure, 0xFFFF_FFFF_8104_2A3BUL, "; emulation failure at guest RIP 0xffffffff81042a3b")]
    [InlineData(ZxVcpuFaultReason.TripleFault, 0x8016UL, "; triple fault at guest RIP 0x8016")]
    [InlineData(ZxVcpuFaultReason.EntryFailure, 0UL, "; VM entry failure at guest RIP 0x0")]
    [InlineData(ZxVcpuFaultReason.Other, 0x1000UL, "; unknown exit at guest RIP 0x1000")]
    [InlineData(ZxVcpuFaultReason.UnsupportedAccess, 0xFFFF_FFFF_9E26_902FUL, "; unsupported access at guest RIP 0xffffffff9e26902f")]
    [InlineData(ZxVcpuFaultReason.None, 0x1000UL, "")]
    public void TheFault_IsOneClause_NamingTheReasonAndRip(uint reason, ulong rip, string expected) =>
        Assert.Equal(expected, VcpuLoop.DescribeFault(new ZxInfoVcpuFault { Reason = reason, Rip = rip }));
}
