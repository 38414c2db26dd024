using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary>
/// Project extensions for multi-processor guests (<c>zircon/syscalls.h</c>): the processors a
/// guest's machine has, so the guest's INIT/STARTUP IPIs come back from <c>zx_vcpu_resume</c> as
/// STARTUP packets (docs/decisions.md, "Multi-processor guests").
/// </summary>
public static class ProcessorExports
{
    /// <summary><c>zx_status_t zx_guest_declare_processors(zx_handle_t guest, uint32_t count)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_guest_declare_processors")]
    public static int GuestDeclareProcessors(uint guest, uint count)
    {
        try
        {
            return (int)Syscalls.GuestDeclareProcessors(guest, count);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_guest_declare_processors");
        }
    }

    // SAFETY: `max` is only written through UserMemory.
    /// <summary><c>zx_status_t zx_guest_max_processors(zx_handle_t guest, uint32_t* max)</c>; a bad pointer is ZX_ERR_INVALID_ARGS.</summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_guest_max_processors")]
    public static unsafe int GuestMaxProcessors(uint guest, uint* max)
    {
        try
        {
            ZxStatus status = Syscalls.GuestMaxProcessors(guest, out uint value);
            if (status != ZxStatus.Ok)
                return (int)status;
            return max != null && UserMemory.TryWrite(max, value) ? ExportStatus.Ok : ExportStatus.InvalidArgs;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_guest_max_processors");
        }
    }
}
