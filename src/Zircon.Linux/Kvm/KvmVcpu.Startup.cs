namespace Zircon.Linux.Kvm;

public sealed unsafe partial class KvmVcpu
{
    /// <summary>
    /// For an application processor in <see cref="KvmMpState.Uninitialized"/> (call
    /// <see cref="GetMpState"/> first; in any other state KVM_RUN would run guest code): sleeps in
    /// KVM_RUN until an INIT or STARTUP IPI reaches the VCPU's local APIC, or a <see cref="Kick"/>.
    /// KVM accepts the IPIs and returns without entering the guest (EAGAIN, or EINTR for a kick);
    /// <see cref="GetMpState"/> then tells what arrived: <see cref="KvmMpState.InitReceived"/>
    /// after an INIT, <see cref="KvmMpState.Runnable"/> with CS at the STARTUP vector after an INIT
    /// and a STARTUP. A STARTUP with no INIT before it is dropped, as on hardware.
    /// </summary>
    public ZxStatus WaitWhileUninitialized()
    {
        bool added = false;
        try
        {
            _run.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return ZxStatus.ErrBadHandle;
        }
        try
        {
            ZxStatus status = PrepareThread();
            if (status != ZxStatus.Ok)
                return status;
            status = KvmNative.IoctlRaw(_fd, KvmIoctls.KVM_RUN, 0, out _, out int errno);
            bool interrupted = status != ZxStatus.Ok && errno == KvmNative.EINTR;
            EndKickHandshake(interrupted);
            if (status == ZxStatus.Ok || errno == KvmNative.EAGAIN || interrupted)
                return ZxStatus.Ok;
            return status;
        }
        finally
        {
            _run.DangerousRelease();
        }
    }
}
