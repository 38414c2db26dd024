using Zircon;

namespace Zircon.Vmm.Exits;

/// <summary>A general register of <see cref="ZxVcpuState"/>.</summary>
public enum GuestRegister
{
    None,
    Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi,
    R8, R9, R10, R11, R12, R13, R14, R15,
}

/// <summary>Reads and writes a <see cref="ZxVcpuState"/> by register name.</summary>
public static class GuestRegisterAccess
{
    public static ulong Get(in ZxVcpuState s, GuestRegister r) => r switch
    {
        GuestRegister.Rax => s.Rax, GuestRegister.Rcx => s.Rcx, GuestRegister.Rdx => s.Rdx, GuestRegister.Rbx => s.Rbx,
        GuestRegister.Rsp => s.Rsp, GuestRegister.Rbp => s.Rbp, GuestRegister.Rsi => s.Rsi, GuestRegister.Rdi => s.Rdi,
        GuestRegister.R8 => s.R8, GuestRegister.R9 => s.R9, GuestRegister.R10 => s.R10, GuestRegister.R11 => s.R11,
        GuestRegister.R12 => s.R12, GuestRegister.R13 => s.R13, GuestRegister.R14 => s.R14, GuestRegister.R15 => s.R15,
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };

    public static void Set(ref ZxVcpuState s, GuestRegister r, ulong value)
    {
        switch (r)
        {
            case GuestRegister.Rax: s.Rax = value; break;
            case GuestRegister.Rcx: s.Rcx = value; break;
            case GuestRegister.Rdx: s.Rdx = value; break;
            case GuestRegister.Rbx: s.Rbx = value; break;
            case GuestRegister.Rsp: s.Rsp = value; break;
            case GuestRegister.Rbp: s.Rbp = value; break;
            case GuestRegister.Rsi: s.Rsi = value; break;
            case GuestRegister.Rdi: s.Rdi = value; break;
            case GuestRegister.R8: s.R8 = value; break;
            case GuestRegister.R9: s.R9 = value; break;
            case GuestRegister.R10: s.R10 = value; break;
            case GuestRegister.R11: s.R11 = value; break;
            case GuestRegister.R12: s.R12 = value; break;
            case GuestRegister.R13: s.R13 = value; break;
            case GuestRegister.R14: s.R14 = value; break;
            case GuestRegister.R15: s.R15 = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(r));
        }
    }
}
