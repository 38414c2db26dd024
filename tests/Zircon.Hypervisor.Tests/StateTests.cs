using System.Buffers.Binary;

namespace Zircon.Hypervisor.Tests;

/// <summary><c>zx_vcpu_read_state</c> / <c>zx_vcpu_write_state</c> against a real guest.</summary>
public class StateTests
{
    private const ulong Scratch = 0x7000; // free guest memory below the descriptor pointers
    private const ulong UserFlags = 0x244DD5, CF = 0x1, DF = 0x400, OF = 0x800, IF = 0x200, AC = 0x40000;

    private static readonly AssemblerRegister64[] s_registers =
        [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15];

    private static ulong[] Values(ZxVcpuState s) =>
        [s.Rax, s.Rcx, s.Rdx, s.Rbx, s.Rsp, s.Rbp, s.Rsi, s.Rdi, s.R8, s.R9, s.R10, s.R11, s.R12, s.R13, s.R14, s.R15];

    private static ZxVcpuState State(ulong[] v, ulong rflags) => new()
    {
        Rax = v[0], Rcx = v[1], Rdx = v[2], Rbx = v[3], Rsp = v[4], Rbp = v[5], Rsi = v[6], Rdi = v[7],
        R8 = v[8], R9 = v[9], R10 = v[10], R11 = v[11], R12 = v[12], R13 = v[13], R14 = v[14], R15 = v[15],
        Rflags = rflags,
    };

    private static ulong Distinct(int i) => 0x0101_0101_0101_0101UL * (ulong)(i + 1) ^ 0x8000_0000_0000_0000UL;

    [HypervisorFact]
    public void ReadWriteState_ZirconSequence_GuestAddsToEveryRegister_RflagsZeroLeavesFlagsAlone()
    {
        // Zircon's vcpu_read_write_state: write 1..16 (RSP included, rflags 0), the guest adds 1..16 and
        // sets CF and AC; read back 2, 4, ... 32 and rflags CF|AC. PVM cannot emulate STAC at CPL0,
        // so AC is set with POPFQ (RSP is saved in memory around the stack use).
        using var g = TestGuest.Create(a =>
        {
            for (int i = 0; i < 16; i++)
                a.add(s_registers[i], i + 1);
            a.mov(__qword_ptr[(long)Scratch], rsp);
            a.mov(rsp, TestGuest.StackTop);
            a.pushfq();
            a.or(__dword_ptr[rsp], (int)(CF | AC));
            a.popfq();
            a.mov(rsp, __qword_ptr[(long)Scratch]);
            TestGuest.Exit(a);
        });
        g.WriteState(State([.. Enumerable.Range(1, 16).Select(i => (ulong)i)], rflags: 0));
        g.ResumeToExit();
        ZxVcpuState s = g.ReadState();
        Assert.Equal(Enumerable.Range(1, 16).Select(i => (ulong)(2 * i)), Values(s));
        Assert.Equal(CF | AC, s.Rflags);
    }

    [HypervisorFact]
    public void WriteState_AllSixteenRegisters_AreSeenByTheGuest()
    {
        ulong[] values = [.. Enumerable.Range(0, 16).Select(Distinct)];
        using var g = TestGuest.Create(a =>
        {
            for (int i = 0; i < 16; i++)
                a.mov(__qword_ptr[(long)(Scratch + (ulong)i * 8)], s_registers[i]);
            TestGuest.Exit(a);
        });
        g.WriteState(State(values, rflags: 0));
        g.ResumeToExit();
        ulong[] stored = [.. Enumerable.Range(0, 16).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(g.Memory[(int)(Scratch + (ulong)i * 8)..]))];
        Assert.Equal(values, stored);
    }

    [HypervisorFact]
    public void WriteState_BetweenExits_IsSeenByTheNextInstructions()
    {
        using var g = TestGuest.Create(a =>
        {
            TestGuest.Exit(a);
            a.lea(rax, __[rbx + rcx]);
            a.@out((byte)TestGuest.TrapPort, eax);
            TestGuest.Exit(a);
        });
        Assert.Equal(ZxStatus.Ok, Syscalls.GuestSetTrap(g.Guest, (uint)ZxGuestTrap.Io, TestGuest.TrapPort, 1, ZxHandleValues.Invalid, 0));
        g.ResumeToExit();
        ZxVcpuState s = g.ReadState();
        s.Rbx = 0x1000_0000;
        s.Rcx = 0x0234_5678;
        g.WriteState(s);
        ZxPortPacket p = g.Resume();
        Assert.Equal((ZxPacketType.GuestIo, 0x1234_5678u), (p.Type, p.GuestIo.U32));
        g.ResumeToExit();
    }

    [HypervisorFact]
    public void ReadState_AfterTheGuestRan_ReportsAllSixteenRegisters()
    {
        ulong[] values = [.. Enumerable.Range(0, 16).Select(Distinct)];
        using var g = TestGuest.Create(a =>
        {
            for (int i = 0; i < 16; i++)
                a.mov(s_registers[i], values[i]);
            TestGuest.Exit(a);
        });
        g.ResumeToExit();
        Assert.Equal(values, Values(g.ReadState()));
    }

    [HypervisorFact]
    public void ReadState_ReportsOnlyUserFlags_AndWriteStateKeepsTheOthers()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rsp, TestGuest.StackTop);
            a.sti();
            TestGuest.Exit(a);        // 1: IF=1 in the guest
            a.pushfq();
            a.pop(rbx);               // what the guest sees after the host wrote rflags
            a.cli();
            TestGuest.Exit(a);        // 2
        });
        g.ResumeToExit();
        ZxVcpuState s = g.ReadState();
        Assert.Equal(0ul, s.Rflags & ~UserFlags); // neither IF nor the reserved bit 1 is reported
        Assert.Equal(0ul, s.Rflags & IF);

        s.Rflags = 0x2 | CF | DF | OF; // reserved bit set: the user flags are replaced, IF stays
        g.WriteState(s);
        g.ResumeToExit();
        s = g.ReadState();
        Assert.Equal(CF | DF | OF | IF | 0x2, s.Rbx & (UserFlags | IF | 0x2));
        Assert.Equal(CF | DF | OF, s.Rflags);
    }

    [HypervisorFact]
    public void WriteState_RflagsWithoutTheReservedBit_LeavesTheGuestsFlags()
    {
        using var g = TestGuest.Create(a =>
        {
            a.mov(rsp, TestGuest.StackTop);
            a.stc();
            a.std();
            TestGuest.Exit(a);
            a.pushfq();
            a.pop(rbx);
            a.cld();
            TestGuest.Exit(a);
        });
        g.ResumeToExit();
        ZxVcpuState s = g.ReadState();
        Assert.Equal(CF | DF, s.Rflags & (CF | DF));
        s.Rflags = AC | OF; // bit 1 clear: ignored
        g.WriteState(s);
        g.ResumeToExit();
        Assert.Equal(CF | DF, g.ReadState().Rbx & (CF | DF | AC | OF));
    }
}
