using System.Runtime.InteropServices;
using Zircon.Linux.Libc;

namespace Zircon.Kernel.Tests;

public class MemoryTests
{
    private const ulong Page = 4096;

    [Fact]
    public void VmoCreate_RoundsUpToAPage_AndIsZeroFilled()
    {
        uint vmo = Zx.Vmo(100);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoGetSize(vmo, out ulong size));
        Assert.Equal(Page, size);
        var buffer = new byte[Page];
        buffer.AsSpan().Fill(0xFF);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoRead(vmo, buffer, 0));
        Assert.All(buffer, b => Assert.Equal(0, b));
        Zx.Close(vmo);
    }

    [Fact]
    public void VmoCreate_Errors()
    {
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmoCreate(Page, 1, out _));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.VmoCreate(ulong.MaxValue, 0, out _));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoCreate(0, ZxVmoOptions.Resizable, out uint empty));
        Zx.Close(empty);
    }

    [Fact]
    public void VmoWrite_ThenRead_RoundTrips_AtAnOffset()
    {
        uint vmo = Zx.Vmo(3 * Page);
        byte[] data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoWrite(vmo, data, 1000));
        var back = new byte[5000];
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoRead(vmo, back, 1000));
        Assert.Equal(data, back);
        Zx.Close(vmo);
    }

    [Fact]
    public void VmoReadWrite_OutOfRange_AndRights()
    {
        uint vmo = Zx.Vmo(Page);
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.VmoRead(vmo, new byte[2], Page - 1));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.VmoWrite(vmo, new byte[1], Page));
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.VmoRead(vmo, new byte[1], ulong.MaxValue));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoRead(vmo, [], Page));
        uint readOnly = Zx.Duplicate(vmo, ZxRights.Read);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VmoWrite(readOnly, new byte[1], 0));
        uint writeOnly = Zx.Duplicate(vmo, ZxRights.Write);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VmoRead(writeOnly, new byte[1], 0));
        uint ev = Zx.Event();
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.VmoRead(ev, new byte[1], 0));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.VmoGetSize(ev, out _));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.VmoGetSize(Zx.ClosedHandle(), out _));
        Zx.Close(vmo, readOnly, writeOnly, ev);
    }

    [Fact]
    public void ReplaceAsExecutable_AddsExecute_AndConsumesTheVmo()
    {
        uint vmo = Zx.Vmo(Page);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoReplaceAsExecutable(vmo, Syscalls.GetRootResource(), out uint exec));
        Assert.Equal(ZxDefaultRights.Vmo | ZxRights.Execute, Zx.Info(exec).Rights);
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.HandleClose(vmo));
        Zx.Close(exec);
    }

    [Fact]
    public void ReplaceAsExecutable_WrongResource_IsAccessDenied_AndStillConsumes()
    {
        uint vmo = Zx.Vmo(Page);
        var irqResource = new Objects.ResourceDispatcher(ZxResourceKind.Irq, 0, 1);
        Assert.Equal(ZxStatus.Ok, KernelContext.Handles.Add(irqResource, irqResource.DefaultRights, out uint wrong));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VmoReplaceAsExecutable(vmo, wrong, out _));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.HandleClose(vmo));
        Zx.Close(wrong);
    }

    [Fact]
    public void RootVmar_MapsTheVmoIntoThisProcess_SharingItsPages()
    {
        uint vmo = Zx.Vmo(2 * Page);
        uint root = Syscalls.VmarRootSelf();
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(root, ZxVmOptions.PermRead | ZxVmOptions.PermWrite, 0, vmo, 0, 2 * Page, out ulong addr));
        Assert.Equal(0ul, addr % Page);
        Span<byte> mapped = HostMappings.AsSpan(addr, (int)(2 * Page));
        mapped[5000] = 0x5A;
        var one = new byte[1];
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoRead(vmo, one, 5000));
        Assert.Equal(0x5A, one[0]);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoWrite(vmo, new byte[] { 0xC3 }, 10));
        Assert.Equal(0xC3, mapped[10]);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarUnmap(root, addr, 2 * Page));
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.VmarUnmap(root, addr, 2 * Page));
        Zx.Close(vmo);
    }

    [Fact]
    public void RootVmar_MappingOutlivesTheVmoHandle()
    {
        uint vmo = Zx.Vmo(Page);
        uint root = Syscalls.VmarRootSelf();
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(root, ZxVmOptions.PermRead | ZxVmOptions.PermWrite, 0, vmo, 0, Page, out ulong addr));
        Zx.Close(vmo);
        HostMappings.AsSpan(addr, (int)Page)[0] = 1;
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarUnmap(root, addr, Page));
    }

    [Fact]
    public void RootVmar_PartialUnmap_KeepsTheRest()
    {
        uint vmo = Zx.Vmo(3 * Page);
        uint root = Syscalls.VmarRootSelf();
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(root, ZxVmOptions.PermRead | ZxVmOptions.PermWrite, 0, vmo, 0, 3 * Page, out ulong addr));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarUnmap(root, addr + Page, Page));
        HostMappings.AsSpan(addr + 2 * Page, 1)[0] = 7;
        var one = new byte[1];
        Syscalls.VmoRead(vmo, one, 2 * Page);
        Assert.Equal(7, one[0]);
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.VmarUnmap(root, addr + Page, Page));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarUnmap(root, addr, 3 * Page));
        Zx.Close(vmo);
    }

    [Fact]
    public void RootVmar_Specific_MapsAtTheOffset_AndOverlapIsNoMemory()
    {
        uint vmo = Zx.Vmo(Page);
        uint vmo3 = Zx.Vmo(3 * Page);
        uint root = Syscalls.VmarRootSelf();
        Span<byte> infoBytes = stackalloc byte[16];
        Assert.Equal(ZxStatus.Ok, Syscalls.ObjectGetInfo(root, ZxInfoTopic.Vmar, infoBytes, out _, out _));
        ZxInfoVmar info = MemoryMarshal.Read<ZxInfoVmar>(infoBytes);
        // Make a one-page hole between two of our own mappings, then ask for it specifically. Other
        // tests of this process map memory in parallel and may take the hole first (then the
        // answer is rightly NO_MEMORY): try again with a new hole.
        uint opts = ZxVmOptions.PermRead | ZxVmOptions.Specific;
        ulong span = 0, free = 0, offset = 0, addr = 0;
        ZxStatus mapped = ZxStatus.ErrNoMemory;
        for (int attempt = 0; attempt < 20 && mapped == ZxStatus.ErrNoMemory; attempt++)
        {
            if (attempt > 0)
                Assert.Equal(ZxStatus.Ok, Syscalls.VmarUnmap(root, span, 3 * Page));
            Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(root, ZxVmOptions.PermRead, 0, vmo3, 0, 3 * Page, out span));
            free = span + Page;
            Assert.Equal(ZxStatus.Ok, Syscalls.VmarUnmap(root, free, Page));
            offset = free - info.Base;
            mapped = Syscalls.VmarMap(root, opts, offset, vmo, 0, Page, out addr);
        }
        Assert.Equal(ZxStatus.Ok, mapped);
        Assert.Equal(free, addr);
        Assert.Equal(ZxStatus.ErrNoMemory, Syscalls.VmarMap(root, opts, offset, vmo, 0, Page, out _));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(root, opts | ZxVmOptions.SpecificOverwrite, offset, vmo, 0, Page, out _));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarUnmap(root, span, 3 * Page));
        Zx.Close(vmo, vmo3);
    }

    [Fact]
    public void RootVmar_Specific_OnMemoryItDidNotMap_IsNoMemory()
    {
        // The runtime's own memory (this array) must never be replaced through the VMAR.
        uint vmo = Zx.Vmo(Page);
        uint root = Syscalls.VmarRootSelf();
        byte[] mine = GC.AllocateArray<byte>(64 * 1024, pinned: true);
        ulong inside = ((ulong)Marshal.UnsafeAddrOfPinnedArrayElement(mine, 0) + Page) & ~(Page - 1);
        Span<byte> infoBytes = stackalloc byte[16];
        Syscalls.ObjectGetInfo(root, ZxInfoTopic.Vmar, infoBytes, out _, out _);
        ulong offset = inside - MemoryMarshal.Read<ZxInfoVmar>(infoBytes).Base;
        Assert.Equal(ZxStatus.ErrNoMemory, Syscalls.VmarMap(root, ZxVmOptions.PermRead | ZxVmOptions.Specific, offset, vmo, 0, Page, out _));
        Zx.Close(vmo);
    }

    [Fact]
    public void RootVmar_Alignment_IsHonoured()
    {
        uint vmo = Zx.Vmo(Page);
        uint root = Syscalls.VmarRootSelf();
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(root, ZxVmOptions.PermRead | ZxVmOptions.Align2Mb, 0, vmo, 0, Page, out ulong addr));
        Assert.Equal(0ul, addr % (2 << 20));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarUnmap(root, addr, Page));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarMap(root, ZxVmOptions.PermRead | (9u << ZxVmOptions.AlignBase), 0, vmo, 0, Page, out _));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarMap(root, ZxVmOptions.PermRead | (33u << ZxVmOptions.AlignBase), 0, vmo, 0, Page, out _));
        Zx.Close(vmo);
    }

    [Fact]
    public void VmarMap_ArgumentErrors()
    {
        uint vmo = Zx.Vmo(2 * Page);
        uint root = Syscalls.VmarRootSelf();
        uint r = ZxVmOptions.PermRead;
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarMap(root, ZxVmOptions.PermWrite, 0, vmo, 0, Page, out _));   // write without read
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarMap(root, r, Page, vmo, 0, Page, out _));                    // offset without SPECIFIC
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarMap(root, r, 0, vmo, 0, 0, out _));                          // zero length
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarMap(root, r, 0, vmo, 1, Page, out _));                       // unaligned vmo offset
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarMap(root, r, 0, vmo, 0, 100, out _));                        // unaligned length
        Assert.Equal(ZxStatus.ErrOutOfRange, Syscalls.VmarMap(root, r, 0, vmo, Page, 2 * Page, out _));                 // past the VMO
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarMap(root, r | ZxVmOptions.Specific, 1UL << 50, vmo, 0, Page, out _)); // outside the VMAR
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarMap(root, r | ZxVmOptions.CanMapRead, 0, vmo, 0, Page, out _));
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VmarMap(root, r | ZxVmOptions.PermExecute, 0, vmo, 0, Page, out _)); // VMO lacks EXECUTE
        uint noMap = Zx.Duplicate(vmo, ZxRights.Read | ZxRights.Write);
        Assert.Equal(ZxStatus.ErrAccessDenied, Syscalls.VmarMap(root, r, 0, noMap, 0, Page, out _));
        uint ev = Zx.Event();
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.VmarMap(ev, r, 0, vmo, 0, Page, out _));
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.VmarMap(root, r, 0, ev, 0, Page, out _));
        Assert.Equal(ZxStatus.ErrBadHandle, Syscalls.VmarMap(Zx.ClosedHandle(), r, 0, vmo, 0, Page, out _));
        Zx.Close(vmo, noMap, ev);
    }

    [Fact]
    public void VmarMap_Execute_WorksOnAnExecutableVmo()
    {
        uint vmo = Zx.Vmo(Page);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoReplaceAsExecutable(vmo, Syscalls.GetRootResource(), out uint exec));
        uint root = Syscalls.VmarRootSelf();
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(root, ZxVmOptions.PermRead | ZxVmOptions.PermExecute, 0, exec, 0, Page, out ulong addr));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarUnmap(root, addr, Page));
        Zx.Close(exec);
    }

    [Fact]
    public void VmarUnmap_ArgumentErrors()
    {
        uint root = Syscalls.VmarRootSelf();
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarUnmap(root, 0x2000_0001, Page));
        Assert.Equal(ZxStatus.ErrInvalidArgs, Syscalls.VmarUnmap(root, 0x2000_0000, 0));
        Assert.Equal(ZxStatus.ErrNotFound, Syscalls.VmarUnmap(root, 0x7000_0000_0000, Page));
        uint ev = Zx.Event();
        Assert.Equal(ZxStatus.ErrWrongType, Syscalls.VmarUnmap(ev, 0x2000_0000, Page));
        Zx.Close(ev);
    }
}
