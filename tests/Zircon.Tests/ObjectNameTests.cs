namespace Zircon.Tests;

/// <summary><see cref="ZxObject.GetName"/> and <see cref="ZxObject.SetName"/> (ZX_PROP_NAME).</summary>
public class ObjectNameTests
{
    [Fact]
    public void Vmo_NameIsEmpty_ThenSet_ThenTruncatedTo31Bytes()
    {
        using Vmo vmo = Vmo.Create(4096);
        Assert.Equal("", vmo.GetName());
        vmo.SetName("guest-ram");
        Assert.Equal("guest-ram", vmo.GetName());
        // A duplicate handle sees the same object's name.
        using Vmo dup = vmo.Duplicate();
        Assert.Equal("guest-ram", dup.GetName());
        vmo.SetName(new string('x', 40));
        Assert.Equal(new string('x', 31), vmo.GetName());
        vmo.SetName("cut\0here");
        Assert.Equal("cut", vmo.GetName());
    }

    [Fact]
    public void Name_NeedsThePropertyRights()
    {
        using Event ev = Event.Create();
        Assert.Equal(ZxStatus.ErrAccessDenied, Assert.Throws<ZxException>(() => ev.GetName()).Status);
        Assert.Equal(ZxStatus.ErrAccessDenied, Assert.Throws<ZxException>(() => ev.SetName("e")).Status);
        using Vmo vmo = Vmo.Create(4096);
        using Vmo readOnly = vmo.Duplicate(ZxRights.GetProperty);
        Assert.Equal("", readOnly.GetName());
        Assert.Equal(ZxStatus.ErrAccessDenied, Assert.Throws<ZxException>(() => readOnly.SetName("n")).Status);
    }
}
