namespace Zircon.Vmm.Exits;

/// <summary>One-line descriptions of exits for <c>zxvm --trace</c>.</summary>
public static class ExitTrace
{
    public static string Describe(in ZxPortPacket packet, in ExitAction action, ulong value)
    {
        string device = action.Range?.Name ?? "-";
        return packet.Type switch
        {
            ZxPacketType.GuestIo when packet.GuestIo.Input => $"io   in   port 0x{packet.GuestIo.Port:x4} size {packet.GuestIo.AccessSize} value 0x{value:x} <- {device}",
            ZxPacketType.GuestIo => $"io   out  port 0x{packet.GuestIo.Port:x4} size {packet.GuestIo.AccessSize} value 0x{packet.GuestIo.U32:x} -> {device}",
            ZxPacketType.GuestMem => $"mmio {Operation(action)} 0x{packet.GuestMem.Addr:x} size {action.Size} value 0x{value:x} {device}+0x{action.Offset:x}",
            ZxPacketType.GuestVcpu when packet.GuestVcpu.Type == ZxPacketGuestVcpu.TypeStartup =>
                $"vcpu startup id {packet.GuestVcpu.StartupId} entry 0x{packet.GuestVcpu.StartupEntry:x}",
            _ => $"exit {packet.Type}",
        };
    }

    private static string Operation(in ExitAction action) => action.Kind switch
    {
        ExitActionKind.MemoryLoad => "read ",
        ExitActionKind.Unhandled => "???  ",
        _ => "write",
    };
}
