using System.Buffers.Binary;
using Iced.Intel;
using Zircon.Linux.Kvm;
using Zircon.Linux.Libc;
using static Iced.Intel.AssemblerRegisters;
using static Zircon.Benchmarks.PortBenchmarks;

namespace Zircon.Benchmarks;

/// <summary>The guest programs the VCPU benchmarks run; each one runs unchanged on Zircon and on raw KVM.</summary>
public enum GuestProgram
{
    /// <summary><c>out 0x10, al</c> as the very first instruction (lifecycle: first exit).</summary>
    FirstExit,

    /// <summary>Loops <c>out 0x10, al</c>.</summary>
    OutLoop,

    /// <summary>Loops a 32-bit store to <see cref="GuestImage.MmioAddress"/>.</summary>
    MmioWriteLoop,

    /// <summary>Loops a 32-bit load from <see cref="GuestImage.MmioAddress"/>.</summary>
    MmioReadLoop,

    /// <summary>Loops: <see cref="GuestImage.BellsPerBatch"/> stores to <see cref="GuestImage.BellAddress"/>, then <c>out 0x11, al</c>.</summary>
    BellBatches,

    /// <summary><c>sti</c>, <c>out 0x12</c> (ready), then <c>hlt</c> in a loop; vector 0x40 and 0x41 handlers do <c>out 0x90</c> and IRETQ (0x41 writes the LAPIC EOI first).</summary>
    HaltForInterrupts,
}

/// <summary>
/// One guest image, the way Zircon's own hypervisor tests lay a guest out: memory at guest-physical 0,
/// identity page tables with CR3 = 0 and 2 MiB pages (0–1 GiB and 3–4 GiB, the latter for the trap
/// windows and the LAPIC), code at 0x2000, ring 0 only. The same bytes are loaded into a Zircon guest
/// (a 16 MiB VMO) and into a raw KVM VM (a 16 MiB memfd slot), and both VCPUs start in Zircon's
/// initial 64-bit state, so the only difference between the two runs is the code path under test.
/// </summary>
public static class GuestImage
{
    public const ulong MemorySize = 16UL << 20;
    public const ulong Entry = 0x2000;
    public const ulong MmioAddress = 0xD000_0000, BellAddress = 0xD000_1000, LapicEoi = 0xFEE0_00B0;
    public const byte LoopPort = 0x10, BatchPort = 0x11, ReadyPort = 0x12, HandlerPort = 0x90;
    public const byte ExtIntVector = 0x40, MsiVector = 0x41;
    public const int BellsPerBatch = 64;
    public const int Size = 0x12000;

    private const ulong Pml4 = 0x0, Pdpt = 0x1000, DescriptorPointers = 0x7F00, Gdt = 0x8000, Idt = 0x9000;
    private const ulong Handlers = 0xA000, StackTop = 0xF000, PdLow = 0x10000, PdHigh = 0x11000;

    public static byte[] Build(GuestProgram program)
    {
        var image = new byte[Size];
        Span<byte> m = image;
        WriteLayout(m);

        var handlers = new Assembler(64);
        Label plain = handlers.CreateLabel(), withEoi = handlers.CreateLabel();
        handlers.Label(ref plain);
        handlers.@out(HandlerPort, al);
        handlers.iretq();
        handlers.Label(ref withEoi);
        handlers.mov(edx, (uint)LapicEoi); // zero-extends (a disp32 would sign-extend)
        handlers.mov(__dword_ptr[rdx], 0);
        handlers.@out(HandlerPort, al);
        handlers.iretq();
        AssemblerResult placed = Assemble(handlers, Handlers, m);
        Gate(m, ExtIntVector, placed.GetLabelRIP(plain));
        Gate(m, MsiVector, placed.GetLabelRIP(withEoi));

        var a = new Assembler(64);
        if (program != GuestProgram.FirstExit)
            Prologue(a);
        Label loop = a.CreateLabel();
        switch (program)
        {
            case GuestProgram.FirstExit:
                a.Label(ref loop);
                a.@out(LoopPort, al);
                a.jmp(loop);
                break;
            case GuestProgram.OutLoop:
                a.Label(ref loop);
                a.@out(LoopPort, al);
                a.jmp(loop);
                break;
            case GuestProgram.MmioWriteLoop:
                a.mov(ebx, (uint)MmioAddress);
                a.Label(ref loop);
                a.mov(__dword_ptr[rbx], eax);
                a.jmp(loop);
                break;
            case GuestProgram.MmioReadLoop:
                a.mov(ebx, (uint)MmioAddress);
                a.Label(ref loop);
                a.mov(eax, __dword_ptr[rbx]);
                a.jmp(loop);
                break;
            case GuestProgram.BellBatches:
            {
                Label inner = a.CreateLabel();
                a.mov(ebx, (uint)BellAddress);
                a.Label(ref loop);
                a.mov(ecx, BellsPerBatch);
                a.Label(ref inner);
                a.mov(__dword_ptr[rbx], eax);
                a.dec(ecx);
                a.jnz(inner);
                a.@out(BatchPort, al);
                a.jmp(loop);
                break;
            }
            case GuestProgram.HaltForInterrupts:
                a.sti();
                a.@out(ReadyPort, al);
                a.Label(ref loop);
                a.hlt();
                a.jmp(loop);
                break;
        }
        Assemble(a, Entry, m);
        return image;
    }

    /// <summary>The page tables, GDT and IDT pointers every program shares (the IDT's gates are the program's).</summary>
    internal static void WriteLayout(Span<byte> m)
    {
        const ulong Table = 0x7, Large = 0x80; // present, writable, user; 2 MiB page
        Write(m, Pml4, Pdpt | Table);
        Write(m, Pdpt, PdLow | Table);
        Write(m, Pdpt + 3 * 8, PdHigh | Table);
        for (ulong i = 0; i < 512; i++)
        {
            Write(m, PdLow + i * 8, (i << 21) | Table | Large);
            Write(m, PdHigh + i * 8, ((3UL << 30) + (i << 21)) | Table | Large);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(m[(int)DescriptorPointers..], 3 * 8 - 1);
        Write(m, DescriptorPointers + 2, Gdt);
        BinaryPrimitives.WriteUInt16LittleEndian(m[(int)(DescriptorPointers + 16)..], 256 * 16 - 1);
        Write(m, DescriptorPointers + 18, Idt);
        Write(m, Gdt + 8, 0x00AF_9A00_0000_FFFF);  // 64-bit code, selector 0x08
        Write(m, Gdt + 16, 0x00CF_9200_0000_FFFF); // data, selector 0x10
    }

    /// <summary>Loads the GDT and IDT, a stack, and flat segments (Zircon's initial CS selector is 0, which IRETQ cannot return to).</summary>
    internal static void Prologue(Assembler a)
    {
        a.lgdt(__[(long)DescriptorPointers]);
        a.lidt(__[(long)(DescriptorPointers + 16)]);
        a.mov(rsp, StackTop);
        Label flat = a.CreateLabel();
        a.push(0x08);
        a.lea(rax, __[flat]);
        a.push(rax);
        a.db(0x48, 0xCB); // retfq
        a.Label(ref flat);
        a.mov(eax, 0x10);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(ss, ax);
    }

    internal static void Gate(Span<byte> m, int vector, ulong handler)
    {
        ulong low = (handler & 0xFFFF) | (0x08UL << 16) | (0x8E00UL << 32) | ((handler >> 16 & 0xFFFF) << 48);
        Write(m, Idt + (ulong)vector * 16, low);
        Write(m, Idt + (ulong)vector * 16 + 8, handler >> 32);
    }

    internal static AssemblerResult Assemble(Assembler a, ulong address, Span<byte> image)
    {
        var bytes = new ByteSink();
        AssemblerResult result = a.Assemble(bytes, address, BlockEncoderOptions.ReturnNewInstructionOffsets);
        bytes.Bytes.ToArray().CopyTo(image[(int)address..]);
        return result;
    }

    internal static void Write(Span<byte> m, ulong offset, ulong value) =>
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)offset..], value);

    private sealed class ByteSink : CodeWriter
    {
        public List<byte> Bytes { get; } = new();

        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}

/// <summary>
/// A Zircon guest running a <see cref="GuestImage"/>: IO traps on 0x10–0x12 and 0x90, a MEM trap on
/// the MMIO page, a BELL trap on the bell page (when a port is given), one VCPU created on (and bound
/// to) the calling thread.
/// </summary>
public sealed class ZirconGuest : IDisposable
{
    public const ulong IoKey = 1, HandlerKey = 2, MemKey = 3, BellKey = 4;

    private ZirconGuest(uint guest, uint vmar, uint vmo)
    {
        Guest = guest;
        Vmar = vmar;
        Vmo = vmo;
    }

    public uint Guest { get; }
    public uint Vmar { get; }
    public uint Vmo { get; }
    public uint Vcpu { get; private set; }

    public static ZirconGuest Create(byte[] image, uint bellPort = ZxHandleValues.Invalid, bool allTraps = true)
    {
        uint root = Syscalls.GetRootResource();
        Check(Syscalls.GuestCreate(root, 0, out uint guest, out uint vmar), "zx_guest_create");
        Check(Syscalls.VmoCreate(GuestImage.MemorySize, 0, out uint vmo), "zx_vmo_create");
        Check(Syscalls.VmoReplaceAsExecutable(vmo, root, out vmo), "zx_vmo_replace_as_executable");
        Check(Syscalls.VmarMap(vmar, ZxVmOptions.PermRead | ZxVmOptions.PermWrite | ZxVmOptions.PermExecute | ZxVmOptions.Specific,
            0, vmo, 0, GuestImage.MemorySize, out _), "zx_vmar_map");
        Check(Syscalls.VmoWrite(vmo, image, 0), "zx_vmo_write");
        var g = new ZirconGuest(guest, vmar, vmo);
        Check(Syscalls.GuestSetTrap(guest, (uint)ZxGuestTrap.Io, GuestImage.LoopPort, 3, ZxHandleValues.Invalid, IoKey), "set IO trap");
        if (allTraps)
        {
            Check(Syscalls.GuestSetTrap(guest, (uint)ZxGuestTrap.Io, GuestImage.HandlerPort, 1, ZxHandleValues.Invalid, HandlerKey), "set IO trap");
            Check(Syscalls.GuestSetTrap(guest, (uint)ZxGuestTrap.Mem, GuestImage.MmioAddress, 0x1000, ZxHandleValues.Invalid, MemKey), "set MEM trap");
        }
        if (bellPort != ZxHandleValues.Invalid)
            Check(Syscalls.GuestSetTrap(guest, (uint)ZxGuestTrap.Bell, GuestImage.BellAddress, 0x1000, bellPort, BellKey), "set BELL trap");
        Check(Syscalls.VcpuCreate(guest, 0, GuestImage.Entry, out uint vcpu), "zx_vcpu_create");
        g.Vcpu = vcpu;
        return g;
    }

    public ZxPortPacket Resume()
    {
        Check(Syscalls.VcpuResume(Vcpu, out ZxPortPacket packet), "zx_vcpu_resume");
        return packet;
    }

    /// <summary>Resumes until an IO exit on <paramref name="port"/>.</summary>
    public void ResumeToIo(ushort port)
    {
        ZxPortPacket p = Resume();
        if (p.Type != ZxPacketType.GuestIo || p.GuestIo.Port != port)
            throw new InvalidOperationException($"expected an IO exit on 0x{port:x}, got {p.Type}");
    }

    public void Dispose()
    {
        Syscalls.HandleClose(Vcpu);
        Syscalls.HandleClose(Vmo);
        Syscalls.HandleClose(Vmar);
        Syscalls.HandleClose(Guest);
    }
}

/// <summary>The same <see cref="GuestImage"/> on raw KVM (the baseline): split irqchip with the LAPIC enabled, as Zircon's KVM backend does.</summary>
public sealed class RawGuest : IDisposable
{
    private static KvmSystem? s_system;
    private static KvmCpuid? s_cpuid;
    private readonly SharedMemory _memory;

    private RawGuest(KvmVm vm, SharedMemory memory, ulong host)
    {
        Vm = vm;
        _memory = memory;
        HostAddress = host;
    }

    public KvmVm Vm { get; }
    public KvmVcpu Vcpu { get; private set; } = null!;
    public ulong HostAddress { get; }

    /// <summary>Opens /dev/kvm; null with the reason when KVM is not usable here.</summary>
    public static string? Availability()
    {
        if (s_system is not null)
            return null;
        ZxStatus status = KvmSystem.Open(out KvmSystem? system);
        if (status != ZxStatus.Ok)
            return $"/dev/kvm unavailable ({status})";
        if (system!.CheckExtension(KvmCapability.SplitIrqchip) <= 0)
            return "KVM has no split irqchip";
        Check(system.GetSupportedCpuid(out s_cpuid), "KVM_GET_SUPPORTED_CPUID");
        s_system = system;
        return null;
    }

    public static RawGuest Create(byte[] image)
    {
        Check(s_system!.CreateVm(KvmIrqchipMode.Split, out KvmVm? vm), "KVM_CREATE_VM");
        Check(SharedMemory.Create("bench-guest", GuestImage.MemorySize, out SharedMemory? memory), "memfd");
        Check(HostMappings.Map(memory!, 0, GuestImage.MemorySize, true, true, false, 0, false, out ulong host), "mmap");
        var g = new RawGuest(vm!, memory!, host);
        image.CopyTo(HostMappings.AsSpan(host, image.Length));
        Check(vm!.MapMemory(0, GuestImage.MemorySize, host, readOnly: false, out _), "KVM_SET_USER_MEMORY_REGION");
        Check(vm.CreateVcpu(0, out KvmVcpu? vcpu), "KVM_CREATE_VCPU");
        g.Vcpu = vcpu!;
        Check(vcpu!.SetCpuid(s_cpuid!), "KVM_SET_CPUID2");
        KvmX86State.SetBootstrapProcessor(ref vcpu.Regs, ref vcpu.Sregs, GuestImage.Entry);
        vcpu.MarkDirty(KvmRegisterSets.Regs | KvmRegisterSets.Sregs);
        Check(vcpu.EnableLapic(), "KVM_SET_LAPIC");
        return g;
    }

    public KvmExit Run()
    {
        Check(Vcpu.Run(out KvmExit exit), "KVM_RUN");
        return exit;
    }

    /// <summary>Runs until an OUT to <paramref name="port"/>.</summary>
    public void RunToOut(ushort port)
    {
        KvmExit e = Run();
        if (e.Kind != KvmExitKind.Io || e.Io.Port != port)
            throw new InvalidOperationException($"expected OUT 0x{port:x}, got {e}");
    }

    public void Dispose()
    {
        Vcpu?.Dispose();
        Vm.Dispose();
        HostMappings.Unmap(HostAddress, GuestImage.MemorySize);
        _memory.Dispose();
    }
}
