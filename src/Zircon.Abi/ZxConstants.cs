namespace Zircon;

/// <summary>Handle values and other scalar constants of <c>zircon/types.h</c>.</summary>
public static class ZxHandleValues
{
    public const uint Invalid = 0;

    /// <summary>Every valid handle value has these low bits set.</summary>
    public const uint FixedBitsMask = 0x3;
}

/// <summary>Koid constants.</summary>
public static class ZxKoid
{
    public const ulong Invalid = 0;
    public const ulong Kernel = 1;
    public const ulong First = 1024;
}

/// <summary>Time constants (<c>zircon/time.h</c>). Times and durations are nanoseconds.</summary>
public static class ZxTime
{
    public const long Infinite = long.MaxValue;
    public const long InfinitePast = long.MinValue;
}

/// <summary><c>zx_port_create</c> options.</summary>
public static class ZxPortOptions
{
    public const uint BindToInterrupt = 0x1;
}

/// <summary><c>zx_object_wait_async</c> options.</summary>
public static class ZxWaitAsyncOptions
{
    public const uint Once = 0;
    public const uint Timestamp = 1;
}

/// <summary><c>zx_interrupt_create</c> / <c>zx_interrupt_bind</c> options.</summary>
public static class ZxInterruptOptions
{
    public const uint RemapIrq = 0x1;
    public const uint ModeDefault = 0u << 1;
    public const uint ModeEdgeLow = 1u << 1;
    public const uint ModeEdgeHigh = 2u << 1;
    public const uint ModeLevelLow = 3u << 1;
    public const uint ModeLevelHigh = 4u << 1;
    public const uint ModeEdgeBoth = 5u << 1;
    public const uint ModeMask = 0xE;
    public const uint Virtual = 0x10;

    public const uint Bind = 0x0;
    public const uint Unbind = 0x1;

    public const uint SlotUser = 62;
    public const uint MaxSlots = 62;
    public const uint PciSlot = 0;
}

/// <summary><c>zx_vmo_create</c> options.</summary>
public static class ZxVmoOptions
{
    public const uint Resizable = 1u << 1;
}

/// <summary><c>zx_vmar_map</c> options (<c>zx_vm_option_t</c>).</summary>
public static class ZxVmOptions
{
    public const uint PermRead = 1u << 0;
    public const uint PermWrite = 1u << 1;
    public const uint PermExecute = 1u << 2;
    public const uint Compact = 1u << 3;
    public const uint Specific = 1u << 4;
    public const uint SpecificOverwrite = 1u << 5;
    public const uint CanMapSpecific = 1u << 6;
    public const uint CanMapRead = 1u << 7;
    public const uint CanMapWrite = 1u << 8;
    public const uint CanMapExecute = 1u << 9;
    public const uint MapRange = 1u << 10;
    public const uint RequireNonResizable = 1u << 11;
    public const uint AllowFaults = 1u << 12;

    public const int AlignBase = 24;
    public const uint AlignMask = 0x1Fu << AlignBase;
    public const uint Align1Kb = 10u << AlignBase;
    public const uint Align4Kb = 12u << AlignBase;
    public const uint Align2Mb = 21u << AlignBase;
    public const uint Align1Gb = 30u << AlignBase;
    public const uint Align4Gb = 32u << AlignBase;
}

/// <summary><c>zx_object_get_info</c> topics.</summary>
public static class ZxInfoTopic
{
    public const uint HandleValid = 1;
    public const uint HandleBasic = 2;
    public const uint Vmar = 7;

    /// <summary>
    /// Project extension (not in Zircon): why the last <c>zx_vcpu_resume</c> of a VCPU failed with
    /// NOT_SUPPORTED or BAD_STATE, and the guest RIP then (<see cref="ZxInfoVcpuFault"/>). Zircon
    /// reports only the status; a VMM needs the RIP to tell its user where the guest stopped.
    /// </summary>
    public const uint VcpuFault = 0x5A58_0001;
}

/// <summary>Reasons in <see cref="ZxInfoVcpuFault.Reason"/>.</summary>
public static class ZxVcpuFaultReason
{
    public const uint None = 0;
    public const uint TripleFault = 1;
    public const uint EmulationFailure = 2;
    public const uint EntryFailure = 3;
    public const uint Other = 4;
}

/// <summary>The record of <see cref="ZxInfoTopic.VcpuFault"/>: 16 bytes.</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 16)]
public struct ZxInfoVcpuFault
{
    /// <summary>A <see cref="ZxVcpuFaultReason"/> value; None while no resume has failed.</summary>
    public uint Reason;
    public uint Padding;
    /// <summary>The guest's RIP when the failing exit happened.</summary>
    public ulong Rip;
}

/// <summary><c>zx_info_handle_basic_t.props</c> values.</summary>
public static class ZxObjectProps
{
    public const uint None = 0;
    public const uint Waitable = 1;
}

/// <summary>Page size of every address space this library manages.</summary>
public static class ZxPage
{
    public const ulong Size = 4096;
}
