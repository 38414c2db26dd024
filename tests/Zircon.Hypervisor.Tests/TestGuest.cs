using System.Buffers.Binary;
using Zircon.Linux.Libc;

namespace Zircon.Hypervisor.Tests;

/// <summary>
/// A guest set up the way Zircon's own hypervisor tests do it: a 16 MiB VMO at guest-physical 0
/// (also mapped into this process), identity page tables with CR3 = 0, code at 0x2000, a MEM trap
/// (key 0, no port) on the last page as the "exit", and a VCPU entering at 0x2000. The page
/// tables use 2 MiB pages, since 1 GiB pages fault on PVM hosts (docs/semantics.md §10).
/// Must be created and resumed on the test's own thread (VCPUs are thread-bound).
/// </summary>
internal sealed class TestGuest : IDisposable
{
    public const ulong VmoSize = 0x100_0000;
    public const ulong Page = 0x1000;
    public const ulong GuestEntry = 0x2000;
    public const ulong TrapAddr = VmoSize - 2 * Page;
    public const ulong ExitTestAddr = VmoSize - Page;
    public const ushort TrapPort = 0x11;
    public const ulong StackTop = GuestEntry + 0x1000 + 0x3000; // past the code pages
    public const ulong DescriptorPointers = 0x7F00, Gdt = 0x8000, Idt = 0x9000, HandlerBase = 0xA000;

    /// <summary>
    /// Selectors of the GDT <see cref="WriteDescriptorTables"/> writes. 0x08 and 0x10 are what the
    /// IDT gates and ordinary tests use; the others serve mode tests. User32/UserData/User64 are laid
    /// out for SYSRET (STAR[63:48] = User32: SS = User32 + 8, 64-bit CS = User32 + 16).
    /// </summary>
    public const ushort Code64Selector = 0x08, DataSelector = 0x10, Code32Selector = 0x18, Code16Selector = 0x20,
        User32Selector = 0x28, UserDataSelector = 0x30, User64Selector = 0x38;
    private const ulong Pml4 = 0x0, Pdpt = 0x1000, Pd = 0x10000;

    private TestGuest(uint guest, uint vmar, uint vmo, ulong host)
    {
        Guest = guest;
        Vmar = vmar;
        Vmo = vmo;
        HostAddress = host;
    }

    public uint Guest { get; }
    public uint Vmar { get; }
    public uint Vmo { get; }
    public uint Vcpu { get; private set; }
    public ulong HostAddress { get; }

    /// <summary>Guest memory as the host sees it.</summary>
    public Span<byte> Memory => HostMappings.AsSpan(HostAddress, (int)VmoSize);

    /// <summary>Builds the guest with <paramref name="code"/> at 0x2000; <paramref name="code"/> usually ends with <see cref="Exit"/>.</summary>
    public static TestGuest Create(Action<Assembler> code, bool createVcpu = true)
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestCreate(Syscalls.GetRootResource(), 0, out uint guest, out uint vmar));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoCreate(VmoSize, 0, out uint vmo));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmoReplaceAsExecutable(vmo, Syscalls.GetRootResource(), out vmo));
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(vmar, ZxVmOptions.PermRead | ZxVmOptions.PermWrite | ZxVmOptions.PermExecute | ZxVmOptions.Specific,
            0, vmo, 0, VmoSize, out ulong guestAddr));
        Assert.Equal(0ul, guestAddr);
        Assert.Equal(ZxStatus.Ok, Syscalls.VmarMap(Syscalls.VmarRootSelf(), ZxVmOptions.PermRead | ZxVmOptions.PermWrite, 0, vmo, 0, VmoSize, out ulong host));
        var t = new TestGuest(guest, vmar, vmo, host);
        t.WritePageTables();
        t.WriteCode(GuestEntry, code);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(guest, (uint)ZxGuestTrap.Mem, ExitTestAddr, Page, ZxHandleValues.Invalid, 0));
        if (createVcpu)
            t.CreateVcpu();
        return t;
    }

    public void CreateVcpu()
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuCreate(Guest, 0, GuestEntry, out uint vcpu));
        Vcpu = vcpu;
    }

    /// <summary>Zircon's standard exit: <c>movq $0, (EXIT_TEST_ADDR)</c>, 12 bytes.</summary>
    public static void Exit(Assembler a) => a.mov(__qword_ptr[(long)ExitTestAddr], 0);

    /// <summary>Assembles <paramref name="code"/> for <paramref name="bitness"/>-bit mode (64, 32 or 16) at <paramref name="address"/>.</summary>
    public void WriteCode(ulong address, Action<Assembler> code, int bitness = 64)
    {
        var a = new Assembler(bitness);
        code(a);
        var writer = new CodeBuffer();
        a.Assemble(writer, address);
        writer.Bytes.CopyTo(Memory[(int)address..]);
    }

    public ZxPortPacket Resume()
    {
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuResume(Vcpu, out ZxPortPacket packet));
        return packet;
    }

    /// <summary>Resumes and checks the guest stopped at the standard exit.</summary>
    public ZxPortPacket ResumeToExit()
    {
        ZxPortPacket packet = Resume();
        Assert.Equal(ZxPacketType.GuestMem, packet.Type);
        Assert.Equal(ExitTestAddr, packet.GuestMem.Addr);
        return packet;
    }

    public ZxVcpuState ReadState()
    {
        Span<byte> buffer = stackalloc byte[136];
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuReadState(Vcpu, (uint)ZxVcpuStateKind.State, buffer));
        return System.Runtime.InteropServices.MemoryMarshal.Read<ZxVcpuState>(buffer);
    }

    public void WriteState(ZxVcpuState state)
    {
        Span<byte> buffer = stackalloc byte[136];
        System.Runtime.InteropServices.MemoryMarshal.Write(buffer, in state);
        Assert.Equal(ZxStatus.Ok, Syscalls.VcpuWriteState(Vcpu, (uint)ZxVcpuStateKind.State, buffer));
    }

    /// <summary>Guest code loading the GDT and IDT <see cref="WriteDescriptorTables"/> wrote, and a stack.</summary>
    public static void LoadDescriptorTables(Assembler a)
    {
        a.lgdt(__[(long)DescriptorPointers]);
        a.lidt(__[(long)(DescriptorPointers + 16)]);
        a.mov(rsp, StackTop);
    }

    /// <summary>
    /// After <see cref="LoadDescriptorTables"/>: reloads CS with <see cref="Code64Selector"/> (a far
    /// return) and the data segments with <see cref="DataSelector"/>, so that IRETQ back to this code
    /// works (Zircon's initial CS selector is 0). Clobbers RAX.
    /// </summary>
    public static void EnterFlatSegments(Assembler a)
    {
        Label reloaded = a.CreateLabel();
        a.push(Code64Selector);
        a.lea(rax, __[reloaded]);
        a.push(rax);
        a.db(0x48, 0xCB); // retfq
        a.Label(ref reloaded);
        a.mov(eax, DataSelector);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(ss, ax);
    }

    /// <summary>Writes the GDT and an IDT whose vector v points at <paramref name="handlerBase"/> + v * 16.</summary>
    public void WriteDescriptorTables(ulong handlerBase)
    {
        Span<byte> m = Memory;
        BinaryPrimitives.WriteUInt16LittleEndian(m[(int)DescriptorPointers..], 8 * 8 - 1);
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(DescriptorPointers + 2)..], Gdt);
        BinaryPrimitives.WriteUInt16LittleEndian(m[(int)(DescriptorPointers + 16)..], 256 * 16 - 1);
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(DescriptorPointers + 18)..], Idt);
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)Gdt..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Gdt + 8)..], 0x00AF_9A00_0000_FFFF); // 64-bit code
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Gdt + 16)..], 0x00CF_9200_0000_FFFF); // data
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Gdt + 24)..], 0x00CF_9A00_0000_FFFF); // 32-bit code (D=1)
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Gdt + 32)..], 0x008F_9A00_0000_FFFF); // 16-bit code (D=0, L=0)
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Gdt + 40)..], 0x00CF_FA00_0000_FFFF); // user 32-bit code
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Gdt + 48)..], 0x00CF_F200_0000_FFFF); // user data
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Gdt + 56)..], 0x00AF_FA00_0000_FFFF); // user 64-bit code
        for (ulong v = 0; v < 256; v++)
        {
            ulong handler = handlerBase + v * 16;
            ulong low = (handler & 0xFFFF) | (0x08UL << 16) | (0x8E00UL << 32) | ((handler >> 16 & 0xFFFF) << 48);
            BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Idt + v * 16)..], low);
            BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Idt + v * 16 + 8)..], handler >> 32);
        }
    }

    /// <summary>At <paramref name="handlerBase"/> + v * 16: <c>mov eax, v; mov [EXIT], 0</c> — the ISR of Zircon's tests (16 bytes each).</summary>
    public void WriteVectorHandlers(ulong handlerBase)
    {
        for (uint v = 0; v < 256; v++)
        {
            uint vector = v;
            WriteCode(handlerBase + v * 16, a =>
            {
                a.mov(eax, vector);   // 5 bytes
                a.mov(__dword_ptr[(long)ExitTestAddr], 0); // 11 bytes
            });
        }
    }

    private void WritePageTables()
    {
        Span<byte> m = Memory;
        const ulong PresentWriteUser = 0x7, LargePage = 0x80;
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)Pml4..], Pdpt | PresentWriteUser);
        BinaryPrimitives.WriteUInt64LittleEndian(m[(int)Pdpt..], Pd | PresentWriteUser);
        for (ulong i = 0; i < 512; i++)
            BinaryPrimitives.WriteUInt64LittleEndian(m[(int)(Pd + i * 8)..], (i << 21) | PresentWriteUser | LargePage);
    }

    public void Dispose()
    {
        Syscalls.VmarUnmap(Syscalls.VmarRootSelf(), HostAddress, VmoSize);
        Syscalls.HandleClose(Vcpu);
        Syscalls.HandleClose(Vmo);
        Syscalls.HandleClose(Vmar);
        Syscalls.HandleClose(Guest);
    }

    private sealed class CodeBuffer : CodeWriter
    {
        public List<byte> Bytes { get; } = new();

        public override void WriteByte(byte value) => Bytes.Add(value);

        public void CopyTo(Span<byte> destination) => Bytes.ToArray().CopyTo(destination);
    }
}
