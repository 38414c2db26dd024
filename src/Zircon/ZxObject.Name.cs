using System.Text;
using Zircon.Kernel;

namespace Zircon;

/// <summary>The object's name (<c>ZX_PROP_NAME</c>).</summary>
public abstract partial class ZxObject
{
    /// <summary>
    /// <c>zx_object_get_property(ZX_PROP_NAME)</c>: the object's name, empty until set. Needs
    /// ZX_RIGHT_GET_PROPERTY (of the types here only VMOs carry it by default).
    /// </summary>
    /// <exception cref="ZxException">ACCESS_DENIED without GET_PROPERTY, BAD_HANDLE.</exception>
    public string GetName()
    {
        Span<byte> name = stackalloc byte[ZxProperty.MaxNameLength];
        ZxException.ThrowIfError(Syscalls.ObjectGetProperty(Handle, ZxProperty.Name, name), "zx_object_get_property(ZX_PROP_NAME)");
        int length = name.IndexOf((byte)0);
        return Encoding.UTF8.GetString(name[..(length < 0 ? name.Length : length)]);
    }

    /// <summary>
    /// <c>zx_object_set_property(ZX_PROP_NAME)</c>: names the object. The name is stored as UTF-8
    /// and, as Zircon does, cut to ZX_MAX_NAME_LEN - 1 (31) bytes and at a NUL character. Needs
    /// ZX_RIGHT_SET_PROPERTY.
    /// </summary>
    /// <exception cref="ZxException">ACCESS_DENIED without SET_PROPERTY, BAD_HANDLE.</exception>
    public void SetName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        ZxException.ThrowIfError(Syscalls.ObjectSetProperty(Handle, ZxProperty.Name, bytes), "zx_object_set_property(ZX_PROP_NAME)");
    }
}
