using System.Runtime.InteropServices;
using Zircon.Linux.Libc;

namespace Zircon.Linux.Kvm;

/// <summary>
/// The mmap'd <c>kvm_run</c> area of one VCPU (the shared page plus the PIO data page after it),
/// unmapped exactly once. Cross-thread users (<see cref="KvmVcpu.Kick"/>) take a reference so the
/// mapping cannot vanish under them.
/// </summary>
internal sealed unsafe class KvmRunMapping : SafeHandle
{
    private readonly nuint _length;

    private KvmRunMapping(void* address, nuint length)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _length = length;
        SetHandle((nint)address);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Size of the mapping in bytes.</summary>
    internal nuint Length => _length;

    /// <summary>The kvm_run structure at the start of the mapping.</summary>
    // SAFETY: the mapping is at least sizeof(kvm_run) (checked at Open); callers keep this handle
    // alive (AddRef, or being the owning VCPU's thread) while they use the pointer.
    internal kvm_run* Run => (kvm_run*)handle;

    /// <summary>Maps <paramref name="length"/> bytes of the VCPU descriptor's kvm_run area.</summary>
    internal static ZxStatus Map(FileDescriptor vcpuFd, nuint length, out KvmRunMapping? mapping)
    {
        mapping = null;
        // SAFETY: a fresh shared mapping of the VCPU fd at offset 0, the size KVM_GET_VCPU_MMAP_SIZE gave.
        void* p = LibcNative.mmap(null, length, LibcNative.PROT_READ | LibcNative.PROT_WRITE,
            LibcNative.MAP_SHARED, vcpuFd.Fd, 0);
        if (p == LibcNative.MapFailed)
            return Errno.LastStatus();
        mapping = new KvmRunMapping(p, length);
        return ZxStatus.Ok;
    }

    protected override bool ReleaseHandle()
    {
        // SAFETY: handle is the start of a mapping of _length bytes this object created and owns.
        return LibcNative.munmap((void*)handle, _length) == 0;
    }
}
