using Iced.Intel;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// Finds the instruction behind a MEM trap exit: its bytes, fetched through the guest's page
/// tables, and its length. At a read exit RIP is at the instruction; at a write exit KVM has
/// already moved RIP past it, so the start is found by trying each candidate RIP-1..RIP-15,
/// decoding forward, and keeping the longest whose length ends exactly at RIP, whose memory
/// operand is the faulting address, whose access size is the exit's and, for a MOV store, whose
/// source is the data written (so a real REX or 0x66 prefix is kept and a stray one is not).
/// </summary>
internal static class TrappedInstructionDecoder
{
    private const int MaxLength = 15;

    public static ZxStatus Decode(GuestAddressSpace memory, in GuestControlState control, in GuestRegisters regs, in VcpuMmioAccess access,
        Span<byte> instruction, out int length)
    {
        length = 0;
        int bitness = control.Is64BitCode ? 64 : control.CodeDefault32 ? 32 : 16;
        ulong rip = regs.Rip;
        if (!access.IsWrite)
        {
            int fetched = Fetch(memory, control, rip, instruction[..MaxLength]);
            if (fetched == 0)
                return ZxStatus.ErrNotFound;
            Instruction instr = ThreadDecoder.Decode(bitness, instruction[..fetched], rip);
            if (instr.IsInvalid)
                return ZxStatus.ErrNotSupported;
            length = instr.Length;
            return ZxStatus.Ok;
        }

        // A store whose value can be checked against the exit's data beats one that cannot (the byte
        // before a MOV may make it look like a longer read-modify-write: 11 A3 00 E0 "adc" vs A3 00 E0
        // "mov"); among equals the longest wins.
        Span<byte> candidate = stackalloc byte[MaxLength];
        int fallbackLength = 0;
        for (int candidateLength = MaxLength; candidateLength >= 1; candidateLength--)
        {
            ulong ip = rip - (ulong)candidateLength;
            Span<byte> bytes = candidate[..candidateLength];
            if (Fetch(memory, control, ip, bytes) != candidateLength)
                continue; // starts on a page that is not mapped
            Instruction instr = ThreadDecoder.Decode(bitness, bytes, ip);
            if (instr.IsInvalid || instr.Length != candidateLength || !Matches(memory, control, regs, access, instr))
                continue;
            bool? stores = StoresExitData(instr, regs, access);
            if (stores == false)
                continue;
            if (stores == true)
            {
                bytes.CopyTo(instruction);
                length = candidateLength;
                return ZxStatus.Ok;
            }
            if (fallbackLength == 0)
            {
                bytes.CopyTo(instruction);
                fallbackLength = candidateLength;
            }
        }
        length = fallbackLength;
        return fallbackLength != 0 ? ZxStatus.Ok : ZxStatus.ErrNotSupported;
    }

    /// <summary>
    /// For a plain MOV to memory from a general register or an immediate: whether the value it stores
    /// is the exit's data. Null when the instruction is of another kind and cannot be checked.
    /// </summary>
    private static bool? StoresExitData(in Instruction instr, in GuestRegisters regs, in VcpuMmioAccess access)
    {
        if (instr.Mnemonic != Mnemonic.Mov || instr.OpCount != 2 || instr.Op0Kind != OpKind.Memory || access.Length is 0 or > 8)
            return null;
        ulong value;
        switch (instr.Op1Kind)
        {
            case OpKind.Register when instr.Op1Register.IsGPR():
                value = Read(instr.Op1Register.GetFullRegister(), regs);
                if (instr.Op1Register is Register.AH or Register.CH or Register.DH or Register.BH)
                    value >>= 8;
                break;
            case OpKind.Immediate8 or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate32to64 or OpKind.Immediate64:
                value = instr.GetImmediate(1);
                break;
            default:
                return null;
        }
        ulong mask = access.Length == 8 ? ulong.MaxValue : (1UL << (int)(access.Length * 8)) - 1;
        return (value & mask) == (access.Data & mask);
    }

    private static bool Matches(GuestAddressSpace memory, in GuestControlState control, in GuestRegisters regs, in VcpuMmioAccess access, in Instruction instr)
    {
        int memoryOperand = -1;
        for (int i = 0; i < instr.OpCount; i++)
        {
            if (instr.GetOpKind(i) == OpKind.Memory)
                memoryOperand = i;
        }
        if (memoryOperand < 0)
            return false;
        int size = instr.MemorySize.GetSize();
        if (size != 0 && size != (int)access.Length)
            return false;
        ulong linear = EffectiveAddress(instr, regs, control);
        if (!GuestPageWalker.TryTranslate(memory, control, linear, out ulong physical) || physical != access.Address)
            return false;
        return !access.IsWrite || StoresData(instr, regs, access);
    }

    /// <summary>
    /// For a MOV store, whether its source is the value the exit wrote: a REX prefix read from the
    /// previous instruction's bytes (e.g. 44 89 10, "mov [rax], r10d", before the real 89 10) keeps
    /// the address and size but names another register, and only the data tells them apart.
    /// </summary>
    private static bool StoresData(in Instruction instr, in GuestRegisters regs, in VcpuMmioAccess access)
    {
        if (instr.Mnemonic != Mnemonic.Mov || instr.Op0Kind != OpKind.Memory)
            return true;
        ulong mask = access.Length >= 8 ? ulong.MaxValue : (1UL << (int)(access.Length * 8)) - 1;
        ulong source = instr.Op1Kind == OpKind.Register ? Read(instr.Op1Register, regs) : instr.GetImmediate(1);
        return (source & mask) == (access.Data & mask);
    }

    private static ulong EffectiveAddress(in Instruction instr, in GuestRegisters regs, in GuestControlState control)
    {
        if (instr.IsIPRelativeMemoryOperand)
            return instr.IPRelativeMemoryAddress;
        ulong address = instr.MemoryDisplacement64;
        if (instr.MemoryBase != Register.None)
            address += Read(instr.MemoryBase, regs);
        if (instr.MemoryIndex != Register.None)
            address += Read(instr.MemoryIndex, regs) * (ulong)instr.MemoryIndexScale;
        if (!control.Is64BitCode)
            address &= 0xFFFF_FFFF;
        return address;
    }

    private static ulong Read(Register register, in GuestRegisters r)
    {
        Register full = register.GetFullRegister();
        ulong value = full switch
        {
            Register.RAX => r.Rax, Register.RBX => r.Rbx, Register.RCX => r.Rcx, Register.RDX => r.Rdx,
            Register.RSI => r.Rsi, Register.RDI => r.Rdi, Register.RSP => r.Rsp, Register.RBP => r.Rbp,
            Register.R8 => r.R8, Register.R9 => r.R9, Register.R10 => r.R10, Register.R11 => r.R11,
            Register.R12 => r.R12, Register.R13 => r.R13, Register.R14 => r.R14, Register.R15 => r.R15,
            _ => 0,
        };
        return register.GetSize() switch
        {
            4 => value & 0xFFFF_FFFF,
            2 => value & 0xFFFF,
            _ => value,
        };
    }

    /// <summary>Copies code bytes at <paramref name="ip"/> until the destination is full or a page is not mapped; returns how many.</summary>
    private static int Fetch(GuestAddressSpace memory, in GuestControlState control, ulong ip, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            ulong address = ip + (ulong)done;
            if (!GuestPageWalker.TryTranslate(memory, control, control.Is64BitCode ? address : control.CodeBase + address, out ulong physical))
                break;
            int inPage = (int)Math.Min((ulong)(destination.Length - done), 4096 - (physical & 0xFFF));
            if (!memory.TryRead(physical, destination.Slice(done, inPage)))
                break;
            done += inPage;
        }
        return done;
    }

    /// <summary>
    /// One Iced decoder per thread and bitness over a reusable buffer: up to 15 candidates are tried
    /// per exit, and decoders and readers made per candidate cost kilobytes of garbage per exit.
    /// </summary>
    private static class ThreadDecoder
    {
        [ThreadStatic]
        private static State? t_state;

        private sealed class State
        {
            public readonly BufferReader Reader = new();
            public readonly Iced.Intel.Decoder[] Decoders = new Iced.Intel.Decoder[3];
        }

        private sealed class BufferReader : CodeReader
        {
            public readonly byte[] Buffer = new byte[MaxLength];
            public int Length;
            public int Position;

            public override int ReadByte() => Position < Length ? Buffer[Position++] : -1;
        }

        public static Instruction Decode(int bitness, ReadOnlySpan<byte> bytes, ulong ip)
        {
            State state = t_state ??= new State();
            bytes.CopyTo(state.Reader.Buffer);
            state.Reader.Length = bytes.Length;
            state.Reader.Position = 0;
            int slot = bitness == 64 ? 2 : bitness == 32 ? 1 : 0;
            Iced.Intel.Decoder decoder = state.Decoders[slot] ??= Iced.Intel.Decoder.Create(bitness, state.Reader);
            decoder.IP = ip;
            decoder.Decode(out Instruction instr);
            return instr;
        }
    }
}
