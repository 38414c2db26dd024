namespace Zircon.Vmm.Exits;

/// <summary>Carries out an <see cref="ExitAction"/> on the VCPU thread: device access plus the register traffic it needs.</summary>
public static class ExitExecutor
{
    public static bool Execute(Vcpu vcpu, in ExitAction action, out ulong value, out string? error)
    {
        error = null;
        value = action.Value;
        switch (action.Kind)
        {
            case ExitActionKind.IoWrite:
            case ExitActionKind.MemoryStoreImmediate:
                action.Range!.Device.Write(action.Offset, action.Size, action.Value);
                return true;
            case ExitActionKind.IoRead:
            {
                value = action.Range!.Device.Read(action.Offset, action.Size);
                vcpu.WriteIo((byte)action.Size, (uint)(value & ExitHandler.SizeMask(action.Size)));
                return true;
            }
            case ExitActionKind.MemoryStoreRegister:
            {
                ZxVcpuState state = vcpu.ReadState();
                value = GuestRegisterAccess.Get(state, action.Instruction.Register) & ExitHandler.SizeMask(action.Size);
                action.Range!.Device.Write(action.Offset, action.Size, value);
                return true;
            }
            case ExitActionKind.MemoryLoad:
            {
                ulong loaded = action.Range!.Device.Read(action.Offset, action.Size) & ExitHandler.SizeMask(action.Size);
                value = loaded;
                ZxVcpuState state = vcpu.ReadState();
                GuestRegister register = action.Instruction.Register;
                GuestRegisterAccess.Set(ref state, register, action.Instruction.ApplyLoad(GuestRegisterAccess.Get(state, register), loaded));
                vcpu.WriteState(state); // RFLAGS is left alone: read_state never reports its bit 1
                return true;
            }
            case ExitActionKind.StartProcessor:
                error = $"the guest started processor {action.Offset}, and this VCPU loop cannot start processors";
                return false;
            default:
                error = action.Error ?? "unhandled exit";
                return false;
        }
    }
}
