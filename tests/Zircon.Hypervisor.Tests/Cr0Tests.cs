namespace Zircon.Hypervisor.Tests;

/// <summary>CR0 as Zircon's vcpu_write_cr0 and vcpu_write_invalid_cr0 tests check it.</summary>
public class Cr0Tests
{
    private const ulong Ne = 0x20, Nw = 0x2000_0000, Cd = 0x4000_0000;

    [HypervisorFact]
    public void InitialCr0_HasCdButNotNeOrNw_AndAWriteClearingCdSettingNe_ReadsBack()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rax, cr0);
            a.mov(rbx, rax);                 // initial value
            a.mov(rcx, ~(Cd | Nw));
            a.and(rax, rcx);
            a.or(rax, (int)Ne);
            a.mov(cr0, rax);
            a.mov(rax, cr0);                 // what the guest reads after its write
            TestGuest.Exit(a);
        });
        g.ResumeToExit();
        ZxVcpuState s = g.ReadState();
        Assert.Equal(Cd, s.Rbx & (Ne | Nw | Cd));
        Assert.Equal(Ne, s.Rax & (Ne | Nw | Cd));
    }

    [HypervisorFact]
    public void WritingCr0WithNwButNotCd_RaisesGeneralProtection_AndTheWriteIsDiscarded()
    {
        using var g = TestGuest.Create(a =>
        {
            TestGuest.LoadDescriptorTables(a);
            a.mov(rax, cr0);
            a.mov(rcx, ~Cd);
            a.and(rax, rcx);
            a.mov(rcx, Nw);
            a.or(rax, rcx);
            a.mov(cr0, rax);                 // CD=0, NW=1: #GP
            a.mov(eax, 0x99);                // not reached
            TestGuest.Exit(a);
        });
        g.WriteDescriptorTables(TestGuest.HandlerBase);
        g.WriteVectorHandlers(TestGuest.HandlerBase);
        g.ResumeToExit();
        Assert.Equal(13ul, g.ReadState().Rax);
    }
}
