using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Zircon.Kernel.Hypervisor;

namespace Zircon.Kernel.Tests.Fakes;

/// <summary>
/// Every test that swaps <see cref="KernelContext.Hypervisor"/> is in this collection, so they
/// run one at a time (the hypervisor is a process-wide static). Put
/// <c>[Collection(FakeHypervisorCollection.Name)]</c> on each test class. This assembly has no
/// tests that need the real (KVM) hypervisor; such tests must not share it with these.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FakeHypervisorCollection
{
    public const string Name = "Fake hypervisor";
}

/// <summary>
/// Base of the fake-hypervisor tests: installs a fresh <see cref="FakeHypervisor"/> for each test
/// and puts the original back afterwards, and offers short helpers for guests and VCPUs.
/// </summary>
[Collection(FakeHypervisorCollection.Name)]
public abstract class FakeHypervisorTest : IDisposable
{
    private readonly IHypervisor _original;
    private readonly List<uint> _handles = new();

    protected FakeHypervisorTest()
    {
        _original = KernelContext.Hypervisor;
        // Another fake installed means two of these tests overlap: the collection is missing somewhere.
        Assert.False(_original is FakeHypervisor, "fake-hypervisor tests must not run in parallel");
        Fake = new FakeHypervisor();
        KernelContext.Hypervisor = Fake;
    }

    internal FakeHypervisor Fake { get; }

    public virtual void Dispose()
    {
        foreach (uint handle in _handles)
            Syscalls.HandleClose(handle);
        KernelContext.Hypervisor = _original;
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the handle at the end of the test (closing an already closed one is harmless).</summary>
    protected uint Track(uint handle)
    {
        _handles.Add(handle);
        return handle;
    }

    /// <summary>Closes a handle now and forgets it.</summary>
    protected void Close(uint handle)
    {
        _handles.Remove(handle);
        Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(handle));
    }

    protected uint CreateGuest() => CreateGuest(out _);

    protected uint CreateGuest(out uint vmar)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestCreate(Syscalls.GetRootResource(), 0, out uint guest, out vmar));
        Track(vmar);
        return Track(guest);
    }

    /// <summary>A VCPU on the calling thread.</summary>
    protected uint CreateVcpu(uint guest, ulong entry = 0x2000)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuCreate(guest, 0, entry, out uint vcpu));
        return Track(vcpu);
    }

    /// <summary>A guest with one VCPU on the calling thread, and that VCPU's fake backend.</summary>
    internal (uint Guest, uint Vcpu, FakeVcpuBackend Backend) CreateGuestWithVcpu()
    {
        uint guest = CreateGuest();
        uint vcpu = CreateVcpu(guest);
        return (guest, vcpu, Fake.LastGuest.Vcpus[^1]);
    }

    /// <summary>
    /// Guest memory at guest-physical 0 with identity page tables (2 MiB pages, CR3 = 0) and
    /// <paramref name="code"/> at 0x2000; returns the VCPU.
    /// </summary>
    internal (uint Guest, uint Vcpu, FakeVcpuBackend Backend) GuestWithCode(byte[] code, ulong at = 0x2000) =>
        GuestWithCode(code, out _, at);

    /// <summary>As above; <paramref name="vmo"/> is the guest memory's VMO, for changing the code later.</summary>
    internal (uint Guest, uint Vcpu, FakeVcpuBackend Backend) GuestWithCode(byte[] code, out uint vmo, ulong at = 0x2000)
    {
        uint guest = CreateGuest(out uint vmar);
        vmo = Track(Zx.Vmo(0x10000));
        var memory = new byte[0x10000];
        BinaryPrimitives.WriteUInt64LittleEndian(memory.AsSpan(0x0), 0x1000 | 0x7);   // PML4[0] -> PDPT
        BinaryPrimitives.WriteUInt64LittleEndian(memory.AsSpan(0x1000), 0x4000 | 0x7); // PDPT[0] -> PD
        for (int i = 0; i < 512; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(memory.AsSpan(0x4000 + i * 8), ((ulong)i << 21) | 0x87);
        code.CopyTo(memory, (int)at);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoWrite(vmo, memory, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(vmar, ZxVmOptions.PermRead | ZxVmOptions.PermWrite | ZxVmOptions.Specific, 0, vmo, 0, 0x10000, out _));
        uint vcpu = CreateVcpu(guest, at);
        FakeVcpuBackend backend = Fake.LastGuest.Vcpus[^1];
        backend.Control = new GuestControlState(Cr0: 0x8000_0011, Cr3: 0, Cr4: 0x20, Efer: 0x500, CodeBase: 0, CodeLong: true, CodeDefault32: false);
        return (guest, vcpu, backend);
    }

    internal static ZxStatus RunOnOtherThread(Func<ZxStatus> action)
    {
        ZxStatus status = ZxStatus.ErrInternal;
        var thread = new Thread(() => status = action());
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(20)), "the other thread did not finish");
        return status;
    }

    internal static ZxStatus Resume(uint vcpu, out ZxPortPacket packet) => Syscalls.VcpuResume(vcpu, out packet);

    internal static ZxPortPacket ResumeOk(uint vcpu)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuResume(vcpu, out ZxPortPacket packet));
        return packet;
    }

    internal static ZxStatus ReadState(uint vcpu, out ZxVcpuState state)
    {
        Span<byte> buffer = stackalloc byte[136];
        ZxStatus status = Syscalls.VcpuReadState(vcpu, (uint)ZxVcpuStateKind.State, buffer);
        state = MemoryMarshal.Read<ZxVcpuState>(buffer);
        return status;
    }

    internal static ZxStatus WriteState(uint vcpu, ZxVcpuState state)
    {
        Span<byte> buffer = stackalloc byte[136];
        MemoryMarshal.Write(buffer, in state);
        return Syscalls.VcpuWriteState(vcpu, (uint)ZxVcpuStateKind.State, buffer);
    }

    internal static ZxStatus WriteIo(uint vcpu, byte accessSize, uint data = 0)
    {
        var io = new ZxVcpuIo { AccessSize = accessSize, U32 = data };
        Span<byte> buffer = stackalloc byte[8];
        MemoryMarshal.Write(buffer, in io);
        return Syscalls.VcpuWriteState(vcpu, (uint)ZxVcpuStateKind.Io, buffer);
    }

    internal static int PendingPackets(uint port) => Zx.Object<Ports.PortDispatcher>(port).PendingCount;

    /// <summary>Takes every queued packet off the port.</summary>
    internal static List<ZxPortPacket> Drain(uint port)
    {
        var packets = new List<ZxPortPacket>();
        while (Syscalls.PortWait(port, ZxTime.InfinitePast, out ZxPortPacket packet) == ZxStatus.Ok)
            packets.Add(packet);
        return packets;
    }

    internal static void AssertNoViolations(FakeVcpuBackend backend) => Assert.Empty(backend.Violations);
}

/// <summary>A helper thread whose assertion failures are rethrown by <see cref="Join"/> instead of killing the test host.</summary>
internal sealed class TestThread
{
    private readonly Thread _thread;
    private Exception? _failure;

    private TestThread(Action body)
    {
        _thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                _failure = e;
            }
        }) { IsBackground = true };
    }

    public static TestThread Start(Action body)
    {
        var t = new TestThread(body);
        t._thread.Start();
        return t;
    }

    /// <summary>Waits for the thread (failing after <paramref name="seconds"/>) and rethrows what it threw.</summary>
    public void Join(int seconds = 20)
    {
        Assert.True(_thread.Join(TimeSpan.FromSeconds(seconds)), "a helper thread did not finish");
        if (_failure is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
    }
}
