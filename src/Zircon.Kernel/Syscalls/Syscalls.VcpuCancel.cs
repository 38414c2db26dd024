using Zircon.Kernel.Hypervisor;

namespace Zircon.Kernel;

public static partial class Syscalls
{
    /// <summary>
    /// Not a Zircon call: drops a <c>zx_vcpu_kick</c> that no resume has consumed yet. The .NET
    /// API's cancelable resume kicks when its token fires; if the resume had already returned an
    /// exit, that kick must not make the next resume fail with CANCELED. Needs EXECUTE, as the kick.
    /// </summary>
    internal static ZxStatus VcpuWithdrawKick(uint vcpu)
    {
        ZxStatus status = Handles.Get(vcpu, ZxRights.Execute, out VcpuDispatcher dispatcher);
        if (status != ZxStatus.Ok)
            return status;
        dispatcher.WithdrawKick();
        return ZxStatus.Ok;
    }
}
