using Zircon.Kernel.Objects;
using Zircon.Kernel.Tests.Fakes;

namespace Zircon.Kernel.Tests;

/// <summary><c>zx_guest_create</c> and <c>zx_guest_set_trap</c> on the fake hypervisor.</summary>
[Collection(FakeHypervisorCollection.Name)]
public class HypervisorGuestTests : FakeHypervisorTest
{
    private const uint Bell = (uint)ZxGuestTrap.Bell, Mem = (uint)ZxGuestTrap.Mem, Io = (uint)ZxGuestTrap.Io;
    private const ulong Page = ZxPage.Size;

    private uint Resource(ZxResourceKind kind)
    {
        Assert.Equal(ZxStatus.Ok, KernelContext.Handles.Add(new ResourceDispatcher(kind, 0, 1), ZxDefaultRights.Resource, out uint handle));
        return Track(handle);
    }

    // ---- zx_guest_create ----

    [Fact]
    public void Create_NonZeroOptions_IsInvalidArgs_BeforeTheHandleIsLookedAt()
    {
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestCreate(Syscalls.GetRootResource(), 1, out uint guest, out uint vmar));
        Assert.Equal((ZxHandleValues.Invalid, ZxHandleValues.Invalid), (guest, vmar));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestCreate(Zx.ClosedHandle(), 1, out _, out _));
        Assert.Empty(Fake.Guests);
    }

    [Fact]
    public void Create_BadHandle_IsBadHandle()
    {
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.GuestCreate(Zx.ClosedHandle(), 0, out _, out _));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.GuestCreate(ZxHandleValues.Invalid, 0, out _, out _));
    }

    [Fact]
    public void Create_NotAResource_IsWrongType()
    {
        uint ev = Track(Zx.Event());
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.GuestCreate(ev, 0, out _, out _));
    }

    [Fact]
    public void Create_ResourceOfAnotherKind_IsAccessDenied()
    {
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.GuestCreate(Resource(ZxResourceKind.Irq), 0, out _, out _));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.GuestCreate(Resource(ZxResourceKind.Vmex), 0, out _, out _));
        Assert.Empty(Fake.Guests);
    }

    [Fact]
    public void Create_HypervisorResource_IsAccepted()
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestCreate(Resource(ZxResourceKind.Hypervisor), 0, out uint guest, out uint vmar));
        Track(guest);
        Track(vmar);
        Assert.Single(Fake.Guests);
    }

    [Fact]
    public void Create_BackendWithoutHypervisor_IsNotSupported_AndReturnsNoHandles()
    {
        Fake.CreateGuestStatus = ZxStatus.ErrNotSupported;
        Assert.Equal(ZxStatus.ErrNotSupported, Syscalls.GuestCreate(Syscalls.GetRootResource(), 0, out uint guest, out uint vmar));
        Assert.Equal((ZxHandleValues.Invalid, ZxHandleValues.Invalid), (guest, vmar));
    }

    [Fact]
    public void Create_ReturnsGuestAndVmarHandlesWithZirconsRights()
    {
        uint guest = CreateGuest(out uint vmar);
        ZxInfoHandleBasic g = Zx.Info(guest), v = Zx.Info(vmar);
        Assert.Equal((ZxObjectType.Guest, (ZxRights)0x2800B), (g.Type, g.Rights));
        Assert.Equal((ZxObjectType.Vmar, (ZxRights)0x801F), (v.Type, v.Rights));
        Assert.Equal(0ul, g.RelatedKoid);
    }

    [Fact]
    public void GuestVmar_MapsAVmoReadWriteExecuteAtTheGivenGuestPhysicalAddress()
    {
        CreateGuest(out uint vmar);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoCreate(4 * Page, 0, out uint vmo));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoReplaceAsExecutable(vmo, Syscalls.GetRootResource(), out vmo));
        Track(vmo);
        const uint Rwx = ZxVmOptions.PermRead | ZxVmOptions.PermWrite | ZxVmOptions.PermExecute | ZxVmOptions.Specific;
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(vmar, Rwx, 0x10_0000, vmo, 0, 4 * Page, out ulong mapped));
        Assert.Equal(0x10_0000ul, mapped);
        var slot = Assert.Single(Fake.LastGuest.Slots);
        Assert.Equal((0x10_0000ul, 4 * Page, false), (slot.GuestPhysical, slot.Length, slot.ReadOnly));
    }

    [Fact]
    public void Guest_IsDestroyedOnlyWhenTheLastHandleAndTheLastVcpuAreGone()
    {
        uint guest = CreateGuest();
        uint vcpu = CreateVcpu(guest);
        FakeGuestBackend machine = Fake.LastGuest;
        Close(guest);
        Assert.False(machine.IsDisposed); // the VCPU keeps its guest alive
        Close(vcpu);
        Assert.True(machine.IsDisposed);
        Assert.True(machine.Vcpus[0].IsDisposed);
    }

    // ---- zx_guest_set_trap ----

    [Fact]
    public void SetTrap_Bell_NeedsAPort()
    {
        uint guest = CreateGuest();
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Bell, 0x1000, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Bell, 0x1000, Page, port, 0));
    }

    [Fact]
    public void SetTrap_MemAndIo_ForbidAPort()
    {
        uint guest = CreateGuest();
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Mem, 0x1000, Page, port, 0));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, port, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, 0x1000, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 1, ZxHandleValues.Invalid, 0));
    }

    [Fact]
    public void SetTrap_BellAndMem_NeedPageAlignedAddressAndSize()
    {
        uint guest = CreateGuest();
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Mem, 0x1001, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Mem, 0x1000, Page + 1, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Bell, 0x1800, Page, port, 0));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Bell, 0x1000, 0x800, port, 0));
    }

    [Fact]
    public void SetTrap_IoNeedsNoAlignment()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x3F9, 3, ZxHandleValues.Invalid, 0));
    }

    [Fact]
    public void SetTrap_SizeZero_IsInvalidArgs_ForEveryKind()
    {
        uint guest = CreateGuest();
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Bell, 0x1000, 0, port, 0));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Mem, 0x1000, 0, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, Io, 0x10, 0, ZxHandleValues.Invalid, 0));
    }

    [Fact]
    public void SetTrap_IoPastPortFFFF_IsOutOfRange()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestSetTrap(guest, Io, 0xFFFF, 1, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestSetTrap(guest, Io, 0, 0x1_0000, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestSetTrap(guest, Io, 0x1_0000, 1, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestSetTrap(guest, Io, 0xFFF0, ulong.MaxValue - 0xF, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0xFFFE, 1, ZxHandleValues.Invalid, 0));
    }

    [Fact]
    public void SetTrap_MemOutsideTheGuestPhysicalSpace_IsOutOfRange()
    {
        uint guest = CreateGuest();
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestSetTrap(guest, Mem, 1UL << 48, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestSetTrap(guest, Mem, (1UL << 48) - Page, 2 * Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.GuestSetTrap(guest, Mem, 0xFFFF_FFFF_FFFF_F000, 2 * Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, (1UL << 48) - Page, Page, ZxHandleValues.Invalid, 0));
    }

    [Fact]
    public void SetTrap_Overlap_IsAlreadyExists_WithinOneSpace()
    {
        uint guest = CreateGuest();
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Bell, 0x1000, 2 * Page, port, 0));
        Assert.Equal(ZxStatus.ErrAlreadyExists, Syscalls.GuestSetTrap(guest, Mem, 0x2000, Page, ZxHandleValues.Invalid, 0)); // BELL and MEM share a space
        Assert.Equal(ZxStatus.ErrAlreadyExists, Syscalls.GuestSetTrap(guest, Bell, 0x0, 2 * Page, port, 0));
        Assert.Equal(ZxStatus.ErrAlreadyExists, Syscalls.GuestSetTrap(guest, Bell, 0x1000, Page, port, 1));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, 0x3000, Page, ZxHandleValues.Invalid, 0)); // adjacent
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, 0x0, Page, ZxHandleValues.Invalid, 0));   // adjacent below

        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x10, 0x10, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrAlreadyExists, Syscalls.GuestSetTrap(guest, Io, 0x1F, 1, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrAlreadyExists, Syscalls.GuestSetTrap(guest, Io, 0x8, 0x10, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x20, 1, ZxHandleValues.Invalid, 0));
    }

    [Fact]
    public void SetTrap_BellAndIoAtTheSameNumber_DoNotCollide()
    {
        uint guest = CreateGuest();
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Bell, 0x1000, Page, port, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x1000, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x0, 1, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, 0x0, Page, ZxHandleValues.Invalid, 0));
    }

    [Fact]
    public void SetTrap_UnknownKind_IsInvalidArgs()
    {
        uint guest = CreateGuest();
        uint port = Track(Zx.Port());
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, 3, 0x1000, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, 3, 0x1000, Page, port, 0));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.GuestSetTrap(guest, uint.MaxValue, 0x1000, Page, ZxHandleValues.Invalid, 0));
    }

    [Fact]
    public void SetTrap_HandleChecks()
    {
        uint guest = CreateGuest();
        uint port = Track(Zx.Port());
        uint noWrite = Track(Zx.Duplicate(guest, ZxDefaultRights.Guest & ~ZxRights.Write));
        uint portNoWrite = Track(Zx.Duplicate(port, ZxDefaultRights.Port & ~ZxRights.Write));
        uint ev = Track(Zx.Event());
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.GuestSetTrap(Zx.ClosedHandle(), Mem, 0x1000, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.GuestSetTrap(port, Mem, 0x1000, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.GuestSetTrap(noWrite, Mem, 0x1000, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.GuestSetTrap(noWrite, Bell, 0x1000, Page, port, 0));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.GuestSetTrap(guest, Bell, 0x1000, Page, portNoWrite, 0));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.GuestSetTrap(guest, Bell, 0x1000, Page, Zx.ClosedHandle(), 0));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.GuestSetTrap(guest, Bell, 0x1000, Page, ev, 0));
        // Handle checks come before argument checks.
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.GuestSetTrap(guest, Mem, 0x1001, 0, portNoWrite, 0));
    }

    [Fact]
    public void SetTrap_MemAndBell_UnmapTheTrappedRangeFromGuestMemory()
    {
        uint guest = CreateGuest(out uint vmar);
        uint port = Track(Zx.Port());
        uint vmo = Track(Zx.Vmo(16 * Page));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(vmar, ZxVmOptions.PermRead | ZxVmOptions.PermWrite | ZxVmOptions.Specific, 0, vmo, 0, 16 * Page, out _));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Mem, 4 * Page, Page, ZxHandleValues.Invalid, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Bell, 15 * Page, Page, port, 0));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, Io, 0x5000, 0x1000, ZxHandleValues.Invalid, 0)); // IO traps leave memory alone
        Assert.Equal(
            [(0ul, 4 * Page), (5 * Page, 10 * Page)],
            Fake.LastGuest.Slots.Select(s => (s.GuestPhysical, s.Length)).ToArray());
    }
}
