using Zircon.Linux.Kvm;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Hypervisor.Kvm;

/// <summary>
/// A host interrupt line routed into a guest. To one VCPU: an irqfd on an MSI route, so a signal
/// of the line's eventfd reaches the guest's local APIC inside the Linux kernel. To several VCPUs:
/// an eventfd feeds one irqfd and an MSI has one destination, so one host thread fans the line out
/// with KVM_SIGNAL_MSI per VCPU.
/// </summary>
internal sealed class KvmLineRoute : IDisposable
{
    private static readonly Lazy<EventFdWatcher> s_fanOutWatcher = new(() => new EventFdWatcher("zx-irq-fanout"));

    private readonly Action _undo;
    private int _disposed;

    private KvmLineRoute(Action undo) => _undo = undo;

    public static ZxStatus Direct(KvmVm vm, EventFd line, uint vcpuId, byte vector, out IDisposable? route)
    {
        route = null;
        ZxStatus status = vm.AddMsiRoute(KvmMsiMessage.Fixed(vcpuId, vector), out uint gsi);
        if (status != ZxStatus.Ok)
            return status;
        status = vm.AssignIrqFd(line, gsi);
        if (status != ZxStatus.Ok)
        {
            vm.RemoveMsiRoute(gsi);
            return status;
        }
        route = new KvmLineRoute(() =>
        {
            vm.DeassignIrqFd(line, gsi);
            vm.RemoveMsiRoute(gsi);
        });
        return ZxStatus.Ok;
    }

    public static ZxStatus FanOut(KvmVm vm, EventFd line, ReadOnlySpan<uint> vcpuIds, byte vector, out IDisposable? route)
    {
        KvmMsiMessage[] messages = new KvmMsiMessage[vcpuIds.Length];
        for (int i = 0; i < messages.Length; i++)
            messages[i] = KvmMsiMessage.Fixed(vcpuIds[i], vector);
        ulong token = s_fanOutWatcher.Value.Add(line, _ =>
        {
            foreach (KvmMsiMessage message in messages)
                vm.SignalMsi(message);
        });
        route = new KvmLineRoute(() => s_fanOutWatcher.Value.Remove(token));
        return ZxStatus.Ok;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _undo();
    }
}
