namespace Zircon.Tests;

public class VmoVmarTests
{
    private const ulong Page = ZxPage.Size;

    [Fact]
    public void Create_RoundsTheSizeUpToWholePages()
    {
        using var vmo = Vmo.Create(100);
        Assert.Equal(Page, vmo.Size);
        Assert.Equal(ZxDefaultRights.Vmo, vmo.Rights);
    }

    [Fact]
    public void Write_ThenRead_RoundTrips()
    {
        using var vmo = Vmo.Create(2 * Page);
        byte[] data = [1, 2, 3, 4, 5, 6, 7, 8];

        vmo.Write(data, Page - 4); // straddles the page boundary
        var back = new byte[data.Length];
        vmo.Read(back, Page - 4);

        Assert.Equal(data, back);
    }

    [Fact]
    public void Read_OfANewVmo_IsZero()
    {
        using var vmo = Vmo.Create(Page);
        var buffer = new byte[64];
        Array.Fill(buffer, (byte)0xFF);
        vmo.Read(buffer, 0);
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Read_PastTheEnd_ThrowsOutOfRange()
    {
        using var vmo = Vmo.Create(Page);
        var e = Assert.Throws<ZxException>(() => vmo.Read(new byte[16], Page - 8));
        Assert.Equal(ZxStatus.ErrOutOfRange, e.Status);
    }

    [Fact]
    public void Write_WithoutWriteRight_ThrowsAccessDenied()
    {
        using var vmo = Vmo.Create(Page);
        using Vmo readOnly = vmo.Duplicate(ZxRights.Read);
        Assert.Equal(ZxStatus.ErrAccessDenied, Assert.Throws<ZxException>(() => readOnly.Write([1], 0)).Status);
    }

    [Fact]
    public void Vmo_IsWaitableWithUserSignals()
    {
        using var vmo = Vmo.Create(Page);
        vmo.Signal(ZxSignals.None, ZxSignals.User4);
        ZxSignals observed = vmo.WaitOne(ZxSignals.User4, ZxTime.InfinitePast);
        Assert.Equal(ZxSignals.User4 | ZxSignals.VmoZeroChildren, observed);
    }

    [Fact]
    public void ReplaceAsExecutable_AddsTheExecuteRightAndConsumesTheOriginal()
    {
        var vmo = Vmo.Create(Page);
        uint raw = vmo.Handle;
        ulong koid = vmo.Koid;

        using Vmo executable = vmo.ReplaceAsExecutable(Resource.Root);

        Assert.False(vmo.IsValid);
        Assert.Equal(ZxStatus.ErrBadHandle, TestSupport.RawHandleStatus(raw));
        Assert.Equal(koid, executable.Koid);
        Assert.Equal(ZxDefaultRights.Vmo | ZxRights.Execute, executable.Rights);
    }

    [Fact]
    public void Map_ThenUnmap_InTheRootVmar()
    {
        using var vmo = Vmo.Create(2 * Page);
        ulong address = Vmar.Root.Map(VmOptions.ReadWrite, 0, vmo, 0, 2 * Page);

        Assert.NotEqual(0ul, address);
        Assert.Equal(0ul, address % Page);
        Vmar.Root.Unmap(address, 2 * Page);
        Assert.Equal(ZxStatus.ErrNotFound, Assert.Throws<ZxException>(() => Vmar.Root.Unmap(address, 2 * Page)).Status);
    }

    [Fact]
    public void Map_WriteWithoutRead_ThrowsInvalidArgs()
    {
        using var vmo = Vmo.Create(Page);
        var e = Assert.Throws<ZxException>(() => Vmar.Root.Map(VmOptions.PermWrite, 0, vmo, 0, Page));
        Assert.Equal(ZxStatus.ErrInvalidArgs, e.Status);
    }

    [Fact]
    public void Mapping_InTheRootVmar_SharesItsBytesWithTheVmo()
    {
        using var vmo = Vmo.Create(Page);
        vmo.Write("written through the handle"u8, 0);

        using VmoMapping mapping = Vmar.Root.CreateMapping(vmo, 0, Page);

        Assert.True(mapping.ReadOnlySpan[..26].SequenceEqual("written through the handle"u8));
        "written through the mapping"u8.CopyTo(mapping.Span[100..]);
        var back = new byte[27];
        vmo.Read(back, 100);
        Assert.Equal("written through the mapping"u8.ToArray(), back);
    }

    [Fact]
    public void Mapping_Dispose_UnmapsOnce()
    {
        using var vmo = Vmo.Create(Page);
        VmoMapping mapping = Vmar.Root.CreateMapping(vmo, 0, Page);

        mapping.Dispose();
        mapping.Dispose();

        Assert.False(mapping.IsMapped);
        Assert.Throws<ObjectDisposedException>(() => mapping.Span.Length);
        Assert.Equal(ZxStatus.ErrNotFound, Assert.Throws<ZxException>(() => Vmar.Root.Unmap(mapping.Address, Page)).Status);
    }

    [Fact]
    public void Mapping_ReadOnly_HasNoWritableSpan()
    {
        using var vmo = Vmo.Create(Page);
        using VmoMapping mapping = Vmar.Root.CreateMapping(vmo, 0, Page, VmOptions.PermRead);
        Assert.Equal((int)Page, mapping.ReadOnlySpan.Length);
        Assert.Throws<InvalidOperationException>(() => mapping.Span.Length);
    }

    [Fact]
    public void RootVmar_IsProcessOwned_AndDescribesTheAddressSpace()
    {
        Vmar root = Vmar.Root;
        root.Dispose();

        Assert.False(root.OwnsHandle);
        Assert.Equal(ZxStatus.Ok, TestSupport.RawHandleStatus(root.Handle));
        Assert.True(root.IsProcessAddressSpace);
        ZxInfoVmar info = root.GetInfo();
        Assert.True(info.Len > 0);

        using var vmo = Vmo.Create(Page);
        using VmoMapping mapping = root.CreateMapping(vmo, 0, Page);
        Assert.InRange(mapping.Address, info.Base, info.Base + info.Len - Page);
    }

    [Fact]
    public void RootVmar_Duplicate_IsAnOwnedHandleToTheSameAddressSpace()
    {
        using Vmar copy = Vmar.Root.Duplicate();
        Assert.True(copy.OwnsHandle);
        Assert.True(copy.IsProcessAddressSpace);
        Assert.NotEqual(Vmar.Root.Handle, copy.Handle);
    }
}
