using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

// The exports stage caller data in stackalloc'd buffers that are always written before they are
// read; zeroing them first would be pure cost on the hot paths.
[module: SkipLocalsInit]

namespace Zircon.Native;

/// <summary>
/// Every access to memory a C caller passed to an export: Zircon's user copies. A pointer that is
/// outside the user half of the address space, unmapped, PROT_NONE, or read-only where the call
/// writes makes the access fail (false), which the export reports as ZX_ERR_INVALID_ARGS as
/// Zircon does, instead of crashing the process.
/// </summary>
/// <remarks>
/// The copies run in a routine of native/usercopy (linked into libzircon.so) whose one memory
/// instruction is known to a SIGSEGV/SIGBUS handler: a fault there returns -1 from the routine;
/// any other fault goes on to the handler installed before (the .NET runtime's). A good pointer
/// costs the copy and nothing else: no system call, no lookup of the address space.
/// </remarks>
internal static unsafe partial class UserMemory
{
    /// <summary>The first address above user space on x86-64 (47-bit user half); kernel addresses start above.</summary>
    private const ulong UserTop = 0x0000_8000_0000_0000;

    /// <summary>
    /// Installs the fault handlers when the runtime starts this library, before any export runs
    /// (a static constructor would instead add an initialisation check to every copy).
    /// </summary>
#pragma warning disable CA2255 // a module initializer is exactly right here: process-wide, once, before any export
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void InstallFaultHandlers() => FaultsRecovered = NativeMethods.Init() > 0;

    /// <summary>Whether faults inside user copies are recovered (false on architectures without the routine).</summary>
    public static bool FaultsRecovered { get; private set; }

    /// <summary>Whether [<paramref name="address"/>, +<paramref name="length"/>) lies in the user half, without wrapping.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InUserRange(void* address, nuint length) =>
        (ulong)address < UserTop && (ulong)length <= UserTop - (ulong)address;

    /// <summary>Reads a <typeparamref name="T"/> from caller memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead<T>(T* user, out T value) where T : unmanaged
    {
        Unsafe.SkipInit(out value);
        if (!InUserRange(user, (nuint)sizeof(T)))
            return false;
        fixed (T* local = &value)
            return NativeMethods.Copy(local, user, (nuint)sizeof(T)) == 0;
    }

    /// <summary>Writes <paramref name="value"/> to caller memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryWrite<T>(T* user, T value) where T : unmanaged
    {
        if (!InUserRange(user, (nuint)sizeof(T)))
            return false;
        return NativeMethods.Copy(user, &value, (nuint)sizeof(T)) == 0;
    }

    /// <summary>Copies caller memory into <paramref name="destination"/>.</summary>
    public static bool TryReadBytes(byte* user, Span<byte> destination)
    {
        if (destination.IsEmpty)
            return true;
        if (!InUserRange(user, (nuint)destination.Length))
            return false;
        fixed (byte* local = destination)
            return NativeMethods.Copy(local, user, (nuint)destination.Length) == 0;
    }

    /// <summary>Copies <paramref name="source"/> into caller memory.</summary>
    public static bool TryWriteBytes(byte* user, ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
            return true;
        if (!InUserRange(user, (nuint)source.Length))
            return false;
        fixed (byte* local = source)
            return NativeMethods.Copy(user, local, (nuint)source.Length) == 0;
    }

    /// <summary>
    /// Whether caller memory takes writes, checked without changing it: done before a call that
    /// consumes something (a port packet, a VCPU exit, an interrupt) so that a bad output pointer
    /// is refused before anything is lost.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool CanWrite(void* user, nuint length) =>
        InUserRange(user, length) && NativeMethods.ProbeWrite(user, length) == 0;

    private static partial class NativeMethods
    {
        // Statically linked (DirectPInvoke); short, non-blocking leaf routines, so no GC transition.
        [LibraryImport("zircon_usercopy", EntryPoint = "zxn_user_copy")]
        [SuppressGCTransition]
        public static partial int Copy(void* destination, void* source, nuint length);

        [LibraryImport("zircon_usercopy", EntryPoint = "zxn_user_probe_write")]
        [SuppressGCTransition]
        public static partial int ProbeWrite(void* address, nuint length);

        [LibraryImport("zircon_usercopy", EntryPoint = "zxn_user_copy_init")]
        public static partial int Init();
    }
}
