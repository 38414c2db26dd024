using Iced.Intel;

namespace Zircon.Vmm.Exits;

/// <summary>What a trapped memory instruction does.</summary>
public enum MmioOperation
{
    /// <summary>Store a register's low <see cref="MmioInstruction.Size"/> bytes.</summary>
    StoreRegister,

    /// <summary>Store <see cref="MmioInstruction.Immediate"/>.</summary>
    StoreImmediate,

    /// <summary>Load into a register (MOV; 32-bit destinations zero-extend, 8/16-bit ones merge).</summary>
    Load,

    /// <summary>Load with zero extension (MOVZX).</summary>
    LoadZeroExtend,

    /// <summary>Load with sign extension (MOVSX, MOVSXD).</summary>
    LoadSignExtend,
}

/// <summary>
/// A decoded MMIO access: the instruction bytes of a GUEST_MEM packet turned into "store this
/// register / immediate" or "load into that register", with sizes.
/// </summary>
public readonly record struct MmioInstruction(MmioOperation Operation, int Size, GuestRegister Register, int RegisterSize, ulong Immediate)
{
    /// <summary>
    /// Decodes 64-bit code from a GUEST_MEM packet. Only the MOV family is accepted: that is what
    /// device drivers use for registers; anything else is reported as unsupported.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out MmioInstruction instruction, out string? error)
    {
        instruction = default;
        error = null;
        Instruction instr = ThreadDecoder.Decode(bytes);
        if (instr.IsInvalid)
        {
            error = "invalid instruction";
            return false;
        }
        int memorySize = instr.MemorySize.GetSize();
        switch (instr.Mnemonic)
        {
            case Mnemonic.Mov when instr.Op0Kind == OpKind.Memory && instr.Op1Kind == OpKind.Register:
                return TryMapRegister(instr.Op1Register, out GuestRegister source, out int sourceSize, out error)
                    && Done(new MmioInstruction(MmioOperation.StoreRegister, memorySize, source, sourceSize, 0), out instruction);
            case Mnemonic.Mov when instr.Op0Kind == OpKind.Memory && IsImmediate(instr.Op1Kind):
                return Done(new MmioInstruction(MmioOperation.StoreImmediate, memorySize, GuestRegister.None, 0, instr.GetImmediate(1)), out instruction);
            case Mnemonic.Mov when instr.Op0Kind == OpKind.Register && instr.Op1Kind == OpKind.Memory:
            case Mnemonic.Movzx when instr.Op1Kind == OpKind.Memory:
            case Mnemonic.Movsx when instr.Op1Kind == OpKind.Memory:
            case Mnemonic.Movsxd when instr.Op1Kind == OpKind.Memory:
            {
                if (!TryMapRegister(instr.Op0Register, out GuestRegister destination, out int destinationSize, out error))
                    return false;
                MmioOperation op = instr.Mnemonic switch
                {
                    Mnemonic.Movzx => MmioOperation.LoadZeroExtend,
                    Mnemonic.Movsx or Mnemonic.Movsxd => MmioOperation.LoadSignExtend,
                    _ => MmioOperation.Load,
                };
                return Done(new MmioInstruction(op, memorySize, destination, destinationSize, 0), out instruction);
            }
            default:
                error = $"unsupported MMIO instruction '{instr}'";
                return false;
        }
    }

    /// <summary>The register value after a load of <paramref name="loaded"/> into <paramref name="previous"/>.</summary>
    public ulong ApplyLoad(ulong previous, ulong loaded)
    {
        ulong value = Operation switch
        {
            MmioOperation.LoadSignExtend => SignExtend(loaded, Size),
            _ => Truncate(loaded, Size),
        };
        return RegisterSize switch
        {
            8 => value,
            4 => value & 0xFFFF_FFFF,                                 // 32-bit writes zero-extend
            2 => (previous & ~0xFFFFUL) | (value & 0xFFFF),           // 16-bit writes merge
            _ => (previous & ~0xFFUL) | (value & 0xFF),               // 8-bit writes merge
        };
    }

    private static bool Done(MmioInstruction decoded, out MmioInstruction instruction)
    {
        instruction = decoded;
        return true;
    }

    private static bool IsImmediate(OpKind kind) =>
        kind is OpKind.Immediate8 or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate64
            or OpKind.Immediate8to16 or OpKind.Immediate8to32 or OpKind.Immediate8to64 or OpKind.Immediate32to64;

    private static bool TryMapRegister(Iced.Intel.Register register, out GuestRegister guestRegister, out int size, out string? error)
    {
        error = null;
        size = register.GetSize();
        guestRegister = register.GetFullRegister() switch
        {
            Iced.Intel.Register.RAX => GuestRegister.Rax, Iced.Intel.Register.RCX => GuestRegister.Rcx,
            Iced.Intel.Register.RDX => GuestRegister.Rdx, Iced.Intel.Register.RBX => GuestRegister.Rbx,
            Iced.Intel.Register.RSP => GuestRegister.Rsp, Iced.Intel.Register.RBP => GuestRegister.Rbp,
            Iced.Intel.Register.RSI => GuestRegister.Rsi, Iced.Intel.Register.RDI => GuestRegister.Rdi,
            Iced.Intel.Register.R8 => GuestRegister.R8, Iced.Intel.Register.R9 => GuestRegister.R9,
            Iced.Intel.Register.R10 => GuestRegister.R10, Iced.Intel.Register.R11 => GuestRegister.R11,
            Iced.Intel.Register.R12 => GuestRegister.R12, Iced.Intel.Register.R13 => GuestRegister.R13,
            Iced.Intel.Register.R14 => GuestRegister.R14, Iced.Intel.Register.R15 => GuestRegister.R15,
            _ => GuestRegister.None,
        };
        // AH, CH, DH, BH address bits 8..15 of their register; no driver uses them for MMIO.
        if (guestRegister == GuestRegister.None || register is Iced.Intel.Register.AH or Iced.Intel.Register.CH or Iced.Intel.Register.DH or Iced.Intel.Register.BH)
        {
            error = $"unsupported register {register}";
            return false;
        }
        return true;
    }

    private static ulong Truncate(ulong value, int size) => size >= 8 ? value : value & ((1UL << (size * 8)) - 1);

    private static ulong SignExtend(ulong value, int size)
    {
        int shift = 64 - size * 8;
        return size >= 8 ? value : (ulong)((long)(value << shift) >> shift);
    }

    /// <summary>One decoder per VCPU thread over a reusable buffer, so decoding an exit allocates nothing.</summary>
    private static class ThreadDecoder
    {
        [ThreadStatic]
        private static (BufferReader Reader, Iced.Intel.Decoder Decoder)? t_state;

        private sealed class BufferReader : CodeReader
        {
            public readonly byte[] Buffer = new byte[ZxPacketGuestMem.MaxInstructionLength];
            public int Length;
            public int Position;

            public override int ReadByte() => Position < Length ? Buffer[Position++] : -1;
        }

        public static Instruction Decode(ReadOnlySpan<byte> bytes)
        {
            if (t_state is null)
            {
                var reader = new BufferReader();
                t_state = (reader, Iced.Intel.Decoder.Create(64, reader));
            }
            (BufferReader r, Iced.Intel.Decoder d) = t_state.Value;
            int n = Math.Min(bytes.Length, r.Buffer.Length);
            bytes[..n].CopyTo(r.Buffer);
            r.Length = n;
            r.Position = 0;
            d.IP = 0;
            d.Decode(out Instruction instr);
            return instr;
        }
    }
}
