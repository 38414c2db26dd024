using Zircon.Vmm.Bus;
using Zircon.Vmm.Exits;
using Zircon.Vmm.Tests.Support;

namespace Zircon.Vmm.Tests.Exits;

public sealed class ExitHandlerTests
{
    private const ulong MmioBase = 0xD000_0000;
    private const ulong MmioAddress = MmioBase + 0x70;

    private readonly AddressSpaceBus _bus = new();
    private readonly BusRange _uart;
    private readonly BusRange _timer;
    private readonly BusRange _mmio;

    public ExitHandlerTests()
    {
        _uart = _bus.Add(AddressSpaceKind.Io, 0x3F8, 8, new RecordingDevice(), "uart");
        _timer = _bus.Add(AddressSpaceKind.Io, 0x500, 8, new RecordingDevice(), "timer");
        _mmio = _bus.Add(AddressSpaceKind.Memory, MmioBase, 0x1000, new RecordingDevice(), "virtio-console");
    }

    private ExitAction Decide(ZxPortPacket packet) => ExitHandler.Decide(packet, _bus);

    private ExitAction DecideMem(params byte[] instruction) => Decide(Packets.Mem(MmioAddress, instruction));

    // ---- port I/O ----

    [Fact]
    public void Out_ToDevicePort_IsIoWriteAtOffsetWithSizeAndValue()
    {
        ExitAction action = Decide(Packets.IoOut(0x504, 4, 0x1234_5678));

        Assert.Equal(ExitActionKind.IoWrite, action.Kind);
        Assert.Same(_timer, action.Range);
        Assert.Equal(4UL, action.Offset);
        Assert.Equal(4, action.Size);
        Assert.Equal(0x1234_5678UL, action.Value);
        Assert.Null(action.Error);
    }

    [Theory]
    [InlineData(1, 0xFFFF_FF2Au, 0x2AUL)]
    [InlineData(2, 0xFFFF_BEEFu, 0xBEEFUL)]
    [InlineData(4, 0xFFFF_FFFFu, 0xFFFF_FFFFUL)]
    public void Out_Value_IsMaskedToTheAccessSize(byte size, uint data, ulong expected)
    {
        ExitAction action = Decide(Packets.IoOut(0x3F8, size, data));

        Assert.Equal(ExitActionKind.IoWrite, action.Kind);
        Assert.Equal(size, action.Size);
        Assert.Equal(expected, action.Value);
    }

    [Fact]
    public void In_FromDevicePort_IsIoReadAtOffset()
    {
        ExitAction action = Decide(Packets.IoIn(0x3FD, 1));

        Assert.Equal(ExitActionKind.IoRead, action.Kind);
        Assert.Same(_uart, action.Range);
        Assert.Equal(5UL, action.Offset);
        Assert.Equal(1, action.Size);
        Assert.Null(action.Error);
    }

    [Theory]
    [InlineData((ushort)0x3F8, 0UL)]
    [InlineData((ushort)0x3FF, 7UL)]
    public void Io_AtRangeEdges_FindsTheDevice(ushort port, ulong offset)
    {
        ExitAction action = Decide(Packets.IoIn(port, 1));

        Assert.Same(_uart, action.Range);
        Assert.Equal(offset, action.Offset);
    }

    [Theory]
    [InlineData((ushort)0x3F7)]
    [InlineData((ushort)0x400)]
    [InlineData((ushort)0x80)]
    public void Out_ToUnknownPort_IsUnhandledNamingThePort(ushort port)
    {
        ExitAction action = Decide(Packets.IoOut(port, 1, 0));

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Null(action.Range);
        Assert.Equal($"OUT to port 0x{port:x}: no device", action.Error);
    }

    [Fact]
    public void StartupPacket_StartsTheNamedProcessorAtItsEntry()
    {
        var packet = new ZxPortPacket { Type = ZxPacketType.GuestVcpu };
        packet.GuestVcpu.Type = ZxPacketGuestVcpu.TypeStartup;
        packet.GuestVcpu.StartupId = 3;
        packet.GuestVcpu.StartupEntry = 0x8000;
        ExitAction action = ExitHandler.Decide(packet, _bus);
        Assert.Equal((ExitActionKind.StartProcessor, 3ul, 0x8000ul), (action.Kind, action.Offset, action.Value));
        Assert.Equal("vcpu startup id 3 entry 0x8000", ExitTrace.Describe(packet, action, action.Value));
    }

    [Fact]
    public void IpiPacket_IsUnhandled_KvmDeliversIpisItself()
    {
        var packet = new ZxPortPacket { Type = ZxPacketType.GuestVcpu };
        packet.GuestVcpu.Type = ZxPacketGuestVcpu.TypeInterrupt;
        packet.GuestVcpu.InterruptMask = 0b10;
        packet.GuestVcpu.InterruptVector = 0x50;
        ExitAction action = ExitHandler.Decide(packet, _bus);
        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Contains("IPI packet (vector 80, mask 0x2)", action.Error);
    }

    [Fact]
    public void In_FromUnknownPort_IsUnhandledNamingThePort()
    {
        ExitAction action = Decide(Packets.IoIn(0x60, 1));

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Equal("IN from port 0x60: no device", action.Error);
    }

    [Fact]
    public void Io_IsNotServedByMemoryRanges()
    {
        var bus = new AddressSpaceBus();
        bus.Add(AddressSpaceKind.Memory, 0x500, 8, new RecordingDevice(), "memory-only");

        ExitAction action = ExitHandler.Decide(Packets.IoOut(0x500, 1, 1), bus);

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
    }

    // ---- MMIO: stores of a register ----

    [Theory]
    [InlineData(new byte[] { 0x89, 0x08 }, GuestRegister.Rcx, 4)]                   // mov [rax], ecx
    [InlineData(new byte[] { 0x48, 0x89, 0x08 }, GuestRegister.Rcx, 8)]             // mov [rax], rcx
    [InlineData(new byte[] { 0x66, 0x89, 0x08 }, GuestRegister.Rcx, 2)]             // mov [rax], cx
    [InlineData(new byte[] { 0x88, 0x08 }, GuestRegister.Rcx, 1)]                   // mov [rax], cl
    [InlineData(new byte[] { 0x44, 0x89, 0x00 }, GuestRegister.R8, 4)]              // mov [rax], r8d
    [InlineData(new byte[] { 0x4C, 0x89, 0x38 }, GuestRegister.R15, 8)]             // mov [rax], r15
    [InlineData(new byte[] { 0x66, 0x44, 0x89, 0x08 }, GuestRegister.R9, 2)]        // mov [rax], r9w
    [InlineData(new byte[] { 0x44, 0x88, 0x10 }, GuestRegister.R10, 1)]             // mov [rax], r10b
    [InlineData(new byte[] { 0x40, 0x88, 0x30 }, GuestRegister.Rsi, 1)]             // mov [rax], sil
    [InlineData(new byte[] { 0x41, 0x89, 0x04, 0x24 }, GuestRegister.Rax, 4)]       // mov [r12], eax (REX.B is the base)
    [InlineData(new byte[] { 0x46, 0x89, 0x64, 0x88, 0x10 }, GuestRegister.R12, 4)] // mov [rax+r9*4+0x10], r12d
    [InlineData(new byte[] { 0x89, 0x0D, 0x00, 0x01, 0x00, 0x00 }, GuestRegister.Rcx, 4)] // mov [rip+0x100], ecx
    public void MovStoreRegister_IsMemoryStoreRegister(byte[] instruction, GuestRegister register, int size)
    {
        ExitAction action = DecideMem(instruction);

        Assert.Equal(ExitActionKind.MemoryStoreRegister, action.Kind);
        Assert.Same(_mmio, action.Range);
        Assert.Equal(0x70UL, action.Offset);
        Assert.Equal(size, action.Size);
        Assert.Equal(MmioOperation.StoreRegister, action.Instruction.Operation);
        Assert.Equal(register, action.Instruction.Register);
        Assert.Equal(size, action.Instruction.RegisterSize);
        Assert.Null(action.Error);
    }

    [Fact]
    public void MovStoreFromAccumulatorToAbsoluteAddress_IsMemoryStoreRegister()
    {
        // movabs [0xd0000070], eax
        ExitAction action = DecideMem(0xA3, 0x70, 0x00, 0x00, 0xD0, 0x00, 0x00, 0x00, 0x00);

        Assert.Equal(ExitActionKind.MemoryStoreRegister, action.Kind);
        Assert.Equal(GuestRegister.Rax, action.Instruction.Register);
        Assert.Equal(4, action.Size);
    }

    [Fact]
    public void MovStoreFromHighByteRegister_IsUnhandled()
    {
        ExitAction action = DecideMem(0x88, 0x20); // mov [rax], ah

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Contains("unsupported register", action.Error);
        Assert.StartsWith($"MMIO at 0x{MmioAddress:x}:", action.Error);
    }

    // ---- MMIO: stores of an immediate ----

    [Theory]
    [InlineData(new byte[] { 0xC7, 0x00, 0x78, 0x56, 0x34, 0x12 }, 4, 0x1234_5678UL)]                      // mov dword [rax], 0x12345678
    [InlineData(new byte[] { 0xC6, 0x00, 0xAB }, 1, 0xABUL)]                                               // mov byte [rax], 0xab
    [InlineData(new byte[] { 0x66, 0xC7, 0x00, 0xEF, 0xBE }, 2, 0xBEEFUL)]                                  // mov word [rax], 0xbeef
    [InlineData(new byte[] { 0x48, 0xC7, 0x00, 0xFF, 0xFF, 0xFF, 0xFF }, 8, 0xFFFF_FFFF_FFFF_FFFFUL)]      // mov qword [rax], -1 (sign-extended)
    [InlineData(new byte[] { 0x48, 0xC7, 0x00, 0xFF, 0xFF, 0xFF, 0x7F }, 8, 0x7FFF_FFFFUL)]                // mov qword [rax], 0x7fffffff
    public void MovStoreImmediate_IsMemoryStoreImmediateWithValue(byte[] instruction, int size, ulong value)
    {
        ExitAction action = DecideMem(instruction);

        Assert.Equal(ExitActionKind.MemoryStoreImmediate, action.Kind);
        Assert.Same(_mmio, action.Range);
        Assert.Equal(0x70UL, action.Offset);
        Assert.Equal(size, action.Size);
        Assert.Equal(value, action.Value);
        Assert.Equal(MmioOperation.StoreImmediate, action.Instruction.Operation);
        Assert.Equal(GuestRegister.None, action.Instruction.Register);
    }

    // ---- MMIO: loads ----

    [Theory]
    [InlineData(new byte[] { 0x8B, 0x03 }, MmioOperation.Load, GuestRegister.Rax, 4, 4)]                   // mov eax, [rbx]
    [InlineData(new byte[] { 0x4C, 0x8B, 0x18 }, MmioOperation.Load, GuestRegister.R11, 8, 8)]             // mov r11, [rax]
    [InlineData(new byte[] { 0x44, 0x8B, 0x28 }, MmioOperation.Load, GuestRegister.R13, 4, 4)]             // mov r13d, [rax]
    [InlineData(new byte[] { 0x8A, 0x10 }, MmioOperation.Load, GuestRegister.Rdx, 1, 1)]                   // mov dl, [rax]
    [InlineData(new byte[] { 0x66, 0x44, 0x8B, 0x30 }, MmioOperation.Load, GuestRegister.R14, 2, 2)]       // mov r14w, [rax]
    [InlineData(new byte[] { 0x0F, 0xB6, 0x01 }, MmioOperation.LoadZeroExtend, GuestRegister.Rax, 1, 4)]   // movzx eax, byte [rcx]
    [InlineData(new byte[] { 0x44, 0x0F, 0xB7, 0x08 }, MmioOperation.LoadZeroExtend, GuestRegister.R9, 2, 4)] // movzx r9d, word [rax]
    [InlineData(new byte[] { 0x48, 0x0F, 0xB6, 0x00 }, MmioOperation.LoadZeroExtend, GuestRegister.Rax, 1, 8)] // movzx rax, byte [rax]
    [InlineData(new byte[] { 0x66, 0x0F, 0xB6, 0x00 }, MmioOperation.LoadZeroExtend, GuestRegister.Rax, 1, 2)] // movzx ax, byte [rax]
    [InlineData(new byte[] { 0x0F, 0xBE, 0x01 }, MmioOperation.LoadSignExtend, GuestRegister.Rax, 1, 4)]   // movsx eax, byte [rcx]
    [InlineData(new byte[] { 0x48, 0x0F, 0xBF, 0x10 }, MmioOperation.LoadSignExtend, GuestRegister.Rdx, 2, 8)] // movsx rdx, word [rax]
    [InlineData(new byte[] { 0x66, 0x0F, 0xBE, 0x00 }, MmioOperation.LoadSignExtend, GuestRegister.Rax, 1, 2)] // movsx ax, byte [rax]
    [InlineData(new byte[] { 0x48, 0x63, 0x01 }, MmioOperation.LoadSignExtend, GuestRegister.Rax, 4, 8)]   // movsxd rax, dword [rcx]
    [InlineData(new byte[] { 0x4C, 0x63, 0x10 }, MmioOperation.LoadSignExtend, GuestRegister.R10, 4, 8)]   // movsxd r10, dword [rax]
    public void Loads_AreMemoryLoadWithOperationRegisterAndSizes(byte[] instruction, MmioOperation operation, GuestRegister register, int size, int registerSize)
    {
        ExitAction action = DecideMem(instruction);

        Assert.Equal(ExitActionKind.MemoryLoad, action.Kind);
        Assert.Same(_mmio, action.Range);
        Assert.Equal(0x70UL, action.Offset);
        Assert.Equal(size, action.Size);
        Assert.Equal(operation, action.Instruction.Operation);
        Assert.Equal(register, action.Instruction.Register);
        Assert.Equal(registerSize, action.Instruction.RegisterSize);
        Assert.Null(action.Error);
    }

    [Fact]
    public void MovLoadOfAccumulatorFromAbsoluteAddress_IsMemoryLoad()
    {
        // movabs eax, [0xd0000070]: what a compiler emits for a constant MMIO address above 2 GiB
        ExitAction action = DecideMem(0xA1, 0x70, 0x00, 0x00, 0xD0, 0x00, 0x00, 0x00, 0x00);

        Assert.Equal(ExitActionKind.MemoryLoad, action.Kind);
        Assert.Equal(GuestRegister.Rax, action.Instruction.Register);
        Assert.Equal(4, action.Size);
    }

    [Fact]
    public void MovLoadIntoHighByteRegister_IsUnhandled()
    {
        ExitAction action = DecideMem(0x8A, 0x20); // mov ah, [rax]

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Contains("unsupported register", action.Error);
    }

    // ---- MMIO: what cannot be served ----

    [Fact]
    public void UnsupportedInstruction_IsUnhandledNamingIt()
    {
        ExitAction action = DecideMem(0x01, 0x08); // add [rax], ecx

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Null(action.Range);
        Assert.StartsWith($"MMIO at 0x{MmioAddress:x}: unsupported MMIO instruction", action.Error);
        Assert.Contains("add", action.Error);
    }

    [Theory]
    [InlineData(new byte[] { 0x0F, 0xB1, 0x08 })]   // cmpxchg [rax], ecx
    [InlineData(new byte[] { 0x87, 0x08 })]         // xchg [rax], ecx
    [InlineData(new byte[] { 0xF7, 0x00, 1, 0, 0, 0 })] // test dword [rax], 1
    [InlineData(new byte[] { 0xAB })]               // stosd
    public void OtherMemoryInstructions_AreUnhandled(byte[] instruction)
    {
        ExitAction action = DecideMem(instruction);

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.False(string.IsNullOrWhiteSpace(action.Error));
    }

    [Fact]
    public void InvalidInstructionBytes_AreUnhandled()
    {
        ExitAction action = DecideMem(0xFF, 0xFF); // FF /7 does not exist

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Equal($"MMIO at 0x{MmioAddress:x}: invalid instruction", action.Error);
    }

    [Fact]
    public void EmptyInstruction_IsUnhandled()
    {
        ExitAction action = Decide(Packets.Mem(MmioAddress, [], 0));

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Contains("invalid instruction", action.Error);
    }

    [Fact]
    public void InstructionCutShortByInstLen_IsUnhandled()
    {
        // mov dword [rax], 0x12345678 with only 3 of its 6 bytes reported
        ExitAction action = Decide(Packets.Mem(MmioAddress, [0xC7, 0x00, 0x78, 0x56, 0x34, 0x12], 3));

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
    }

    [Fact]
    public void InstLenBeyondTheBuffer_IsClampedToFifteenBytes()
    {
        ExitAction action = Decide(Packets.Mem(MmioAddress, [0x89, 0x08], 200));

        Assert.Equal(ExitActionKind.MemoryStoreRegister, action.Kind);
        Assert.Equal(GuestRegister.Rcx, action.Instruction.Register);
    }

    [Fact]
    public void TrailingBytesAfterTheInstruction_AreIgnored()
    {
        ExitAction action = DecideMem(0x89, 0x08, 0x90, 0x90, 0xCC);

        Assert.Equal(ExitActionKind.MemoryStoreRegister, action.Kind);
        Assert.Equal(4, action.Size);
    }

    [Theory]
    [InlineData(0xCFFF_FFFFUL)]
    [InlineData(0xD000_1000UL)]
    [InlineData(0xFEE0_00B0UL)]
    public void Mmio_AtUnknownAddress_IsUnhandledNamingTheAddress(ulong address)
    {
        ExitAction action = Decide(Packets.Mem(address, [0x89, 0x08]));

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Equal($"MMIO at 0x{address:x}: no device", action.Error);
    }

    [Theory]
    [InlineData(MmioBase, 0UL)]
    [InlineData(MmioBase + 0xFFC, 0xFFCUL)]
    public void Mmio_AtRangeEdges_FindsTheDevice(ulong address, ulong offset)
    {
        ExitAction action = Decide(Packets.Mem(address, [0x8B, 0x03]));

        Assert.Equal(ExitActionKind.MemoryLoad, action.Kind);
        Assert.Same(_mmio, action.Range);
        Assert.Equal(offset, action.Offset);
    }

    [Fact]
    public void Mmio_IsNotServedByIoRanges()
    {
        ExitAction action = Decide(Packets.Mem(0x3F8, [0x89, 0x08]));

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Contains("no device", action.Error);
    }

    [Fact]
    public void OtherPacketTypes_AreUnhandled()
    {
        ExitAction action = Decide(Packets.Bell(MmioBase + 0x1000));

        Assert.Equal(ExitActionKind.Unhandled, action.Kind);
        Assert.Contains("unexpected packet type", action.Error);
    }

    [Theory]
    [InlineData(1, 0xFFUL)]
    [InlineData(2, 0xFFFFUL)]
    [InlineData(4, 0xFFFF_FFFFUL)]
    [InlineData(8, ulong.MaxValue)]
    public void SizeMask_CoversTheLowBytes(int size, ulong mask) => Assert.Equal(mask, ExitHandler.SizeMask(size));
}
