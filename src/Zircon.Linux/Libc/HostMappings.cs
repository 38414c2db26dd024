namespace Zircon.Linux.Libc;

/// <summary>Maps shared memory into this process's address space.</summary>
public static unsafe class HostMappings
{
    /// <summary>
    /// Maps <paramref name="length"/> bytes of <paramref name="memory"/> from <paramref name="offset"/>.
    /// With <paramref name="fixedAddress"/> non-zero the mapping goes exactly there and never replaces
    /// an existing mapping unless <paramref name="overwrite"/> is set (then the caller has checked it
    /// owns that range).
    /// </summary>
    public static ZxStatus Map(SharedMemory memory, ulong offset, ulong length, bool read, bool write, bool execute,
        ulong fixedAddress, bool overwrite, out ulong address)
    {
        address = 0;
        int prot = (read ? LibcNative.PROT_READ : 0) | (write ? LibcNative.PROT_WRITE : 0) | (execute ? LibcNative.PROT_EXEC : 0);
        int flags = LibcNative.MAP_SHARED;
        if (fixedAddress != 0)
            flags |= overwrite ? LibcNative.MAP_FIXED : LibcNative.MAP_FIXED_NOREPLACE;
        // SAFETY: the descriptor is a live memfd; a fixed address is either free (NOREPLACE) or owned by the caller.
        void* p = LibcNative.mmap((void*)fixedAddress, (nuint)length, prot, flags, memory.Descriptor.Fd, (long)offset);
        if (p == LibcNative.MapFailed)
            return Errno.Last == LibcNative.EEXIST ? ZxStatus.ErrNoMemory : Errno.LastStatus();
        if (fixedAddress != 0 && (ulong)p != fixedAddress)
        {
            // Kernels before 4.17 treat MAP_FIXED_NOREPLACE as a hint; undo a mapping placed elsewhere.
            LibcNative.munmap(p, (nuint)length);
            return ZxStatus.ErrNoMemory;
        }
        address = (ulong)p;
        return ZxStatus.Ok;
    }

    /// <summary>Reserves <paramref name="length"/> bytes of address space (inaccessible) for the caller to map into.</summary>
    public static ZxStatus Reserve(ulong length, out ulong address)
    {
        // SAFETY: an anonymous PROT_NONE mapping at an address of the kernel's choosing touches nothing else.
        void* p = LibcNative.mmap(null, (nuint)length, LibcNative.PROT_NONE,
            LibcNative.MAP_PRIVATE | LibcNative.MAP_ANONYMOUS | LibcNative.MAP_NORESERVE, -1, 0);
        address = p == LibcNative.MapFailed ? 0 : (ulong)p;
        return p == LibcNative.MapFailed ? Errno.LastStatus() : ZxStatus.Ok;
    }

    /// <summary>Removes a range this library mapped earlier.</summary>
    public static ZxStatus Unmap(ulong address, ulong length)
    {
        // SAFETY: callers pass only ranges they mapped through Map and still own.
        return LibcNative.munmap((void*)address, (nuint)length) == 0 ? ZxStatus.Ok : Errno.LastStatus();
    }

    /// <summary>A span over mapped bytes; valid until the range is unmapped.</summary>
    public static Span<byte> AsSpan(ulong address, int length)
    {
        // SAFETY: callers pass a live mapping of at least length bytes.
        return new Span<byte>((void*)address, length);
    }
}
