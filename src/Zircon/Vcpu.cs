using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon;

/// <summary>
/// A virtual CPU, bound to the thread that created it: <see cref="Resume()"/>,
/// <see cref="ReadState"/> and <see cref="WriteState(in ZxVcpuState)"/> work only there
/// (elsewhere they fail with BAD_STATE); <see cref="Interrupt"/> works from any thread.
/// </summary>
public sealed class Vcpu : ZxObject<Vcpu>
{
    private Vcpu(uint handle)
        : base(handle, ownsHandle: true)
    {
    }

    /// <summary>
    /// <c>zx_vcpu_create(guest, 0, entry)</c> on the calling thread. The first VCPU of a guest starts
    /// in 64-bit mode at <paramref name="entry"/> (Zircon's initial state); later ones in real mode.
    /// Needs MANAGE_PROCESS on the guest; one live VCPU per thread.
    /// </summary>
    /// <exception cref="ZxException">BAD_STATE if this thread already has a VCPU, INVALID_ARGS for an entry past 2^48, NO_RESOURCES past 64 VCPUs, ACCESS_DENIED.</exception>
    public static Vcpu Create(Guest guest, ulong entry)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ZxException.ThrowIfError(Syscalls.VcpuCreate(guest.Handle, 0, entry, out uint handle), "zx_vcpu_create");
        return new Vcpu(handle);
    }

    /// <summary>
    /// <c>zx_vcpu_resume</c>: runs the guest until an exit user space must handle, and returns it
    /// as a packet (GUEST_MEM with the instruction bytes, or GUEST_IO). The guest's RIP is already
    /// past the instruction. Needs EXECUTE; only on the creating thread.
    /// </summary>
    /// <exception cref="ZxException">
    /// NOT_FOUND for an access no trap covers, NOT_SUPPORTED when the guest faulted (triple fault,
    /// emulation failure) or read a BELL trap, BAD_STATE on another thread or after a BELL port closed,
    /// CANCELED once the VCPU was closed.
    /// </exception>
    public ZxPortPacket Resume()
    {
        ZxException.ThrowIfError(Syscalls.VcpuResume(Handle, out ZxPortPacket packet), "zx_vcpu_resume");
        return packet;
    }

    /// <summary>
    /// <c>zx_vcpu_resume</c> that <paramref name="cancellationToken"/> can interrupt: when the token
    /// is canceled, the VCPU is kicked (<c>zx_vcpu_kick</c>), the guest leaves at its next
    /// instruction boundary and this call throws <see cref="OperationCanceledException"/>; the guest
    /// state is intact and a later <see cref="Resume()"/> continues where it stopped. Like
    /// <see cref="Resume()"/>, it runs on the creating thread and blocks it (a VCPU runs on its own
    /// thread, so there is no task-returning variant).
    /// </summary>
    /// <remarks>
    /// If the token is canceled while the guest is already exiting for another reason, the exit
    /// wins: its packet is returned and the kick is withdrawn, so the next resume is not canceled
    /// by it. A token already canceled on entry throws at once without entering the guest.
    /// </remarks>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="ZxException">As <see cref="Resume()"/>; CANCELED when kicked by <see cref="Kick"/> or closed.</exception>
    public ZxPortPacket Resume(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!cancellationToken.CanBeCanceled)
            return Resume();
        var kick = new KickOnCancel(this);
        ZxStatus status;
        ZxPortPacket packet;
        using (cancellationToken.UnsafeRegister(static state => ((KickOnCancel)state!).Fire(), kick))
            status = Syscalls.VcpuResume(Handle, out packet);
        // Disposing the registration waited for a running callback: kick.Fired is final here.
        if (kick.Fired)
        {
            if (status == ZxStatus.ErrCanceled)
                throw new OperationCanceledException(cancellationToken);
            Syscalls.VcpuWithdrawKick(Handle);
        }
        ZxException.ThrowIfError(status, "zx_vcpu_resume");
        return packet;
    }

    /// <summary>The token callback of <see cref="Resume(CancellationToken)"/>: kicks once and remembers it.</summary>
    private sealed class KickOnCancel(Vcpu vcpu)
    {
        public bool Fired { get; private set; }

        public void Fire()
        {
            // TryKick: the VCPU may be closing; the resume then ends with CANCELED on its own.
            vcpu.TryKick();
            Fired = true;
        }
    }

    /// <summary>As <see cref="Resume()"/>, returning the status (the VMM's hot loop).</summary>
    public ZxStatus TryResume(out ZxPortPacket packet) => Syscalls.VcpuResume(Handle, out packet);

    /// <summary>
    /// <c>zx_vcpu_interrupt</c>: marks <paramref name="vector"/> pending and kicks the VCPU. Any
    /// thread. Zircon's priorities apply: NMI (2) first, then the highest vector; 0..20 are
    /// exceptions, 32..255 wait for the guest's IF. Needs SIGNAL.
    /// </summary>
    /// <exception cref="ZxException">OUT_OF_RANGE for a vector past 255, ACCESS_DENIED, BAD_HANDLE.</exception>
    public void Interrupt(uint vector) => ZxException.ThrowIfError(Syscalls.VcpuInterrupt(Handle, vector), "zx_vcpu_interrupt");

    /// <summary>
    /// <c>zx_vcpu_kick</c>: makes the <see cref="Resume()"/> in progress on the VCPU's thread (or its
    /// next one) fail with CANCELED, so another thread can pause or stop a running guest. Needs EXECUTE.
    /// </summary>
    public void Kick() => ZxException.ThrowIfError(Syscalls.VcpuKick(Handle), "zx_vcpu_kick");

    /// <summary>As <see cref="Kick"/>, returning the status (e.g. BAD_HANDLE once the VCPU was closed).</summary>
    public ZxStatus TryKick() => Syscalls.VcpuKick(Handle);

    /// <summary>
    /// <c>zx_vcpu_read_state(ZX_VCPU_STATE)</c>: the 16 general registers and the user-visible RFLAGS
    /// bits. Needs READ; only on the creating thread.
    /// </summary>
    public ZxVcpuState ReadState()
    {
        ZxVcpuState state = default;
        Span<byte> buffer = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref state, 1));
        ZxException.ThrowIfError(Syscalls.VcpuReadState(Handle, (uint)ZxVcpuStateKind.State, buffer), "zx_vcpu_read_state");
        return state;
    }

    /// <summary>
    /// Why the last <see cref="Resume()"/> failed with NOT_SUPPORTED or BAD_STATE, and the guest's RIP
    /// then (<c>zx_object_get_info(ZX_INFO_VCPU_FAULT)</c>, a project extension: Zircon reports only
    /// the status). Null while no resume has failed that way. Needs INSPECT; any thread.
    /// </summary>
    public ZxInfoVcpuFault? LastFault
    {
        get
        {
            ZxInfoVcpuFault fault = default;
            Span<byte> buffer = MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref fault, 1));
            ZxException.ThrowIfError(Syscalls.ObjectGetInfo(Handle, ZxInfoTopic.VcpuFault, buffer, out _, out _), "zx_object_get_info(ZX_INFO_VCPU_FAULT)");
            return fault.Reason == ZxVcpuFaultReason.None ? null : fault;
        }
    }

    /// <summary>
    /// <c>zx_vcpu_write_state(ZX_VCPU_STATE)</c>: sets the 16 general registers; RFLAGS only if its
    /// bit 1 is set in <paramref name="state"/>. Needs WRITE; only on the creating thread.
    /// </summary>
    public void WriteState(in ZxVcpuState state)
    {
        ZxVcpuState copy = state;
        ReadOnlySpan<byte> buffer = MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref copy, 1));
        ZxException.ThrowIfError(Syscalls.VcpuWriteState(Handle, (uint)ZxVcpuStateKind.State, buffer), "zx_vcpu_write_state");
    }

    /// <summary>
    /// <c>zx_vcpu_write_state(ZX_VCPU_IO)</c>: supplies the value of the IN the last GUEST_IO packet
    /// reported (<paramref name="accessSize"/> 1, 2 or 4 bytes of <paramref name="value"/>).
    /// </summary>
    public void WriteIo(byte accessSize, uint value)
    {
        var io = new ZxVcpuIo { AccessSize = accessSize, U32 = value };
        ReadOnlySpan<byte> buffer = MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref io, 1));
        ZxException.ThrowIfError(Syscalls.VcpuWriteState(Handle, (uint)ZxVcpuStateKind.Io, buffer), "zx_vcpu_write_state(ZX_VCPU_IO)");
    }

    /// <summary>Takes ownership of a raw VCPU handle.</summary>
    public static Vcpu FromHandle(uint handle)
    {
        CheckAdoptable(handle, ZxObjectType.Vcpu);
        return new Vcpu(handle);
    }

    private protected override Vcpu Wrap(uint handle) => new(handle);
}
