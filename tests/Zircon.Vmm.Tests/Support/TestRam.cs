using Zircon.Vmm.Machine;

namespace Zircon.Vmm.Tests.Support;

/// <summary>A guest with <see cref="GuestRam"/> (needs KVM: use from <see cref="KvmFactAttribute"/> tests).</summary>
internal sealed class TestRam : IDisposable
{
    private readonly Guest _guest;

    public TestRam(ulong size = 8UL << 20)
    {
        _guest = Guest.Create(Resource.Root);
        Ram = GuestRam.Create(_guest, size);
    }

    public GuestRam Ram { get; }

    public void Dispose()
    {
        Ram.Dispose();
        _guest.Dispose(); // and its physical-memory VMAR
    }
}
