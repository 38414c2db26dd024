namespace Zircon;

/// <summary>Handle values and other scalar constants of <c>zircon/types.h</c>.</summary>
public static class ZxHandleValues
{
    /// <summary><c>ZX_HANDLE_INVALID</c>: no handle.</summary>
    public const uint Invalid = 0;

    /// <summary>Every valid handle value has these low bits set.</summary>
    public const uint FixedBitsMask = 0x3;
}

/// <summary>Koid constants.</summary>
public static class ZxKoid
{
    /// <summary><c>ZX_KOID_INVALID</c>: no object.</summary>
    public const ulong Invalid = 0;
    /// <summary><c>ZX_KOID_KERNEL</c>: the kernel itself.</summary>
    public const ulong Kernel = 1;
    /// <summary><c>ZX_KOID_FIRST</c>: the first koid given to an object.</summary>
    public const ulong First = 1024;
}

/// <summary>Time constants (<c>zircon/time.h</c>). Times and durations are nanoseconds.</summary>
public static class ZxTime
{
    /// <summary><c>ZX_TIME_INFINITE</c>: a deadline that never passes.</summary>
    public const long Infinite = long.MaxValue;
    /// <summary><c>ZX_TIME_INFINITE_PAST</c>: a deadline that has always passed (a poll).</summary>
    public const long InfinitePast = long.MinValue;
}

/// <summary><c>zx_port_create</c> options.</summary>
public static class ZxPortOptions
{
    /// <summary><c>ZX_PORT_BIND_TO_INTERRUPT</c>: the port can have interrupts bound to it.</summary>
    public const uint BindToInterrupt = 0x1;
}

/// <summary><c>zx_object_wait_async</c> options.</summary>
public static class ZxWaitAsyncOptions
{
    /// <summary><c>ZX_WAIT_ASYNC_ONCE</c>: a one-shot registration (the default).</summary>
    public const uint Once = 0;
    /// <summary><c>ZX_WAIT_ASYNC_TIMESTAMP</c>: the packet carries the time the signal was asserted.</summary>
    public const uint Timestamp = 1;
}

/// <summary><c>zx_interrupt_create</c> / <c>zx_interrupt_bind</c> options.</summary>
public static class ZxInterruptOptions
{
    /// <summary><c>ZX_INTERRUPT_REMAP_IRQ</c>: remap the interrupt number through the platform.</summary>
    public const uint RemapIrq = 0x1;
    /// <summary><c>ZX_INTERRUPT_MODE_DEFAULT</c>: the line's platform default mode.</summary>
    public const uint ModeDefault = 0u << 1;
    /// <summary><c>ZX_INTERRUPT_MODE_EDGE_LOW</c>: falling edge.</summary>
    public const uint ModeEdgeLow = 1u << 1;
    /// <summary><c>ZX_INTERRUPT_MODE_EDGE_HIGH</c>: rising edge.</summary>
    public const uint ModeEdgeHigh = 2u << 1;
    /// <summary><c>ZX_INTERRUPT_MODE_LEVEL_LOW</c>: active low level (masked until acknowledged).</summary>
    public const uint ModeLevelLow = 3u << 1;
    /// <summary><c>ZX_INTERRUPT_MODE_LEVEL_HIGH</c>: active high level (masked until acknowledged).</summary>
    public const uint ModeLevelHigh = 4u << 1;
    /// <summary><c>ZX_INTERRUPT_MODE_EDGE_BOTH</c>: both edges.</summary>
    public const uint ModeEdgeBoth = 5u << 1;
    /// <summary><c>ZX_INTERRUPT_MODE_MASK</c>: the bits holding the mode.</summary>
    public const uint ModeMask = 0xE;
    /// <summary><c>ZX_INTERRUPT_VIRTUAL</c>: a virtual interrupt, fired only by <c>zx_interrupt_trigger</c>.</summary>
    public const uint Virtual = 0x10;

    /// <summary><c>ZX_INTERRUPT_BIND</c>: <c>zx_interrupt_bind</c> binds to the port.</summary>
    public const uint Bind = 0x0;
    /// <summary><c>ZX_INTERRUPT_UNBIND</c>: <c>zx_interrupt_bind</c> unbinds from the port.</summary>
    public const uint Unbind = 0x1;

    /// <summary><c>ZX_INTERRUPT_SLOT_USER</c>: left over from the older multi-slot interrupt API.</summary>
    public const uint SlotUser = 62;
    /// <summary><c>ZX_INTERRUPT_MAX_SLOTS</c>: left over from the older multi-slot interrupt API.</summary>
    public const uint MaxSlots = 62;
    /// <summary><c>ZX_PCI_INTERRUPT_SLOT</c>: left over from the older multi-slot interrupt API.</summary>
    public const uint PciSlot = 0;
}

/// <summary><c>zx_vmo_create</c> options.</summary>
public static class ZxVmoOptions
{
    /// <summary><c>ZX_VMO_RESIZABLE</c>: the VMO may change size.</summary>
    public const uint Resizable = 1u << 1;
}

/// <summary><c>zx_vmar_map</c> options (<c>zx_vm_option_t</c>).</summary>
public static class ZxVmOptions
{
    /// <summary><c>ZX_VM_PERM_READ</c>: the mapping is readable.</summary>
    public const uint PermRead = 1u << 0;
    /// <summary><c>ZX_VM_PERM_WRITE</c>: the mapping is writable.</summary>
    public const uint PermWrite = 1u << 1;
    /// <summary><c>ZX_VM_PERM_EXECUTE</c>: the mapping is executable.</summary>
    public const uint PermExecute = 1u << 2;
    /// <summary><c>ZX_VM_COMPACT</c>: place the mapping near the others.</summary>
    public const uint Compact = 1u << 3;
    /// <summary><c>ZX_VM_SPECIFIC</c>: map at the given offset in the VMAR.</summary>
    public const uint Specific = 1u << 4;
    /// <summary><c>ZX_VM_SPECIFIC_OVERWRITE</c>: map at the given offset, replacing what is there.</summary>
    public const uint SpecificOverwrite = 1u << 5;
    /// <summary><c>ZX_VM_CAN_MAP_SPECIFIC</c>: a sub-VMAR accepts specific mappings.</summary>
    public const uint CanMapSpecific = 1u << 6;
    /// <summary><c>ZX_VM_CAN_MAP_READ</c>: a sub-VMAR accepts readable mappings.</summary>
    public const uint CanMapRead = 1u << 7;
    /// <summary><c>ZX_VM_CAN_MAP_WRITE</c>: a sub-VMAR accepts writable mappings.</summary>
    public const uint CanMapWrite = 1u << 8;
    /// <summary><c>ZX_VM_CAN_MAP_EXECUTE</c>: a sub-VMAR accepts executable mappings.</summary>
    public const uint CanMapExecute = 1u << 9;
    /// <summary><c>ZX_VM_MAP_RANGE</c>: commit the pages at map time.</summary>
    public const uint MapRange = 1u << 10;
    /// <summary><c>ZX_VM_REQUIRE_NON_RESIZABLE</c>: refuse to map a resizable VMO.</summary>
    public const uint RequireNonResizable = 1u << 11;
    /// <summary><c>ZX_VM_ALLOW_FAULTS</c>: allow mappings of VMOs that may fault.</summary>
    public const uint AllowFaults = 1u << 12;

    /// <summary><c>ZX_VM_ALIGN_BASE</c>: the bit where log2 of the requested alignment starts.</summary>
    public const int AlignBase = 24;
    /// <summary>The bits holding log2 of the requested alignment.</summary>
    public const uint AlignMask = 0x1Fu << AlignBase;
    /// <summary><c>ZX_VM_ALIGN_1KB</c>.</summary>
    public const uint Align1Kb = 10u << AlignBase;
    /// <summary><c>ZX_VM_ALIGN_4KB</c>.</summary>
    public const uint Align4Kb = 12u << AlignBase;
    /// <summary><c>ZX_VM_ALIGN_2MB</c>.</summary>
    public const uint Align2Mb = 21u << AlignBase;
    /// <summary><c>ZX_VM_ALIGN_1GB</c>.</summary>
    public const uint Align1Gb = 30u << AlignBase;
    /// <summary><c>ZX_VM_ALIGN_4GB</c>.</summary>
    public const uint Align4Gb = 32u << AlignBase;
}

/// <summary><c>zx_object_get_info</c> topics.</summary>
public static class ZxInfoTopic
{
    /// <summary><c>ZX_INFO_HANDLE_VALID</c>: no record; OK if the handle is valid.</summary>
    public const uint HandleValid = 1;
    /// <summary><c>ZX_INFO_HANDLE_BASIC</c>: one <see cref="ZxInfoHandleBasic"/>.</summary>
    public const uint HandleBasic = 2;
    /// <summary><c>ZX_INFO_VMAR</c>: one <see cref="ZxInfoVmar"/>.</summary>
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
    /// <summary>No resume of this VCPU has failed (ZX_VCPU_FAULT_NONE).</summary>
    public const uint None = 0;
    /// <summary>The guest triple-faulted (ZX_VCPU_FAULT_TRIPLE_FAULT).</summary>
    public const uint TripleFault = 1;
    /// <summary>The hypervisor could not emulate an instruction (ZX_VCPU_FAULT_EMULATION_FAILURE).</summary>
    public const uint EmulationFailure = 2;
    /// <summary>The hardware refused to enter the guest (ZX_VCPU_FAULT_ENTRY_FAILURE).</summary>
    public const uint EntryFailure = 3;
    /// <summary>Any other exit the kernel could not serve (ZX_VCPU_FAULT_OTHER).</summary>
    public const uint Other = 4;
    /// <summary>
    /// A trapped access the kernel refuses: a string or REP port instruction, a read of a BELL
    /// trap, or an instruction in a MEM trap it could not fetch or decode
    /// (ZX_VCPU_FAULT_UNSUPPORTED_ACCESS). The packet of the failed resume describes the access
    /// (GUEST_IO or GUEST_MEM, key = guest RIP), as for an access no trap covers.
    /// </summary>
    public const uint UnsupportedAccess = 5;
}

/// <summary>The record of <see cref="ZxInfoTopic.VcpuFault"/>: 16 bytes.</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 16)]
public struct ZxInfoVcpuFault
{
    /// <summary>A <see cref="ZxVcpuFaultReason"/> value; None while no resume has failed.</summary>
    public uint Reason;
    /// <summary>Reserved, zero.</summary>
    public uint Padding;
    /// <summary>The guest's RIP when the failing exit happened.</summary>
    public ulong Rip;
}

/// <summary><c>zx_info_handle_basic_t.props</c> values.</summary>
public static class ZxObjectProps
{
    /// <summary><c>ZX_OBJ_PROP_NONE</c>.</summary>
    public const uint None = 0;
    /// <summary><c>ZX_OBJ_PROP_WAITABLE</c>: the object can be waited on.</summary>
    public const uint Waitable = 1;
}

/// <summary>Page size of every address space this library manages.</summary>
public static class ZxPage
{
    /// <summary>The page size on x86-64: 4096 bytes.</summary>
    public const ulong Size = 4096;
}
