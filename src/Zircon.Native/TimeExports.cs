using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary>Clock, sleep, resource and status-string calls.</summary>
public static class TimeExports
{
    /// <summary><c>zx_time_t zx_clock_get_monotonic(void)</c>: nanoseconds on CLOCK_MONOTONIC.</summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_clock_get_monotonic")]
    public static long ClockGetMonotonic()
    {
        try
        {
            return Syscalls.ClockGetMonotonic();
        }
        catch (Exception e)
        {
            ExportStatus.FromException(e, "zx_clock_get_monotonic");
            return 0;
        }
    }

    /// <summary><c>zx_time_t zx_deadline_after(zx_duration_t nanoseconds)</c>: saturates at ZX_TIME_INFINITE.</summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_deadline_after")]
    public static long DeadlineAfter(long nanoseconds)
    {
        try
        {
            return Syscalls.DeadlineAfter(nanoseconds);
        }
        catch (Exception e)
        {
            ExportStatus.FromException(e, "zx_deadline_after");
            return nanoseconds > 0 ? ZxTime.Infinite : 0;
        }
    }

    /// <summary><c>zx_status_t zx_nanosleep(zx_time_t deadline)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_nanosleep")]
    public static int Nanosleep(long deadline)
    {
        try
        {
            return (int)Syscalls.Nanosleep(deadline);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_nanosleep");
        }
    }

    /// <summary>
    /// <c>zx_handle_t get_root_resource(void)</c> (<c>zircon/process.h</c>): the process's root resource,
    /// the same handle on every call; ZX_HANDLE_INVALID if the kernel failed.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "get_root_resource")]
    public static uint GetRootResource()
    {
        try
        {
            return Syscalls.GetRootResource();
        }
        catch (Exception e)
        {
            ExportStatus.FromException(e, "get_root_resource");
            return ZxHandleValues.Invalid;
        }
    }

    // SAFETY: returns a pointer to a never-freed, NUL-terminated string in StatusStrings; C only reads it.
    /// <summary>
    /// <c>const char* zx_status_get_string(zx_status_t status)</c>: Zircon's name of the status, or
    /// "(UNKNOWN)". The string is static and must not be freed.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_status_get_string")]
    public static unsafe byte* StatusGetString(int status)
    {
        try
        {
            return (byte*)StatusStrings.Get(status);
        }
        catch (Exception e)
        {
            ExportStatus.FromException(e, "zx_status_get_string");
            return null;
        }
    }
}
