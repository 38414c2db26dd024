using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;

namespace Zircon.Native;

/// <summary>
/// NUL-terminated UTF-8 copies of every status name (<see cref="ZxStatusNames.ToZirconName"/>),
/// made once in native memory that is never freed, so <c>zx_status_get_string</c> can return
/// pointers that stay valid for the life of the process.
/// </summary>
internal static class StatusStrings
{
    private static readonly FrozenDictionary<int, nint> s_known = Build();
    private static readonly nint s_unknown = Intern(ZxStatusNames.ToZirconName((ZxStatus)int.MinValue));

    /// <summary>The interned name of <paramref name="status"/>; "(UNKNOWN)" for numbers Zircon does not define.</summary>
    public static nint Get(int status) => s_known.TryGetValue(status, out nint name) ? name : s_unknown;

    private static FrozenDictionary<int, nint> Build()
    {
        var names = new Dictionary<int, nint>();
        foreach (ZxStatus status in Enum.GetValues<ZxStatus>())
            names[(int)status] = Intern(status.ToZirconName());
        return names.ToFrozenDictionary();
    }

    private static nint Intern(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        // SAFETY: the block has length + 1 bytes; exactly that many are written; it is never freed.
        unsafe
        {
            byte* memory = (byte*)NativeMemory.Alloc((nuint)length + 1);
            Encoding.UTF8.GetBytes(text, new Span<byte>(memory, length));
            memory[length] = 0;
            return (nint)memory;
        }
    }
}
