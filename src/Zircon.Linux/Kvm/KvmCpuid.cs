using System.Runtime.InteropServices;
using Zircon.Linux.Libc;

namespace Zircon.Linux.Kvm;

/// <summary>
/// A list of CPUID leaves (<c>kvm_cpuid_entry2</c>) for a guest: get the host's with
/// <see cref="KvmSystem.GetSupportedCpuid"/>, adjust leaves through <see cref="Entries"/> (this is the
/// kernel's hook for Zircon's adjustments: hypervisor bit, APIC id, ...), then install it with
/// <see cref="KvmVcpu.SetCpuid"/>.
/// </summary>
public sealed unsafe class KvmCpuid
{
    private const int MaxEntries = 4096;
    private kvm_cpuid_entry2[] _entries;
    private int _count;

    /// <summary>Creates a list from <paramref name="entries"/> (copied).</summary>
    public KvmCpuid(ReadOnlySpan<kvm_cpuid_entry2> entries)
    {
        _entries = entries.ToArray();
        _count = entries.Length;
    }

    /// <summary>The leaves, editable in place.</summary>
    public Span<kvm_cpuid_entry2> Entries => _entries.AsSpan(0, _count);

    /// <summary>
    /// The index in <see cref="Entries"/> of leaf <paramref name="function"/> (subleaf
    /// <paramref name="index"/> where the leaf has subleaves), or -1.
    /// </summary>
    public int IndexOf(uint function, uint index = 0)
    {
        for (int i = 0; i < _count; i++)
        {
            ref kvm_cpuid_entry2 e = ref _entries[i];
            if (e.function == function && ((e.flags & 1) == 0 || e.index == index))
                return i;
        }
        return -1;
    }

    /// <summary>Adds a leaf, or replaces the one with the same function and index.</summary>
    public void Set(in kvm_cpuid_entry2 entry)
    {
        int i = IndexOf(entry.function, entry.index);
        if (i >= 0)
        {
            _entries[i] = entry;
            return;
        }
        if (_count == _entries.Length)
            Array.Resize(ref _entries, Math.Max(8, _count * 2));
        _entries[_count++] = entry;
    }

    /// <summary>An independent copy.</summary>
    public KvmCpuid Clone() => new(Entries);

    /// <summary>Runs a kvm_cpuid2 "get" ioctl, growing the buffer while KVM answers E2BIG.</summary>
    internal static ZxStatus Query(FileDescriptor fd, nuint request, out KvmCpuid? cpuid)
    {
        cpuid = null;
        for (int capacity = 128; capacity <= MaxEntries; capacity *= 2)
        {
            byte[] buffer = new byte[sizeof(kvm_cpuid2) + capacity * sizeof(kvm_cpuid_entry2)];
            // SAFETY: p pins a buffer holding the header and room for nent entries; KVM writes at most nent.
            fixed (byte* p = buffer)
            {
                ((kvm_cpuid2*)p)->nent = (uint)capacity;
                ZxStatus status = KvmNative.IoctlRaw(fd, request, (nuint)p, out _, out int errno);
                if (errno == KvmNative.E2BIG)
                    continue;
                if (status != ZxStatus.Ok)
                    return status;
                int n = (int)((kvm_cpuid2*)p)->nent;
                cpuid = new KvmCpuid(new ReadOnlySpan<kvm_cpuid_entry2>(p + sizeof(kvm_cpuid2), n));
                return ZxStatus.Ok;
            }
        }
        return ZxStatus.ErrNoResources;
    }

    /// <summary>Runs KVM_SET_CPUID2 with these leaves on a VCPU descriptor.</summary>
    internal ZxStatus Install(FileDescriptor vcpuFd)
    {
        byte[] buffer = new byte[sizeof(kvm_cpuid2) + _count * sizeof(kvm_cpuid_entry2)];
        MemoryMarshal.Cast<kvm_cpuid_entry2, byte>(Entries).CopyTo(buffer.AsSpan(sizeof(kvm_cpuid2)));
        // SAFETY: p pins a buffer holding the header followed by exactly nent entries.
        fixed (byte* p = buffer)
        {
            ((kvm_cpuid2*)p)->nent = (uint)_count;
            return KvmNative.Ioctl(vcpuFd, KvmIoctls.KVM_SET_CPUID2, p, out _);
        }
    }
}
