using Zircon.Kernel.Hypervisor;
using Zircon.Kernel.Hypervisor.Kvm;

namespace Zircon.Kernel.Tests;

public class KvmHypervisorTests
{
    [Fact]
    public void WithoutAKvmDevice_GuestCreationIsNotSupported()
    {
        var hypervisor = new KvmHypervisor("/nonexistent/kvm");
        Assert.Equal(ZxStatus.ErrNotSupported, hypervisor.CreateGuest(out IGuestBackend? guest));
        Assert.Null(guest);
    }
}
