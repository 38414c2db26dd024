using System.Buffers.Binary;
using Iced.Intel;
using Zircon.Linux.Libc;

namespace Zircon.Linux.Tests;

/// <summary>
/// A small guest for hypervisor tests: 2 MiB of memory at guest-physical 0, identity-mapped with
/// 2 MiB pages (1 GiB pages fault on PVM hosts), one VCPU in Zircon's initial 64-bit state
/// (docs/semantics.md §8.1) with the host's supported CPUID, entry at 0x2000.
/// <code>
/// 0x0000 PML4 (CR3 = 0)   0x1000 PDPT   0x2000-0x4FFF code   0x5000 PD for 3-4 GiB (LAPIC page)
/// 0x6000 PD for 0-1 GiB   0x7000 GDT, TSS at 0x7100   0x8000 IDT   0xA000 ring-0 stack top
/// 0xB000 ring-3 stack top   0xB000-0xBFFF data page
/// </code>
/// Addresses in the first GiB past 2 MiB are mapped but unbacked, so accesses exit as MMIO.
/// </summary>
internal sealed class TestGuest : IDisposable
{
    public const ulong MemorySize = 2 << 20;
    public const ulong Entry = 0x2000;
    public const ulong Gdt = 0x7000, Tss = 0x7100, Idt = 0x8000;
    public const ulong Stack0Top = 0xA000, Stack3Top = 0xB000, DataPage = 0xB000;
    public const ulong UnbackedAddress = 0x1000_0000;
    public const ulong LapicEoi = 0xFEE000B0;
    public const ushort KernelCs = 0x08, KernelDs = 0x10, UserDs = 0x1B, UserCs = 0x23, TssSelector = 0x28;
    private const ulong Pml4 = 0x0000, Pdpt = 0x1000, PdHigh = 0x5000, Pd = 0x6000;
    private const int GdtEntries = 7;

    private static readonly Lazy<KvmSystem> s_system = new(() =>
    {
        Assert.Equal(ZxStatus.Ok, KvmSystem.Open(out KvmSystem? system));
        return system!;
    });

    private readonly SharedMemory _memory;
    private readonly List<(ulong Address, ulong Size)> _hostMappings = new();

    private TestGuest(KvmVm vm, SharedMemory memory, ulong hostAddress)
    {
        Vm = vm;
        _memory = memory;
        HostAddress = hostAddress;
        _hostMappings.Add((hostAddress, MemorySize));
    }

    public static KvmSystem System => s_system.Value;
    public KvmVm Vm { get; }
    public KvmVcpu Vcpu { get; private set; } = null!;
    public ulong HostAddress { get; }

    /// <summary>Guest memory as seen from the host.</summary>
    public Span<byte> Memory => HostMappings.AsSpan(HostAddress, (int)MemorySize);

    public static TestGuest Create(KvmIrqchipMode irqchip = KvmIrqchipMode.None)
    {
        Assert.Equal(ZxStatus.Ok, System.CreateVm(irqchip, out KvmVm? vm));
        Assert.Equal(ZxStatus.Ok, SharedMemory.Create("test-guest", MemorySize, out SharedMemory? memory));
        Assert.Equal(ZxStatus.Ok, HostMappings.Map(memory!, 0, MemorySize, true, true, false, 0, false, out ulong host));
        var guest = new TestGuest(vm!, memory!, host);
        Assert.Equal(ZxStatus.Ok, vm!.MapMemory(0, MemorySize, host, readOnly: false, out int slot));
        Assert.Equal(0, slot);
        guest.WritePageTables();
        guest.CreateVcpu();
        return guest;
    }

    private void CreateVcpu()
    {
        Assert.Equal(ZxStatus.Ok, Vm.CreateVcpu(0, out KvmVcpu? vcpu));
        Vcpu = vcpu!;
        Assert.Equal(ZxStatus.Ok, System.GetSupportedCpuid(out KvmCpuid? cpuid));
        Assert.Equal(ZxStatus.Ok, Vcpu.SetCpuid(cpuid!));
        KvmX86State.SetBootstrapProcessor(ref Vcpu.Regs, ref Vcpu.Sregs, Entry);
        Vcpu.Regs.rsp = Stack0Top;
        Vcpu.MarkDirty(KvmRegisterSets.Regs | KvmRegisterSets.Sregs);
        if (Vm.IrqchipMode == KvmIrqchipMode.Split)
            Assert.Equal(ZxStatus.Ok, Vcpu.EnableLapic());
    }

    private void WritePageTables()
    {
        const ulong present = 1, writable = 2, user = 4, large = 0x80;
        const ulong table = present | writable | user;
        WriteU64(Pml4, Pdpt | table);
        WriteU64(Pdpt + 0 * 8, Pd | table);
        WriteU64(Pdpt + 3 * 8, PdHigh | table);
        for (ulong i = 0; i < 512; i++)
        {
            WriteU64(Pd + i * 8, (i << 21) | table | large);
            WriteU64(PdHigh + i * 8, ((3UL << 30) + (i << 21)) | table | large);
        }
    }

    /// <summary>Assembles <paramref name="code"/> at <see cref="Entry"/> and copies it into the guest.</summary>
    public AssemblerResult Load(Assembler code)
    {
        var stream = new MemoryStream();
        AssemblerResult result = code.Assemble(new StreamCodeWriter(stream), Entry, BlockEncoderOptions.ReturnNewInstructionOffsets);
        Assert.True(stream.Length <= (long)(PdHigh - Entry), "guest code too large");
        stream.ToArray().CopyTo(Memory[(int)Entry..]);
        return result;
    }

    /// <summary>
    /// Writes a flat GDT (kernel code/data, user data/code, a TSS with RSP0) and loads it, the TSS
    /// and flat segments into the VCPU, so the guest can take interrupts and go to ring 3.
    /// With <paramref name="loadIdt"/> the IDT at <see cref="Idt"/> is loaded too (else the guest runs LIDT).
    /// </summary>
    public void UseDescriptorTables(bool loadIdt = true)
    {
        WriteU64(Gdt + 0x00, 0);
        WriteU64(Gdt + 0x08, 0x00AF9B000000FFFF); // kernel code, 64-bit
        WriteU64(Gdt + 0x10, 0x00CF93000000FFFF); // kernel data
        WriteU64(Gdt + 0x18, 0x00CFF3000000FFFF); // user data (DPL 3)
        WriteU64(Gdt + 0x20, 0x00AFFB000000FFFF); // user code, 64-bit (DPL 3)
        // A 64-bit TSS (0x68 bytes) followed by an I/O permission bitmap that allows ports
        // 0..0xFF to ring 3 (PVM clears RFLAGS.IOPL, so the bitmap is how ring 3 may use OUT).
        const ulong tssLimit = 0x68 + 32;
        WriteU64(Gdt + 0x28, tssLimit | ((Tss & 0xFFFFFF) << 16) | (0x89UL << 40) | (((Tss >> 24) & 0xFF) << 56));
        WriteU64(Gdt + 0x30, Tss >> 32);
        WriteU64(Tss + 4, Stack0Top);                 // RSP0: the stack interrupts from ring 3 use
        BinaryPrimitives.WriteUInt16LittleEndian(Memory[(int)(Tss + 0x66)..], 0x68);
        Memory.Slice((int)Tss + 0x68, 32).Clear();
        Memory[(int)Tss + 0x68 + 32] = 0xFF;

        ref kvm_sregs s = ref Vcpu.Sregs;
        s.gdt = new kvm_dtable { @base = Gdt, limit = GdtEntries * 8 - 1 };
        if (loadIdt)
            s.idt = new kvm_dtable { @base = Idt, limit = 256 * 16 - 1 };
        s.cs = FlatSegment(KernelCs, type: 0xB, code: true);
        s.ds = s.es = s.fs = s.gs = s.ss = FlatSegment(KernelDs, type: 0x3, code: false);
        s.tr = new kvm_segment { @base = Tss, limit = (uint)tssLimit, selector = TssSelector, type = 0xB, present = 1 };
        Vcpu.MarkDirty(KvmRegisterSets.Sregs);
    }

    private static kvm_segment FlatSegment(ushort selector, byte type, bool code) => new()
    {
        limit = 0xFFFFFFFF,
        selector = selector,
        type = type,
        present = 1,
        s = 1,
        l = code ? (byte)1 : (byte)0,
        db = code ? (byte)0 : (byte)1,
        g = 1,
    };

    /// <summary>Points IDT entry <paramref name="vector"/> at <paramref name="handler"/> (interrupt gate, DPL 3).</summary>
    public void SetInterruptGate(int vector, ulong handler)
    {
        ulong gate = Idt + (ulong)vector * 16;
        WriteU64(gate, (handler & 0xFFFF) | ((ulong)KernelCs << 16) | (0xEEUL << 40) | (((handler >> 16) & 0xFFFF) << 48));
        WriteU64(gate + 8, handler >> 32);
    }

    /// <summary>Maps extra host memory into the guest (e.g. read-only) at <paramref name="guestAddress"/>.</summary>
    public int MapExtra(ulong guestAddress, ulong size, bool readOnly, out Span<byte> contents)
    {
        Assert.Equal(ZxStatus.Ok, SharedMemory.Create("test-extra", size, out SharedMemory? memory));
        Assert.Equal(ZxStatus.Ok, HostMappings.Map(memory!, 0, size, true, true, false, 0, false, out ulong host));
        memory!.Dispose(); // the mapping keeps the pages
        _hostMappings.Add((host, size));
        Assert.Equal(ZxStatus.Ok, Vm.MapMemory(guestAddress, size, host, readOnly, out int slot));
        contents = HostMappings.AsSpan(host, (int)size);
        return slot;
    }

    public void WriteU64(ulong guestAddress, ulong value) =>
        BinaryPrimitives.WriteUInt64LittleEndian(Memory[(int)guestAddress..], value);

    public ulong ReadU64(ulong guestAddress) => BinaryPrimitives.ReadUInt64LittleEndian(Memory[(int)guestAddress..]);

    /// <summary>Runs the VCPU once; a watchdog kicks it after <paramref name="timeoutMs"/> and the run then fails the test.</summary>
    public KvmExit Run(int timeoutMs = 10_000)
    {
        bool timedOut = false;
        var timer = new Timer(_ =>
        {
            timedOut = true;
            Vcpu.Kick();
        }, null, timeoutMs, Timeout.Infinite);
        ZxStatus status = Vcpu.Run(out KvmExit exit);
        using (var done = new ManualResetEvent(false))
        {
            timer.Dispose(done);
            done.WaitOne();
        }
        Assert.Equal(ZxStatus.Ok, status);
        if (timedOut && exit.Kind == KvmExitKind.Intr)
            throw new TimeoutException($"guest did not exit within {timeoutMs} ms (RIP 0x{Vcpu.Regs.rip:x})");
        return exit;
    }

    /// <summary>Runs and expects an OUT to <paramref name="port"/>; returns its data.</summary>
    public uint RunToOut(ushort port, int timeoutMs = 10_000)
    {
        KvmExit exit = Run(timeoutMs);
        Assert.True(exit.Kind == KvmExitKind.Io && exit.Io.IsWrite && exit.Io.Port == port,
            $"expected OUT to 0x{port:x}, got {exit} at RIP 0x{Vcpu.Regs.rip:x}");
        return exit.Io.Data;
    }

    public void Dispose()
    {
        Vcpu?.Dispose();
        Vm.Dispose();
        foreach (var (address, size) in _hostMappings)
            HostMappings.Unmap(address, size);
        _memory.Dispose();
    }
}
