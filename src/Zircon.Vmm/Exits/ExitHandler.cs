using Zircon.Vmm.Bus;

namespace Zircon.Vmm.Exits;

/// <summary>
/// Turns a <c>zx_vcpu_resume</c> packet into the action that serves it — a pure function of the
/// packet and the bus, so it is tested with made-up packets. The VCPU loop carries the action out.
/// </summary>
public static class ExitHandler
{
    public static ExitAction Decide(in ZxPortPacket packet, AddressSpaceBus bus)
    {
        switch (packet.Type)
        {
            case ZxPacketType.GuestIo:
            {
                ZxPacketGuestIo io = packet.GuestIo;
                BusRange? range = bus.Find(AddressSpaceKind.Io, io.Port);
                if (range is null)
                    return ExitAction.Unhandled($"{(io.Input ? "IN from" : "OUT to")} port 0x{io.Port:x}: no device");
                ulong offset = io.Port - range.Base;
                return io.Input
                    ? new ExitAction(ExitActionKind.IoRead, range, offset, io.AccessSize, 0, default, null)
                    : new ExitAction(ExitActionKind.IoWrite, range, offset, io.AccessSize, io.U32 & SizeMask(io.AccessSize), default, null);
            }
            case ZxPacketType.GuestMem:
            {
                ZxPacketGuestMem mem = packet.GuestMem;
                BusRange? range = bus.Find(AddressSpaceKind.Memory, mem.Addr);
                if (range is null)
                    return ExitAction.Unhandled($"MMIO at 0x{mem.Addr:x}: no device");
                ReadOnlySpan<byte> bytes = ((ReadOnlySpan<byte>)mem.InstBuf)[..Math.Min((int)mem.InstLen, ZxPacketGuestMem.MaxInstructionLength)];
                if (!MmioInstruction.TryDecode(bytes, out MmioInstruction instruction, out string? error))
                    return ExitAction.Unhandled($"MMIO at 0x{mem.Addr:x}: {error}");
                ulong offset = mem.Addr - range.Base;
                return instruction.Operation switch
                {
                    MmioOperation.StoreRegister => new ExitAction(ExitActionKind.MemoryStoreRegister, range, offset, instruction.Size, 0, instruction, null),
                    MmioOperation.StoreImmediate => new ExitAction(ExitActionKind.MemoryStoreImmediate, range, offset, instruction.Size,
                        instruction.Immediate & SizeMask(instruction.Size), instruction, null),
                    _ => new ExitAction(ExitActionKind.MemoryLoad, range, offset, instruction.Size, 0, instruction, null),
                };
            }
            case ZxPacketType.GuestVcpu when packet.GuestVcpu.Type == ZxPacketGuestVcpu.TypeStartup:
                return ExitAction.StartProcessor(packet.GuestVcpu.StartupId, packet.GuestVcpu.StartupEntry);
            case ZxPacketType.GuestVcpu:
                // KVM's in-kernel local APIC delivers IPIs itself; Zircon's IPI packets never come (docs/decisions.md).
                return ExitAction.Unhandled($"unexpected IPI packet (vector {packet.GuestVcpu.InterruptVector}, mask 0x{packet.GuestVcpu.InterruptMask:x})");
            default:
                return ExitAction.Unhandled($"unexpected packet type {packet.Type}");
        }
    }

    /// <summary>Mask for the low <paramref name="size"/> bytes.</summary>
    public static ulong SizeMask(int size) => size >= 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
}
