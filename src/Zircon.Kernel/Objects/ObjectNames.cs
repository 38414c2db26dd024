using System.Runtime.CompilerServices;

namespace Zircon.Kernel.Objects;

/// <summary>
/// The <c>ZX_PROP_NAME</c> of every object. Kept beside the objects rather than in
/// <see cref="Dispatcher"/> because few objects are ever named: an unnamed object costs nothing,
/// and the table forgets an object when it is collected.
/// </summary>
internal static class ObjectNames
{
    private static readonly ConditionalWeakTable<Dispatcher, byte[]> s_names = new();

    /// <summary>Writes the name, NUL-padded, into the first <see cref="ZxProperty.MaxNameLength"/> bytes.</summary>
    public static void Get(Dispatcher dispatcher, Span<byte> destination)
    {
        Span<byte> target = destination[..ZxProperty.MaxNameLength];
        target.Clear();
        if (s_names.TryGetValue(dispatcher, out byte[]? name))
            name.CopyTo(target);
    }

    /// <summary>
    /// Sets the name from <paramref name="value"/>: up to its first NUL and at most
    /// ZX_MAX_NAME_LEN - 1 bytes (longer names are truncated, as Zircon does).
    /// </summary>
    public static void Set(Dispatcher dispatcher, ReadOnlySpan<byte> value)
    {
        int nul = value.IndexOf((byte)0);
        if (nul >= 0)
            value = value[..nul];
        if (value.Length > ZxProperty.MaxNameLength - 1)
            value = value[..(ZxProperty.MaxNameLength - 1)];
        s_names.AddOrUpdate(dispatcher, value.ToArray());
    }
}
