using Iced.Intel;

namespace Zircon.Kernel.Hypervisor;

/// <summary>
/// What the decoder found behind a MEM trap exit. <see cref="FragmentOffset"/> is where the exit's
/// access lies inside the instruction's memory operand: KVM splits an access that crosses a page
/// end, or is wider than 8 bytes, into fragments of at most 8 bytes and exits once per MMIO
/// fragment, so a fragment may start after the operand's first byte (<see cref="OperandAddress"/>,
/// guest-physical). String stores (MOVS, STOS, with or without REP) are emulated by KVM one element
/// per exit, leaving RDI/RSI (and RCX) one element further and RIP at the instruction while a REP
/// has elements left (<see cref="StartsAtRip"/>).
/// </summary>
internal readonly record struct TrappedInstruction(
    int Length, bool StartsAtRip, int FragmentOffset, ulong OperandAddress, int StringElementSize, bool StringReadsSource, bool Repeated)
{
    public bool IsString => StringElementSize != 0;
}

/// <summary>
/// Finds the instruction behind a MEM trap exit: its bytes, fetched through the guest's page
/// tables, and its length. At a read exit RIP is at the instruction; at a write exit KVM has
/// already moved RIP past it, so the start is found by trying each candidate RIP-1..RIP-15,
/// decoding forward, and keeping the longest whose length ends exactly at RIP, whose memory
/// operand covers the faulting access (the whole of it, or a fragment KVM split off), and, for a
/// MOV store, whose source is the data written (so a real REX or 0x66 prefix is kept and a stray
/// one is not). A REP string store still in progress is found at RIP instead.
/// </summary>
internal static class TrappedInstructionDecoder
{
    private const int MaxLength = 15;
    private const ulong DirectionFlag = 1UL << 10;

    public static ZxStatus Decode(GuestAddressSpace memory, in GuestControlState control, in GuestRegisters regs, in VcpuMmioAccess access,
        Span<byte> instruction, out TrappedInstruction found)
    {
        found = default;
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
            found = new TrappedInstruction(instr.Length, StartsAtRip: true, 0, access.Address, 0, false, false);
            return ZxStatus.Ok;
        }

        // A store whose value can be checked against the exit's data beats one that cannot (the byte
        // before a MOV may make it look like a longer read-modify-write: 11 A3 00 E0 "adc" vs A3 00 E0
        // "mov"); among equals the longest wins.
        StoreCandidates candidates = StoreCandidates.At(memory, control, bitness, rip);
        bool haveFallback = false;
        for (int i = 0; i < candidates.Count; i++)
        {
            ref readonly Instruction instr = ref candidates.Instructions[i];
            if (!Matches(memory, control, regs, access, instr, out TrappedInstruction match))
                continue;
            bool? stores = StoresExitData(instr, regs, access, match.FragmentOffset);
            if (stores == false)
                continue;
            if (stores == true)
            {
                candidates.BytesOf(i).CopyTo(instruction);
                found = match;
                return ZxStatus.Ok;
            }
            if (!haveFallback)
            {
                candidates.BytesOf(i).CopyTo(instruction);
                found = match;
                haveFallback = true;
            }
        }
        if (haveFallback)
            return ZxStatus.Ok;

        // A REP MOVS/STOS with elements left: KVM leaves RIP at the instruction until the last one.
        int count = Fetch(memory, control, rip, instruction[..MaxLength]);
        if (count == 0)
            return ZxStatus.ErrNotSupported;
        Instruction atRip = ThreadDecoder.Decode(bitness, instruction[..count], rip);
        if (atRip.IsInvalid || !(atRip.HasRepPrefix || atRip.HasRepePrefix) || !Matches(memory, control, regs, access, atRip, out TrappedInstruction inProgress))
            return ZxStatus.ErrNotSupported;
        instruction[atRip.Length..].Clear();
        found = inProgress with { StartsAtRip = true };
        return ZxStatus.Ok;
    }

    /// <summary>
    /// Whether a port I/O exit comes from a string instruction (INS/OUTS, REP or not), which
    /// Zircon refuses with NOT_SUPPORTED. KVM emulates those one element per exit with a count of
    /// 1 and no string flag, so the instruction is looked at: an IN exit leaves RIP at the
    /// instruction; an OUT exit leaves it past a plain OUT or a finished OUTS, and at a REP OUTS
    /// with elements left. A plain OUT ending at RIP (port and data agreeing) wins over an OUTS
    /// starting at RIP, so "out dx, al" right before a "rep outsb" is still a plain OUT.
    /// </summary>
    public static bool IsStringIo(GuestAddressSpace memory, in GuestControlState control, in GuestRegisters regs, in VcpuIoAccess io)
    {
        int bitness = control.Is64BitCode ? 64 : control.CodeDefault32 ? 32 : 16;
        ushort dx = (ushort)regs.Rdx;
        Span<byte> bytes = stackalloc byte[MaxLength];
        if (io.IsWrite)
        {
            Span<byte> before = bytes[..2];
            if (Fetch(memory, control, regs.Rip - 2, before) == 2)
            {
                ulong mask = io.Size >= 4 ? 0xFFFF_FFFF : (1UL << (io.Size * 8)) - 1;
                bool dataIsRax = (regs.Rax & mask) == (io.Data & mask);
                bool outDx = before[1] is 0xEE or 0xEF && dx == io.Port;
                bool outImmediate = before[0] is 0xE6 or 0xE7 && before[1] == io.Port;
                if ((outDx || outImmediate) && dataIsRax)
                    return false;
                if (before[1] is 0x6E or 0x6F && dx == io.Port)
                    return true; // OUTS, finished (RIP past it)
            }
        }
        int fetched = Fetch(memory, control, regs.Rip, bytes);
        if (fetched == 0)
            return false;
        Instruction instr = ThreadDecoder.Decode(bitness, bytes[..fetched], regs.Rip);
        return !instr.IsInvalid && dx == io.Port && instr.Mnemonic is
            Mnemonic.Insb or Mnemonic.Insw or Mnemonic.Insd or Mnemonic.Outsb or Mnemonic.Outsw or Mnemonic.Outsd;
    }

    /// <summary>
    /// For a plain MOV to memory from a general register or an immediate: whether the value it stores
    /// (the part at <paramref name="fragmentOffset"/>) is the exit's data. Null when the instruction
    /// is of another kind and cannot be checked.
    /// </summary>
    private static bool? StoresExitData(in Instruction instr, in GuestRegisters regs, in VcpuMmioAccess access, int fragmentOffset)
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
        value = fragmentOffset >= 8 ? 0 : value >> (fragmentOffset * 8);
        ulong mask = access.Length == 8 ? ulong.MaxValue : (1UL << (int)(access.Length * 8)) - 1;
        return (value & mask) == (access.Data & mask);
    }

    /// <summary>
    /// Whether the instruction's memory operand covers the exit's access: the whole access lies
    /// inside the operand (at the start for an unsplit access, further in for a fragment), and for
    /// a MOV store the source matches the data.
    /// </summary>
    private static bool Matches(GuestAddressSpace memory, in GuestControlState control, in GuestRegisters regs, in VcpuMmioAccess access,
        in Instruction instr, out TrappedInstruction match)
    {
        match = default;
        int size = instr.MemorySize.GetSize();
        ulong linear;
        int element = 0;
        bool readsSource = false;
        if (TryStringDestination(instr, out element, out readsSource))
        {
            // KVM has already moved RDI past the element it wrote.
            ulong step = (regs.Rflags & DirectionFlag) != 0 ? unchecked((ulong)-element) : (ulong)element;
            linear = Read(DestinationIndex(instr), regs) - step;
            if (!control.Is64BitCode)
                linear &= 0xFFFF_FFFF;
            size = element;
        }
        else
        {
            int memoryOperand = -1;
            for (int i = 0; i < instr.OpCount; i++)
            {
                if (instr.GetOpKind(i) == OpKind.Memory)
                    memoryOperand = i;
            }
            if (memoryOperand < 0)
                return false;
            linear = EffectiveAddress(instr, regs, control);
        }
        if (size == 0)
            size = (int)access.Length;
        if (!TryFragmentOffset(memory, control, linear, size, access, out int offset, out ulong operandAddress))
            return false;
        if (access.IsWrite && !StoresData(instr, regs, access, offset))
            return false;
        match = new TrappedInstruction(instr.Length, StartsAtRip: false, offset, operandAddress, element, readsSource,
            instr.HasRepPrefix || instr.HasRepePrefix);
        return true;
    }

    /// <summary>
    /// Where [access.Address, +access.Length) lies inside the operand [linear, +size) once both of
    /// the operand's pages (it may cross one page end) are translated.
    /// </summary>
    private static bool TryFragmentOffset(GuestAddressSpace memory, in GuestControlState control, ulong linear, int size, in VcpuMmioAccess access,
        out int offset, out ulong operandAddress)
    {
        offset = 0;
        if (!GuestPageWalker.TryTranslate(memory, control, linear, out operandAddress))
            return false;
        int firstPart = (int)Math.Min((ulong)size, 4096 - (linear & 0xFFF));
        if (access.Address >= operandAddress && access.Address - operandAddress < (ulong)firstPart)
        {
            offset = (int)(access.Address - operandAddress);
        }
        else
        {
            if (firstPart == size || !GuestPageWalker.TryTranslate(memory, control, linear + (ulong)firstPart, out ulong second))
                return false;
            if (access.Address < second || access.Address - second >= (ulong)(size - firstPart))
                return false;
            offset = firstPart + (int)(access.Address - second);
        }
        // Only the fragments KVM makes are accepted: the operand split at the page end, each part
        // in 8-byte pieces from its start. A shorter access at offset 0 of a wider operand is
        // therefore not a fragment, which keeps a stray REX.W before a 4-byte store out.
        int partStart = offset < firstPart ? 0 : firstPart;
        int partEnd = offset < firstPart ? firstPart : size;
        int inPart = offset - partStart;
        return inPart % 8 == 0 && access.Length == (uint)Math.Min(8, partEnd - partStart - inPart);
    }

    /// <summary>MOVS and STOS write through ES:RDI; element size from the mnemonic's operand.</summary>
    private static bool TryStringDestination(in Instruction instr, out int element, out bool readsSource)
    {
        element = 0;
        readsSource = false;
        if (instr.OpCount == 0 || instr.Op0Kind is not (OpKind.MemoryESRDI or OpKind.MemoryESEDI or OpKind.MemoryESDI))
            return false;
        readsSource = instr.Mnemonic is Mnemonic.Movsb or Mnemonic.Movsw or Mnemonic.Movsd or Mnemonic.Movsq;
        if (!readsSource && instr.Mnemonic is not (Mnemonic.Stosb or Mnemonic.Stosw or Mnemonic.Stosd or Mnemonic.Stosq))
            return false;
        element = instr.MemorySize.GetSize();
        return element != 0;
    }

    private static Register DestinationIndex(in Instruction instr) =>
        instr.Op0Kind switch { OpKind.MemoryESRDI => Register.RDI, OpKind.MemoryESEDI => Register.EDI, _ => Register.DI };

    /// <summary>
    /// For a MOV store, whether its source is the value the exit wrote: a REX prefix read from the
    /// previous instruction's bytes (e.g. 44 89 10, "mov [rax], r10d", before the real 89 10) keeps
    /// the address and size but names another register, and only the data tells them apart.
    /// </summary>
    private static bool StoresData(in Instruction instr, in GuestRegisters regs, in VcpuMmioAccess access, int fragmentOffset)
    {
        if (instr.Mnemonic != Mnemonic.Mov || instr.Op0Kind != OpKind.Memory)
            return true;
        ulong mask = access.Length >= 8 ? ulong.MaxValue : (1UL << (int)(access.Length * 8)) - 1;
        ulong source = instr.Op1Kind == OpKind.Register ? Read(instr.Op1Register, regs) : instr.GetImmediate(1);
        source = fragmentOffset >= 8 ? 0 : source >> (fragmentOffset * 8);
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

    /// <summary>
    /// The instructions that may have ended at a write exit's RIP: for each start RIP-15..RIP-1
    /// whose bytes decode to an instruction ending exactly at RIP, that instruction, longest first.
    /// They depend only on the bitness, RIP and the 15 code bytes before it, so the set is kept per
    /// thread (a VCPU runs on one thread) and reused while those are unchanged: a guest that stores
    /// to a trap in a loop exits at the same RIP over the same bytes, and then one fetch of the
    /// bytes and a compare replace fifteen fetches (each a page walk) and fifteen decodes. The
    /// checks that depend on registers and data (<see cref="Matches"/>, the stored value) are made
    /// anew at every exit, so a hit decides exactly as a fresh decode would.
    /// </summary>
    private sealed class StoreCandidates
    {
        [ThreadStatic]
        private static StoreCandidates? t_last;

        private readonly byte[] _window = new byte[MaxLength]; // the code bytes [RIP-15, RIP)
        private int _available;                                 // how many of them (from the end) are mapped
        private int _bitness;
        private ulong _rip;
        public readonly Instruction[] Instructions = new Instruction[MaxLength];
        public int Count;

        public ReadOnlySpan<byte> BytesOf(int index) => _window.AsSpan(MaxLength - Instructions[index].Length);

        public static StoreCandidates At(GuestAddressSpace memory, in GuestControlState control, int bitness, ulong rip)
        {
            StoreCandidates set = t_last ??= new StoreCandidates();
            Span<byte> window = stackalloc byte[MaxLength];
            int available = FetchEndingAt(memory, control, rip, window);
            ReadOnlySpan<byte> mapped = window[(MaxLength - available)..];
            if (set._bitness == bitness && set._rip == rip && set._available == available
                && mapped.SequenceEqual(set._window.AsSpan(MaxLength - available)))
                return set;

            mapped.CopyTo(set._window.AsSpan(MaxLength - available));
            set._available = available;
            set._bitness = bitness;
            set._rip = rip;
            set.Count = 0;
            for (int length = available; length >= 1; length--)
            {
                Instruction instr = ThreadDecoder.Decode(bitness, mapped[(available - length)..], rip - (ulong)length);
                if (!instr.IsInvalid && instr.Length == length)
                    set.Instructions[set.Count++] = instr;
            }
            return set;
        }

        /// <summary>
        /// Fills the end of <paramref name="window"/> with the code bytes just before
        /// <paramref name="rip"/>; returns how many could be read (the longest mapped run ending at RIP).
        /// </summary>
        private static int FetchEndingAt(GuestAddressSpace memory, in GuestControlState control, ulong rip, Span<byte> window)
        {
            for (int length = window.Length; length >= 1; length--)
            {
                Span<byte> part = window[(window.Length - length)..];
                if (Fetch(memory, control, rip - (ulong)length, part) == length)
                    return length;
            }
            return 0;
        }
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
