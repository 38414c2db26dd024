namespace Zircon.Hypervisor.Tests;

/// <summary>Processor modes: compatibility mode, SYSCALL/SYSRET, and application processors in real mode.</summary>
public class ModeTests
{
    private const uint Mem = (uint)ZxGuestTrap.Mem, Io = (uint)ZxGuestTrap.Io;

    [HypervisorFact]
    public void CompatibilityMode_IoAndMemExits_ReportOperandSizeFromCsD()
    {
        const ulong Code32 = 0x3000, Code16 = 0x3800, Back64 = 0x3C00;
        const byte Code16Sel = (byte)TestGuest.Code16Selector, Code64Sel = (byte)TestGuest.Code64Selector;
        using var g = TestGuest.Create(a =>
        {
            TestGuest.LoadDescriptorTables(a);
            TestGuest.EnterFlatSegments(a);
            a.push(TestGuest.Code32Selector);
            a.push((int)Code32);
            a.db(0x48, 0xCB); // retfq into the 32-bit code segment (CS.L=0, CS.D=1)
        });
        g.WriteDescriptorTables(TestGuest.HandlerBase);
        g.WriteCode(Code32, a =>
        {
            a.mov(eax, 0x1122_3344);
            a.@out((byte)TestGuest.TrapPort, eax);
            a.mov(__dword_ptr[(int)TestGuest.TrapAddr], 0x55); // C7 05 disp32 imm32
            a.db(0xEA, (byte)(Code16 & 0xFF), (byte)(Code16 >> 8), 0, 0, Code16Sel, 0); // jmp far 0x20:Code16
        }, bitness: 32);
        g.WriteCode(Code16, a =>
        {
            // a32 o32 mov dword [TrapAddr], 0x66
            a.db(0x67, 0x66, 0xC7, 0x05, 0x00, 0xE0, 0xFF, 0x00, 0x66, 0x00, 0x00, 0x00);
            a.db(0xEA, (byte)(Back64 & 0xFF), (byte)(Back64 >> 8), Code64Sel, 0); // jmp far 0x08:Back64
        }, bitness: 16);
        g.WriteCode(Back64, TestGuest.Exit);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, Io, TestGuest.TrapPort, 1, ZxHandleValues.Invalid, 1));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, Mem, TestGuest.TrapAddr, TestGuest.Page, ZxHandleValues.Invalid, 2));

        ZxPortPacket p = g.Resume();
        Assert.Equal((ZxPacketType.GuestIo, (ushort)TestGuest.TrapPort, (byte)4, 0x1122_3344u), (p.Type, p.GuestIo.Port, p.GuestIo.AccessSize, p.GuestIo.U32));

        p = g.Resume();
        Assert.Equal((ZxPacketType.GuestMem, 2ul, TestGuest.TrapAddr), (p.Type, p.Key, p.GuestMem.Addr));
        Assert.Equal(4, p.GuestMem.DefaultOperandSize);
        Assert.Equal(new byte[] { 0xC7, 0x05, 0x00, 0xE0, 0xFF, 0x00, 0x55, 0x00, 0x00, 0x00 }, ((ReadOnlySpan<byte>)p.GuestMem.InstBuf)[..p.GuestMem.InstLen].ToArray());

        p = g.Resume();
        Assert.Equal((ZxPacketType.GuestMem, TestGuest.TrapAddr), (p.Type, p.GuestMem.Addr));
        Assert.Equal(2, p.GuestMem.DefaultOperandSize); // CS.D = 0
        Assert.Equal(12, p.GuestMem.InstLen);

        p = g.ResumeToExit();
        Assert.Equal(4, p.GuestMem.DefaultOperandSize); // back in 64-bit mode
    }

    [HypervisorFact]
    public void SyscallSysret_ZirconsVcpuSyscall_Ring3SyscallReachesLstar()
    {
        // Zircon's vcpu_syscall: STAR/LSTAR are set, SYSRETQ drops to ring 3, ring 3 runs SYSCALL, and
        // the LSTAR handler writes the exit. Zircon checks only that the exit is reached. Here also
        // RCX/R11 as SYSCALL sets them. On PVM SYSCALL from ring 3 reaches LSTAR but stays at CPL3
        // (docs/semantics.md §10); the exit write works from either ring (the pages are user pages), so the
        // test holds on both kinds of host. CS at the handler is recorded: 0x08 on VMX, 0x3B on PVM.
        const ulong Ring3 = 0x2400, Handler = 0x2800;
        ulong syscallEnd = 0;
        using var g = TestGuest.Create(a =>
        {
            TestGuest.LoadDescriptorTables(a);
            a.xor(eax, eax);
            a.mov(edx, (TestGuest.User32Selector << 16) | TestGuest.Code64Selector);
            a.mov(ecx, 0xC000_0081); // STAR
            a.wrmsr();
            a.xor(edx, edx);
            a.mov(eax, (uint)Handler);
            a.mov(ecx, 0xC000_0082); // LSTAR
            a.wrmsr();
            a.pushfq();
            a.pop(r11);
            a.mov(rcx, Ring3);
            a.sysretq();
        });
        g.WriteDescriptorTables(TestGuest.HandlerBase);
        g.WriteCode(Ring3, a =>
        {
            a.mov(r13d, AssemblerRegisters.cs); // 41 8C CD
            a.mov(r12d, 0x1234);                // 41 BC imm32
            a.syscall();                        // 0F 05
        });
        syscallEnd = Ring3 + 3 + 6 + 2;
        g.WriteCode(Handler, a =>
        {
            a.mov(eax, AssemblerRegisters.cs);
            TestGuest.Exit(a);
        });
        g.ResumeToExit();
        ZxVcpuState s = g.ReadState();
        Assert.Equal(0x1234ul, s.R12);             // ring 3 ran
        Assert.Equal(syscallEnd, s.Rcx);           // SYSCALL saved the return address
        Assert.Equal(0x2ul, s.R11 & 0x2);          // and RFLAGS in R11
        Assert.Equal(3ul, s.R13 & 3);             // SYSRETQ reached ring 3
        ulong cs = s.Rax & 0xFFFF;
        // VMX: the SYSCALL target runs with CS = STAR[47:32] = 0x08. PVM: it stays in ring 3 with the
        // same CS as before the SYSCALL (PVM reports its own user CS, 0x33, rather than the GDT's 0x3B).
        Assert.True(cs == TestGuest.Code64Selector || cs == (s.R13 & 0xFFFF), $"CS in ring 3 {s.R13:X}, at the SYSCALL target {cs:X}");
    }

    [HypervisorFact]
    public void SecondVcpu_CreatedOnAnotherThread_StartsInRealModeAtItsEntry()
    {
        // docs/semantics.md §8.2: an AP starts in real mode with CS.base = entry, CS.selector = entry >> 4, IP = 0.
        const ulong ApEntry = 0xC000, ApTrapPage = 0xE000;
        using var g = TestGuest.Create(TestGuest.Exit); // the BSP (VCPU id 0) is created on this thread
        g.WriteCode(ApEntry, a =>
        {
            a.mov(ax, 0x1234);             // B8 34 12: in 64-bit mode this would eat the next bytes
            a.@out((byte)TestGuest.TrapPort, al);
            a.db(0xA3, 0x00, 0xE0); // mov [0xE000], ax
            a.hlt();
        }, bitness: 16);
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, Io, TestGuest.TrapPort, 1, ZxHandleValues.Invalid, 5));
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, Mem, ApTrapPage, TestGuest.Page, ZxHandleValues.Invalid, 6));

        ZxStatus ioStatus = ZxStatus.ErrInternal, memStatus = ZxStatus.ErrInternal;
        ZxPortPacket io = default, mem = default;
        ulong rax = 0;
        uint ap = 0;
        var thread = new Thread(() =>
        {
            if (Syscalls.VcpuCreate(g.Guest, 0, ApEntry, out ap) != ZxStatus.Ok)
                return;
            ioStatus = Syscalls.VcpuResume(ap, out io);
            memStatus = Syscalls.VcpuResume(ap, out mem);
            Span<byte> buffer = stackalloc byte[136];
            if (Syscalls.VcpuReadState(ap, (uint)ZxVcpuStateKind.State, buffer) == ZxStatus.Ok)
                rax = System.Runtime.InteropServices.MemoryMarshal.Read<ZxVcpuState>(buffer).Rax;
        }) { IsBackground = true };
        thread.Start();
        bool finished = thread.Join(TimeSpan.FromSeconds(10));
        if (!finished)
            Syscalls.VcpuKick(ap);
        Assert.True(finished, "the AP never ran (resume did not return)");
        Syscalls.HandleClose(ap);
        Assert.Equal(ZxStatus.Ok, ioStatus);
        Assert.Equal((5ul, ZxPacketType.GuestIo, (ushort)TestGuest.TrapPort, (byte)1, (byte)0x34), (io.Key, io.Type, io.GuestIo.Port, io.GuestIo.AccessSize, io.GuestIo.U8));
        Assert.Equal(ZxStatus.Ok, memStatus);
        Assert.Equal((6ul, ZxPacketType.GuestMem, ApTrapPage), (mem.Key, mem.Type, mem.GuestMem.Addr));
        Assert.Equal(2, mem.GuestMem.DefaultOperandSize);
        Assert.Equal(new byte[] { 0xA3, 0x00, 0xE0 }, ((ReadOnlySpan<byte>)mem.GuestMem.InstBuf)[..mem.GuestMem.InstLen].ToArray());
        Assert.Equal(0x1234ul, rax);

        g.ResumeToExit(); // the BSP is unaffected
    }

    [HypervisorFact]
    public void VcpuRecreatedOnTheSameThread_AfterClosingTheFirst_RunsAsTheBootstrapProcessor()
    {
        // vcpu_invalid_thread_reuse: after the VCPU is destroyed the thread may create another, which
        // (taking VPID 1 again) starts in 64-bit mode at the entry.
        using var g = TestGuest.Create(a =>
        {
            a.mov(eax, 0x77);
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.ErrBadState, Syscalls.VcpuCreate(g.Guest, 0, TestGuest.GuestEntry, out _));
        g.ResumeToExit();
        Assert.Equal(ZxStatus.Ok, Syscalls.HandleClose(g.Vcpu));
        g.CreateVcpu();

        ZxStatus status = ZxStatus.ErrInternal;
        ZxPortPacket p = default;
        uint vcpu = g.Vcpu;
        using var finished = new ManualResetEventSlim();
        var guard = new Thread(() =>
        {
            if (!finished.Wait(TimeSpan.FromSeconds(10)))
                Syscalls.VcpuKick(vcpu);
        }) { IsBackground = true };
        guard.Start();
        status = Syscalls.VcpuResume(vcpu, out p);
        finished.Set();
        guard.Join();
        Assert.Equal(ZxStatus.Ok, status); // CANCELED here means the VCPU never ran (the guard kicked it)
        Assert.Equal((ZxPacketType.GuestMem, TestGuest.ExitTestAddr), (p.Type, p.GuestMem.Addr));
        Assert.Equal(0x77ul, g.ReadState().Rax);
    }
}
