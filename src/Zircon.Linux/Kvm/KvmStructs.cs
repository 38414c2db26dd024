using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

// The C structs of <linux/kvm.h> and <asm/kvm.h> (x86-64), with the C names kept so that
// `grep kvm_regs` finds both sides. Sizes and offsets are pinned by KvmStructLayoutTests against
// the kernel headers. Structs the kernel layer reads or edits (registers, events, CPUID, MSRs,
// LAPIC page) are public; the ioctl argument blocks and the kvm_run page stay internal, so nothing
// above this layer touches the kvm_run union.
#pragma warning disable CS8981 // C names are lower-case on purpose.
#pragma warning disable IDE1006

namespace Zircon.Linux.Kvm;

/// <summary><c>struct kvm_regs</c>: the general-purpose registers, RIP and RFLAGS.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_regs
{
    /// <summary>RAX, RBX, RCX, RDX.</summary>
    public ulong rax, rbx, rcx, rdx;
    /// <summary>RSI, RDI, RSP, RBP.</summary>
    public ulong rsi, rdi, rsp, rbp;
    /// <summary>R8 to R11.</summary>
    public ulong r8, r9, r10, r11;
    /// <summary>R12 to R15.</summary>
    public ulong r12, r13, r14, r15;
    /// <summary>The instruction pointer and RFLAGS.</summary>
    public ulong rip, rflags;
}

/// <summary><c>struct kvm_segment</c>: a segment register with its hidden descriptor part.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_segment
{
    /// <summary>The segment base address.</summary>
    public ulong @base;
    /// <summary>The segment limit (byte granular).</summary>
    public uint limit;
    /// <summary>The selector.</summary>
    public ushort selector;
    /// <summary>The descriptor type (4 bits).</summary>
    public byte type;
    /// <summary>Descriptor bits: present, privilege level, default size (D/B), code/data (S), long mode (L), granularity (G), available (AVL).</summary>
    public byte present, dpl, db, s, l, g, avl;
    /// <summary>Nonzero if the segment is unusable (a null selector).</summary>
    public byte unusable;
    /// <summary>Padding.</summary>
    public byte padding;
}

/// <summary><c>struct kvm_dtable</c>: GDTR or IDTR.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_dtable
{
    /// <summary>The table base address.</summary>
    public ulong @base;
    /// <summary>The table limit.</summary>
    public ushort limit;
    /// <summary>Padding.</summary>
    public ushort padding0, padding1, padding2;
}

/// <summary><c>struct kvm_sregs</c>: segment, descriptor-table and control registers, EFER and APIC base.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_sregs
{
    /// <summary>The code, data and stack segment registers.</summary>
    public kvm_segment cs, ds, es, fs, gs, ss;
    /// <summary>The task register and the LDT register.</summary>
    public kvm_segment tr, ldt;
    /// <summary>The GDT and IDT registers.</summary>
    public kvm_dtable gdt, idt;
    /// <summary>Control registers CR0, CR2, CR3, CR4 and CR8 (the TPR).</summary>
    public ulong cr0, cr2, cr3, cr4, cr8;
    /// <summary>The EFER MSR (LME, LMA, NXE, SCE).</summary>
    public ulong efer;
    /// <summary>The APIC base MSR.</summary>
    public ulong apic_base;
    /// <summary>Without an in-kernel irqchip: the external interrupt being injected (one bit of 256).</summary>
    public KvmU64x4 interrupt_bitmap;
}

/// <summary>The <c>exception</c> part of <c>struct kvm_vcpu_events</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_vcpu_events_exception
{
    /// <summary>Nonzero if an exception is being injected.</summary>
    public byte injected;
    /// <summary>The exception vector.</summary>
    public byte nr;
    /// <summary>Nonzero if it has an error code.</summary>
    public byte has_error_code;
    /// <summary>Only meaningful with KVM_CAP_EXCEPTION_PAYLOAD enabled (this backend leaves it off).</summary>
    public byte pending;
    /// <summary>The error code.</summary>
    public uint error_code;
}

/// <summary>The <c>interrupt</c> part of <c>struct kvm_vcpu_events</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_vcpu_events_interrupt
{
    /// <summary>Nonzero if an interrupt is being injected.</summary>
    public byte injected;
    /// <summary>The interrupt vector.</summary>
    public byte nr;
    /// <summary>Nonzero for a software interrupt (INT n).</summary>
    public byte soft;
    /// <summary>KVM_X86_SHADOW_INT_MOV_SS (1) / KVM_X86_SHADOW_INT_STI (2).</summary>
    public byte shadow;
}

/// <summary>The <c>nmi</c> part of <c>struct kvm_vcpu_events</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_vcpu_events_nmi
{
    /// <summary>Nonzero if an NMI is being injected.</summary>
    public byte injected;
    /// <summary>Nonzero if an NMI is pending.</summary>
    public byte pending;
    /// <summary>Nonzero while NMIs are blocked.</summary>
    public byte masked;
    /// <summary>Padding.</summary>
    public byte pad;
}

/// <summary>The <c>smi</c> part of <c>struct kvm_vcpu_events</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_vcpu_events_smi
{
    /// <summary>Nonzero in system management mode.</summary>
    public byte smm;
    /// <summary>Nonzero if an SMI is pending.</summary>
    public byte pending;
    /// <summary>Nonzero if SMM was entered inside an NMI handler.</summary>
    public byte smm_inside_nmi;
    /// <summary>Nonzero if an INIT is latched.</summary>
    public byte latched_init;
}

/// <summary><c>struct kvm_vcpu_events</c>: exception, interrupt and NMI state in flight.</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
public struct kvm_vcpu_events
{
    /// <summary>The pending or injected exception.</summary>
    [FieldOffset(0)] public kvm_vcpu_events_exception exception;
    /// <summary>The injected interrupt.</summary>
    [FieldOffset(8)] public kvm_vcpu_events_interrupt interrupt;
    /// <summary>The NMI state.</summary>
    [FieldOffset(12)] public kvm_vcpu_events_nmi nmi;
    /// <summary>The SIPI vector.</summary>
    [FieldOffset(16)] public uint sipi_vector;
    /// <summary>KVM_VCPUEVENT_VALID_* bits: which optional parts a SET applies.</summary>
    [FieldOffset(20)] public uint flags;
    /// <summary>The SMI state.</summary>
    [FieldOffset(24)] public kvm_vcpu_events_smi smi;
    /// <summary>The <c>triple_fault.pending</c> byte.</summary>
    [FieldOffset(28)] public byte triple_fault_pending;
    /// <summary>Nonzero if the exception carries a payload (KVM_CAP_EXCEPTION_PAYLOAD).</summary>
    [FieldOffset(55)] public byte exception_has_payload;
    /// <summary>The payload: CR2 for #PF, DR6 for #DB.</summary>
    [FieldOffset(56)] public ulong exception_payload;
}

/// <summary><c>struct kvm_sync_regs</c> (x86): the register sets shared through the kvm_run page.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_sync_regs
{
    /// <summary>The general registers.</summary>
    public kvm_regs regs;
    /// <summary>The special registers.</summary>
    public kvm_sregs sregs;
    /// <summary>The pending events.</summary>
    public kvm_vcpu_events events;
}

/// <summary><c>struct kvm_lapic_state</c>: the 1 KiB local-APIC register page (KVM_GET/SET_LAPIC).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_lapic_state
{
    /// <summary>The local APIC register page (the first 1 KiB).</summary>
    public KvmBytes1024 regs;

    /// <summary>Reads the 32-bit register at byte <paramref name="offset"/> (e.g. 0xF0 for the SVR).</summary>
    public readonly uint GetRegister(int offset) =>
        MemoryMarshal.Read<uint>(((ReadOnlySpan<byte>)regs).Slice(offset, 4));

    /// <summary>Writes the 32-bit register at byte <paramref name="offset"/>.</summary>
    public void SetRegister(int offset, uint value) =>
        MemoryMarshal.Write(((Span<byte>)regs).Slice(offset, 4), in value);
}

/// <summary><c>struct kvm_cpuid_entry2</c>: one CPUID leaf/subleaf as the guest will see it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_cpuid_entry2
{
    /// <summary>The CPUID leaf (EAX input).</summary>
    public uint function;
    /// <summary>The sub-leaf (ECX input).</summary>
    public uint index;
    /// <summary>KVM_CPUID_FLAG_SIGNIFCANT_INDEX (1) when <see cref="index"/> selects a subleaf.</summary>
    public uint flags;
    /// <summary>The output registers.</summary>
    public uint eax, ebx, ecx, edx;
    /// <summary>Padding.</summary>
    public uint padding0, padding1, padding2;
}

/// <summary><c>struct kvm_msr_entry</c>: one MSR index and value.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct kvm_msr_entry
{
    /// <summary>The MSR number.</summary>
    public uint index;
    /// <summary>Reserved; zero.</summary>
    public uint reserved;
    /// <summary>The MSR value.</summary>
    public ulong data;
}

// ---- Internal: ioctl argument blocks and the kvm_run page. ----

/// <summary><c>struct kvm_cpuid2</c> header; the entries follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct kvm_cpuid2
{
    public uint nent;
    public uint padding;
}

/// <summary><c>struct kvm_msrs</c> header; the entries follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct kvm_msrs
{
    public uint nmsrs;
    public uint pad;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_userspace_memory_region
{
    public uint slot;
    public uint flags;
    public ulong guest_phys_addr;
    public ulong memory_size;
    public ulong userspace_addr;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_irqfd
{
    public uint fd;
    public uint gsi;
    public uint flags;
    public uint resamplefd;
    public KvmBytes16 pad;
}

/// <summary>KVM_IOEVENTFD's argument: a guest write at <c>addr</c> signals eventfd <c>fd</c> inside the kernel.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct kvm_ioeventfd
{
    public ulong datamatch;
    public ulong addr;
    public uint len;
    public int fd;
    public uint flags;
    public KvmBytes36 pad;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_irq_routing_msi
{
    public uint address_lo;
    public uint address_hi;
    public uint data;
    public uint devid;
}

/// <summary><c>struct kvm_irq_routing_entry</c>; only the MSI member of the union is used.</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
internal struct kvm_irq_routing_entry
{
    [FieldOffset(0)] public uint gsi;
    [FieldOffset(4)] public uint type;
    [FieldOffset(8)] public uint flags;
    [FieldOffset(12)] public uint pad;
    [FieldOffset(16)] public kvm_irq_routing_msi msi;
}

/// <summary><c>struct kvm_irq_routing</c> header; the entries follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct kvm_irq_routing
{
    public uint nr;
    public uint flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_msi
{
    public uint address_lo;
    public uint address_hi;
    public uint data;
    public uint flags;
    public uint devid;
    public KvmBytes12 pad;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_enable_cap
{
    public uint cap;
    public uint flags;
    public KvmU64x4 args;
    public KvmBytes64 pad;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_interrupt
{
    public uint irq;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_mp_state
{
    public uint mp_state;
}

/// <summary><c>struct kvm_signal_mask</c> with the 8-byte kernel sigset that follows it.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct kvm_signal_mask
{
    public uint len;
    public ulong sigset;
}

// The kvm_run union members this backend decodes (anonymous structs in C).

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_run_io
{
    public byte direction;
    public byte size;
    public ushort port;
    public uint count;
    public ulong data_offset;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_run_mmio
{
    public ulong phys_addr;
    public KvmBytes8 data;
    public uint len;
    public byte is_write;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_run_fail_entry
{
    public ulong hardware_entry_failure_reason;
    public uint cpu;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_run_ex
{
    public uint exception;
    public uint error_code;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_run_debug
{
    public uint exception;
    public uint pad;
    public ulong pc;
    public ulong dr6;
    public ulong dr7;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_run_internal
{
    public uint suberror;
    public uint ndata;
    public KvmU64x16 data;
}

[StructLayout(LayoutKind.Sequential)]
internal struct kvm_run_system_event
{
    public uint type;
    public uint ndata;
    public KvmU64x16 data;
}

/// <summary>
/// <c>struct kvm_run</c>: the page shared with KVM for one VCPU. The union at offset 32 is
/// decoded into <see cref="KvmExit"/> by <see cref="KvmVcpu"/> and nowhere else.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 2352)]
internal struct kvm_run
{
    [FieldOffset(0)] public byte request_interrupt_window;
    [FieldOffset(1)] public byte immediate_exit;
    [FieldOffset(8)] public uint exit_reason;
    [FieldOffset(12)] public byte ready_for_interrupt_injection;
    [FieldOffset(13)] public byte if_flag;
    [FieldOffset(14)] public ushort flags;
    [FieldOffset(16)] public ulong cr8;
    [FieldOffset(24)] public ulong apic_base;

    [FieldOffset(32)] public ulong hw_hardware_exit_reason;
    [FieldOffset(32)] public kvm_run_fail_entry fail_entry;
    [FieldOffset(32)] public kvm_run_ex ex;
    [FieldOffset(32)] public kvm_run_io io;
    [FieldOffset(32)] public kvm_run_debug debug;
    [FieldOffset(32)] public kvm_run_mmio mmio;
    [FieldOffset(32)] public kvm_run_internal @internal;
    [FieldOffset(32)] public kvm_run_system_event system_event;

    [FieldOffset(288)] public ulong kvm_valid_regs;
    [FieldOffset(296)] public ulong kvm_dirty_regs;
    [FieldOffset(304)] public kvm_sync_regs s;
}

// Fixed-size arrays for the C array fields, without unsafe fixed buffers.

/// <summary>Four u64 (<c>interrupt_bitmap</c>, <c>kvm_enable_cap.args</c>).</summary>
[InlineArray(4)]
public struct KvmU64x4
{
    private ulong _element0;
}

/// <summary>Sixteen u64 (exit data arrays).</summary>
[InlineArray(16)]
public struct KvmU64x16
{
    private ulong _element0;
}

/// <summary>The 1 KiB LAPIC register page.</summary>
[InlineArray(1024)]
public struct KvmBytes1024
{
    private byte _element0;
}

[InlineArray(64)]
internal struct KvmBytes64
{
    private byte _element0;
}

[InlineArray(36)]
internal struct KvmBytes36
{
    private byte _element0;
}

[InlineArray(16)]
internal struct KvmBytes16
{
    private byte _element0;
}

[InlineArray(12)]
internal struct KvmBytes12
{
    private byte _element0;
}

[InlineArray(8)]
internal struct KvmBytes8
{
    private byte _element0;
}
