using Zircon.Linux.Kvm;

namespace Zircon.Kernel.Hypervisor.Kvm;

/// <summary>
/// An application processor parked in KVM while no Zircon VCPU uses it: its in-kernel local APIC
/// receives the guest's INIT and STARTUP IPIs, and one host thread watches it without ever entering
/// the guest. KVM_RUN on an UNINITIALIZED VCPU sleeps until an IPI arrives and returns without
/// guest code; after an INIT the VCPU waits for its STARTUP (INIT_RECEIVED, polled, since KVM_RUN
/// would then run the guest); a STARTUP moves it to RUNNABLE with CS at the vector, which is the
/// entry reported, and the VCPU is put back to UNINITIALIZED for the next INIT. This is how the
/// kernel turns KVM's in-kernel INIT/SIPI into Zircon's STARTUP packets (docs/decisions.md).
/// </summary>
internal sealed class KvmApParking
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(0.2), LastPoll = TimeSpan.FromMilliseconds(20);

    private readonly KvmVcpu _vcpu;
    private readonly Action<ulong> _startup;
    private readonly Thread _thread;
    private volatile bool _stopping;

    private KvmApParking(KvmVcpu vcpu, Action<ulong> startup)
    {
        _vcpu = vcpu;
        _startup = startup;
        _thread = new Thread(Watch) { Name = $"zx-ap{vcpu.Id}-parked", IsBackground = true };
    }

    /// <summary>Parks <paramref name="vcpu"/> (UNINITIALIZED, edits dropped) and starts watching it.</summary>
    public static ZxStatus Start(KvmVcpu vcpu, Action<ulong> startup, out KvmApParking? parking)
    {
        parking = null;
        vcpu.DiscardEdits(KvmRegisterSets.All);
        vcpu.RequestInterruptWindow = false;
        ZxStatus status = vcpu.SetMpState(KvmMpState.Uninitialized);
        if (status != ZxStatus.Ok)
            return status;
        parking = new KvmApParking(vcpu, startup);
        parking._thread.Start();
        return ZxStatus.Ok;
    }

    /// <summary>Stops watching and waits for the thread; the VCPU is left UNINITIALIZED. Not from the callback.</summary>
    public void Stop()
    {
        _stopping = true;
        _vcpu.Kick();
        _thread.Join();
        _vcpu.SetMpState(KvmMpState.Uninitialized);
    }

    private void Watch()
    {
        TimeSpan poll = FirstPoll;
        try
        {
            while (!_stopping)
            {
                if (_vcpu.GetMpState(out KvmMpState state) != ZxStatus.Ok)
                    return;
                switch (state)
                {
                    case KvmMpState.Uninitialized:
                        poll = FirstPoll;
                        if (_vcpu.WaitWhileUninitialized() != ZxStatus.Ok)
                            return;
                        break;
                    case KvmMpState.InitReceived:
                        // KVM_RUN would sleep until the STARTUP and then enter the guest: poll instead.
                        Thread.Sleep(poll);
                        poll = poll * 2 < LastPoll ? poll * 2 : LastPoll;
                        break;
                    case KvmMpState.Runnable:
                        if (_vcpu.Refresh(KvmRegisterSets.Sregs) != ZxStatus.Ok)
                            return;
                        ulong entry = _vcpu.Sregs.cs.@base;
                        if (_vcpu.SetMpState(KvmMpState.Uninitialized) != ZxStatus.Ok)
                            return;
                        _startup(entry);
                        break;
                    default:
                        _vcpu.SetMpState(KvmMpState.Uninitialized);
                        break;
                }
            }
        }
        catch (Exception)
        {
            // A host thread of ours lets no exception escape; a failed watch only means no STARTUP.
        }
    }
}
