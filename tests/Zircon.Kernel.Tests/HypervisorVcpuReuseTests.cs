using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary>
/// Issue 8 item 5: VCPU ids are reused after close even though the backend (KVM, which the fake
/// models: an id once per VM, 1,024 VCPUs per VM ever) cannot create a VCPU id twice.
/// </summary>
public class HypervisorVcpuReuseTests : FakeHypervisorTest
{
    [Fact]
    public void CreateAndClose_ManyMoreTimesThanKvmCanCreate_KeepsWorking_WithTheSameId()
    {
        uint guest = CreateGuest();
        for (int cycle = 0; cycle < FakeGuestBackend.KvmMaxVcpus + 100; cycle++)
        {
            ZxStatus status = Syscalls.VcpuCreate(guest, 0, 0x2000 + (ulong)cycle, out uint vcpu);
            Assert.True(status == ZxStatus.Ok, $"cycle {cycle}: zx_vcpu_create returned {status}");
            Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(vcpu));
        }
        FakeVcpuBackend backend = Fake.LastGuest.Vcpus[^1];
        Assert.Equal(0u, backend.Id);
        Assert.Equal(1, Fake.LastGuest.CreatedVcpuCount);
        Assert.Equal(FakeGuestBackend.KvmMaxVcpus + 99, backend.Resets);
        Assert.Empty(backend.Violations);
    }

    [Fact]
    public void ARecycledVcpu_StartsInTheInitialState_OnItsNewThread()
    {
        uint guest = CreateGuest();
        uint first = CreateVcpu(guest, entry: 0x2000);
        FakeVcpuBackend backend = Fake.LastGuest.Vcpus[^1];
        backend.RawRegisters.Rax = 42;
        backend.RawRegisters.Rip = 0x9999;
        Close(first);

        uint second = 0;
        Assert.Equal(ZxStatus.Ok, RunOnOtherThread(() =>
        {
            ZxStatus status = Syscalls.VcpuCreate(guest, 0, 0x3000, out second);
            if (status == ZxStatus.Ok)
                status = ReadState(second, out ZxVcpuState state) == ZxStatus.Ok && state.Rax == 0 ? ZxStatus.Ok : ZxStatus.ErrInternal;
            return status;
        }));
        Track(second);
        Assert.Same(backend, Fake.LastGuest.Vcpus[^1]);
        Assert.Equal(0x3000ul, backend.RawRegisters.Rip);
        Assert.True(backend.Bootstrap);
        Assert.Empty(backend.Violations);
    }

    [Fact]
    public void ClosingTheGuest_DisposesRecycledVcpus()
    {
        uint guest = CreateGuest(out uint vmar);
        uint vcpu = CreateVcpu(guest);
        FakeVcpuBackend backend = Fake.LastGuest.Vcpus[^1];
        Close(vcpu);
        Assert.True(backend.IsRetired);
        Assert.False(backend.IsDisposed);
        Close(guest);
        Close(vmar);
        Assert.True(backend.IsDisposed);
        Assert.True(Fake.LastGuest.IsDisposed);
        Assert.Empty(backend.Violations);
    }
}
