namespace Zircon.Kernel.Hypervisor;

public sealed partial class VcpuDispatcher
{
    private const int FirstExternalVector = 32, FirstReservedVector = 21;

    /// <summary>
    /// <c>zx_vcpu_resume</c>: runs the guest until an exit user space must see, reported as a
    /// packet (GUEST_MEM, GUEST_IO, GUEST_VCPU startup). Internally handled exits (HLT, kicks, interrupt windows,
    /// BELL traps) do not return.
    /// </summary>
    public ZxStatus Resume(out ZxPortPacket packet)
    {
        packet = default;
        if (!OnOwnerThread)
            return ZxStatus.ErrBadState;
        if (!EnterBackend())
            return ZxStatus.ErrCanceled;
        try
        {
            return ResumeLoop(out packet);
        }
        finally
        {
            LeaveBackend();
        }
    }

    /// <summary>The last guest fault (ZX_INFO_VCPU_FAULT, a project extension); Reason None if none.</summary>
    public ZxInfoVcpuFault LastFault
    {
        get
        {
            lock (_lifetimeLock)
                return _lastFault;
        }
    }

    private ZxInfoVcpuFault _lastFault;

    private void RecordFault(VcpuExitKind kind) => RecordFault(kind switch
    {
        VcpuExitKind.TripleFault => ZxVcpuFaultReason.TripleFault,
        VcpuExitKind.EmulationFailure => ZxVcpuFaultReason.EmulationFailure,
        VcpuExitKind.EntryFailure => ZxVcpuFaultReason.EntryFailure,
        _ => ZxVcpuFaultReason.Other,
    });

    private void RecordFault(uint reason)
    {
        ulong rip = _backend.Registers.Rip;
        lock (_lifetimeLock)
            _lastFault = new ZxInfoVcpuFault { Reason = reason, Rip = rip };
    }

    private ZxStatus ResumeLoop(out ZxPortPacket packet)
    {
        packet = default;
        while (true)
        {
            if (IsDestroyed || TakeKick())
                return ZxStatus.ErrCanceled;
            if (Guest.TryTakeStartup(this, out uint apId, out ulong apEntry))
            {
                // ZX_PKT_TYPE_GUEST_VCPU / ZX_PKT_GUEST_VCPU_STARTUP, key 0 (GuestDispatcher.Processors).
                packet.Type = ZxPacketType.GuestVcpu;
                packet.GuestVcpu.Type = ZxPacketGuestVcpu.TypeStartup;
                packet.GuestVcpu.StartupId = apId;
                packet.GuestVcpu.StartupEntry = apEntry;
                return ZxStatus.Ok;
            }
            ZxStatus status = InjectPendingInterrupt();
            if (status != ZxStatus.Ok)
                return status;
            status = _backend.Run(out VcpuExit exit);
            if (status != ZxStatus.Ok)
                return status == ZxStatus.ErrBadHandle ? ZxStatus.ErrCanceled : ZxStatus.ErrBadState;
            switch (exit.Kind)
            {
                case VcpuExitKind.Kicked:
                case VcpuExitKind.InterruptWindow:
                    continue;
                case VcpuExitKind.Halt:
                    WaitForInterrupt();
                    continue;
                case VcpuExitKind.Io:
                    return HandleIo(exit.Io, out packet);
                case VcpuExitKind.Mmio:
                    status = HandleMmio(exit.Mmio, out packet, out bool reported);
                    if (status != ZxStatus.Ok || reported)
                        return status;
                    continue;
                case VcpuExitKind.EntryFailure:
                    RecordFault(exit.Kind);
                    return ZxStatus.ErrBadState;
                default:
                    // Triple fault, emulation failure and the rest: the guest cannot go on.
                    RecordFault(exit.Kind);
                    return ZxStatus.ErrNotSupported;
            }
        }
    }

    private ZxStatus HandleIo(in VcpuIoAccess io, out ZxPortPacket packet)
    {
        packet = default;
        // Zircon rejects string and REP forms before it looks for a trap. KVM batches some of them
        // (count > 1) but emulates others one element per exit, so the instruction decides.
        if (io.Count != 1 || TrappedInstructionDecoder.IsStringIo(Guest.Memory, _backend.Control, _backend.Registers, io))
        {
            DescribeUntrappedIo(io, ref packet);
            return UnsupportedAccess();
        }
        GuestTrap? trap = Guest.Traps.FindIo(io.Port);
        if (trap is null)
        {
            DescribeUntrappedIo(io, ref packet);
            return ZxStatus.ErrNotFound;
        }
        packet.Key = trap.Key;
        packet.Type = ZxPacketType.GuestIo;
        packet.GuestIo.Port = io.Port;
        packet.GuestIo.AccessSize = io.Size;
        packet.GuestIo.Input = !io.IsWrite;
        if (io.IsWrite)
            packet.GuestIo.U32 = io.Size == 4 ? io.Data : io.Data & ((1u << (io.Size * 8)) - 1);
        else
            return SkipPendingInstruction(zeroRax: io.Size == 4); // Zircon clears RAX for a 4-byte IN
        return ZxStatus.Ok;
    }

    private ZxStatus HandleMmio(in VcpuMmioAccess access, out ZxPortPacket packet, out bool reported)
    {
        packet = default;
        reported = false;
        GuestTrap? trap = Guest.Traps.FindMemory(access.Address);
        if (trap is null)
        {
            DescribeUntrappedMemory(access, ref packet);
            return access.Address >= GuestAddressSpace.Size ? ZxStatus.ErrOutOfRange : ZxStatus.ErrNotFound;
        }
        if (trap.Kind == ZxGuestTrap.Bell)
        {
            // A write rings the bell and is discarded (the guest has moved past it); a read cannot be served.
            // Waiting for packet budget gives way to a close or zx_vcpu_kick of this VCPU (CANCELED).
            // Once rung, later writes to that address may complete without exiting (BellDoorbells).
            if (access.IsWrite)
            {
                ZxStatus rung = trap.RingBell(access.Address, _abandonWait);
                if (rung == ZxStatus.Ok)
                    Guest.Doorbells.Learn(trap, access.Address);
                return rung;
            }
            DescribeUntrappedMemory(access, ref packet);
            return UnsupportedAccess();
        }
        GuestControlState control = _backend.Control;
        GuestRegisters regs = _backend.Registers;
        Span<byte> instruction = stackalloc byte[ZxPacketGuestMem.MaxInstructionLength];
        ZxStatus status = TrappedInstructionDecoder.Decode(Guest.Memory, control, regs, access, instruction, out TrappedInstruction found);
        if (status != ZxStatus.Ok)
        {
            // The access is trapped, but the instruction behind it cannot be found (its page is not
            // mapped in the guest's tables) or is not one that can be reported: not a missing trap.
            DescribeUntrappedMemory(access, ref packet);
            return UnsupportedAccess();
        }
        if (found.FragmentOffset > 0 && Guest.Traps.FindMemory(found.OperandAddress) is { Kind: ZxGuestTrap.Mem })
        {
            // A later fragment of an access KVM split (page end, wider than 8 bytes) whose first
            // fragment was in a MEM trap too: that exit already reported the instruction, as
            // Zircon reports it once. Let KVM finish it.
            return access.IsWrite ? ZxStatus.Ok : SkipPendingInstruction(zeroRax: false);
        }
        packet.Key = trap.Key;
        packet.Type = ZxPacketType.GuestMem;
        packet.GuestMem.Addr = access.Address;
        packet.GuestMem.DefaultOperandSize = control.DefaultOperandSize;
        packet.GuestMem.InstLen = (byte)found.Length;
        instruction[..found.Length].CopyTo(packet.GuestMem.InstBuf);
        reported = true;
        if (found.IsString)
        {
            RewindStringElement(regs, found);
            return ZxStatus.Ok;
        }
        return access.IsWrite ? ZxStatus.Ok : SkipPendingInstruction(zeroRax: false);
    }

    /// <summary>
    /// A string store (MOVS/STOS, REP or not) into a MEM trap. KVM emulated one element: RDI (and
    /// RSI for MOVS) moved one element on, RCX one less for REP, RIP past the instruction only if
    /// it was the last element. Zircon reports the instruction as the guest was when it faulted on
    /// the trap, with RIP past it, and leaves the whole instruction to user space: so take the
    /// element back and move RIP past the instruction.
    /// </summary>
    private void RewindStringElement(GuestRegisters regs, in TrappedInstruction found)
    {
        ulong step = (regs.Rflags & (1UL << 10)) != 0 ? unchecked((ulong)-found.StringElementSize) : (ulong)found.StringElementSize;
        regs.Rdi -= step;
        if (found.StringReadsSource)
            regs.Rsi -= step;
        if (found.Repeated)
            regs.Rcx += 1;
        if (found.StartsAtRip)
            regs.Rip += (ulong)found.Length;
        _backend.Registers = regs;
    }

    /// <summary>
    /// A trapped access this kernel will not serve (<see cref="ZxVcpuFaultReason.UnsupportedAccess"/>):
    /// NOT_SUPPORTED, as on Zircon, with the access described in the packet and the guest RIP kept
    /// for ZX_INFO_VCPU_FAULT, so a VMM can name both.
    /// </summary>
    private ZxStatus UnsupportedAccess()
    {
        RecordFault(ZxVcpuFaultReason.UnsupportedAccess);
        return ZxStatus.ErrNotSupported;
    }

    /// <summary>
    /// An access no trap covers ends the resume with NOT_FOUND (or OUT_OF_RANGE). Zircon leaves the
    /// packet unspecified then; this implementation describes the access in it, so a VMM can say what
    /// the guest touched and where: type GUEST_IO (port, size, direction, OUT data) or GUEST_MEM
    /// (address), and as key — there is no trap to take a key from — the guest RIP of the instruction.
    /// </summary>
    private void DescribeUntrappedIo(in VcpuIoAccess io, ref ZxPortPacket packet)
    {
        packet.Key = _backend.Registers.Rip;
        packet.Type = ZxPacketType.GuestIo;
        packet.GuestIo.Port = io.Port;
        packet.GuestIo.AccessSize = io.Size;
        packet.GuestIo.Input = !io.IsWrite;
        if (io.IsWrite)
            packet.GuestIo.U32 = io.Size == 4 ? io.Data : io.Data & ((1u << (io.Size * 8)) - 1);
    }

    /// <inheritdoc cref="DescribeUntrappedIo"/>
    private void DescribeUntrappedMemory(in VcpuMmioAccess access, ref ZxPortPacket packet)
    {
        packet.Key = _backend.Registers.Rip;
        packet.Type = ZxPacketType.GuestMem;
        packet.GuestMem.Addr = access.Address;
    }

    /// <summary>
    /// At an IN or MMIO-read exit KVM still owes the instruction's completion. Zircon reports these
    /// exits with RIP past the instruction and the registers untouched, and user space then sets
    /// the result with <c>zx_vcpu_write_state</c>. So: let KVM complete now (without running guest
    /// code), keep its new RIP, and put every other register back as it was at the exit.
    /// </summary>
    private ZxStatus SkipPendingInstruction(bool zeroRax)
    {
        GuestRegisters atExit = _backend.Registers;
        ZxStatus status = _backend.CompletePendingExit();
        if (status != ZxStatus.Ok)
            return status;
        atExit.Rip = _backend.Registers.Rip;
        if (zeroRax)
            atExit.Rax = 0;
        _backend.Registers = atExit;
        return ZxStatus.Ok;
    }

    /// <summary>Injects at most one pending event, in Zircon's order. NOT_SUPPORTED for a reserved vector (21..31).</summary>
    private ZxStatus InjectPendingInterrupt()
    {
        int vector = _pending.Peek();
        if (vector < 0)
            return ZxStatus.Ok;
        if (vector == ZxX86.NmiVector)
        {
            if (_backend.InjectNmi() == ZxStatus.Ok)
                _pending.Injected(vector);
            return ZxStatus.Ok;
        }
        if (vector >= FirstExternalVector)
        {
            if (_backend.CanInjectInterrupt && _backend.InjectInterrupt((byte)vector) == ZxStatus.Ok)
            {
                _backend.RequestInterruptWindow = false;
                _pending.Injected(vector);
            }
            else
            {
                _backend.RequestInterruptWindow = true; // stays pending until the guest can take it
            }
            return ZxStatus.Ok;
        }
        if (vector >= FirstReservedVector)
        {
            _pending.Remove(vector);
            return ZxStatus.ErrNotSupported;
        }
        ZxStatus status = _backend.InjectException((byte)vector, HasErrorCode(vector) ? 0u : null);
        if (status == ZxStatus.Ok)
            _pending.Injected(vector);
        return status;
    }

    private static bool HasErrorCode(int vector) => vector is 8 or (>= 10 and <= 14) or 17;

    /// <summary>HLT reached user space (no in-kernel interrupt controller): sleep until an interrupt is pending.</summary>
    private void WaitForInterrupt()
    {
        // Wake up now and then to notice a destroy from another thread.
        while (!_pending.Any && !IsDestroyed)
            _pending.WaitForAny(timeoutMs: 50);
    }
}
