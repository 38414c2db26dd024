using System.Runtime.InteropServices;
using Zircon.Kernel;

namespace Zircon.Native;

/// <summary>VMO and VMAR calls (<c>zircon/syscalls.h</c>, <c>zircon/process.h</c>).</summary>
public static class MemoryExports
{
    // Transfers longer than a Span can describe are split into chunks of this size.
    private const int ChunkSize = 1 << 30;

    // SAFETY: `out` is NULL or a writable zx_handle_t; HandOut checks for NULL before writing.
    /// <summary><c>zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vmo_create")]
    public static unsafe int VmoCreate(ulong size, uint options, uint* @out)
    {
        try
        {
            ZxStatus status = Syscalls.VmoCreate(size, options, out uint vmo);
            return ExportStatus.HandOut(status, vmo, @out);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vmo_create");
        }
    }

    // SAFETY: `buffer` has `length` writable bytes (checked non-NULL when length > 0).
    /// <summary><c>zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vmo_read")]
    public static unsafe int VmoRead(uint handle, byte* buffer, ulong offset, nuint length)
    {
        try
        {
            if (buffer == null && length != 0)
                return ExportStatus.InvalidArgs;
            // The bytes move with pread/pwrite on the VMO's memfd: the host kernel does the
            // copy, so a bad buffer is EFAULT (INVALID_ARGS), never a fault in this process.
            return (int)Transfer(handle, buffer, offset, length, write: false);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vmo_read");
        }
    }

    // SAFETY: `buffer` has `length` readable bytes (checked non-NULL when length > 0).
    /// <summary><c>zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset, size_t buffer_size)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vmo_write")]
    public static unsafe int VmoWrite(uint handle, byte* buffer, ulong offset, nuint length)
    {
        try
        {
            if (buffer == null && length != 0)
                return ExportStatus.InvalidArgs;
            // The bytes move with pread/pwrite on the VMO's memfd: the host kernel does the
            // copy, so a bad buffer is EFAULT (INVALID_ARGS), never a fault in this process.
            return (int)Transfer(handle, buffer, offset, length, write: true);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vmo_write");
        }
    }

    // SAFETY: `buffer` has `length` accessible bytes, as the exports above established.
    /// <summary>
    /// A read or write of <paramref name="length"/> bytes. Up to int.MaxValue bytes go to the kernel
    /// in one call. Longer transfers (which a Span cannot describe) are validated as a whole first —
    /// handle, type and right with an empty transfer, then offset + length against the VMO's size
    /// (OUT_OF_RANGE) — so a bad request fails before any byte moves, and are then done in 1 GiB
    /// chunks. Only a concurrent shrink of a resizable VMO can cut such a transfer short (the chunk
    /// that no longer fits reports OUT_OF_RANGE).
    /// </summary>
    private static unsafe ZxStatus Transfer(uint handle, byte* buffer, ulong offset, nuint length, bool write)
    {
        if (length <= int.MaxValue)
            return TransferChunk(handle, buffer, offset, (int)length, write);

        ZxStatus status = TransferChunk(handle, buffer, 0, 0, write);
        if (status != ZxStatus.Ok)
            return status;
        status = Syscalls.VmoGetSize(handle, out ulong size);
        if (status != ZxStatus.Ok)
            return status;
        if (offset > size || length > size - offset)
            return ZxStatus.ErrOutOfRange;

        while (length > 0)
        {
            int chunk = (int)Math.Min(length, (nuint)ChunkSize);
            status = TransferChunk(handle, buffer, offset, chunk, write);
            if (status != ZxStatus.Ok)
                return status;
            buffer += chunk;
            offset += (ulong)chunk;
            length -= (nuint)chunk;
        }
        return ZxStatus.Ok;
    }

    // SAFETY: `buffer` has `length` accessible bytes (NULL only with length 0).
    private static unsafe ZxStatus TransferChunk(uint handle, byte* buffer, ulong offset, int length, bool write) =>
        write
            ? Syscalls.VmoWrite(handle, new ReadOnlySpan<byte>(buffer, length), offset)
            : Syscalls.VmoRead(handle, new Span<byte>(buffer, length), offset);

    // SAFETY: `size` is only written through UserMemory.
    /// <summary><c>zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vmo_get_size")]
    public static unsafe int VmoGetSize(uint handle, ulong* size)
    {
        try
        {
            ZxStatus status = Syscalls.VmoGetSize(handle, out ulong value);
            if (status != ZxStatus.Ok)
                return (int)status;
            if (size == null || !UserMemory.TryWrite(size, value))
                return ExportStatus.InvalidArgs;
            return ExportStatus.Ok;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vmo_get_size");
        }
    }

    // SAFETY: `out` is NULL or a writable zx_handle_t; HandOut checks for NULL before writing.
    /// <summary>
    /// <c>zx_status_t zx_vmo_replace_as_executable(zx_handle_t handle, zx_handle_t vmex, zx_handle_t* out)</c>.
    /// The VMO handle is always consumed, also when <paramref name="out"/> is NULL.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vmo_replace_as_executable")]
    public static unsafe int VmoReplaceAsExecutable(uint handle, uint vmex, uint* @out)
    {
        try
        {
            ZxStatus status = Syscalls.VmoReplaceAsExecutable(handle, vmex, out uint executable);
            return ExportStatus.HandOut(status, executable, @out);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vmo_replace_as_executable");
        }
    }

    /// <summary>
    /// <c>zx_handle_t zx_vmar_root_self(void)</c> (<c>zircon/process.h</c>): the process's root VMAR,
    /// or ZX_HANDLE_INVALID if the kernel failed.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vmar_root_self")]
    public static uint VmarRootSelf()
    {
        try
        {
            return Syscalls.VmarRootSelf();
        }
        catch (Exception e)
        {
            ExportStatus.FromException(e, "zx_vmar_root_self");
            return ZxHandleValues.Invalid;
        }
    }

    // SAFETY: `mappedAddress` is only written through UserMemory.
    /// <summary>
    /// <c>zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, size_t vmar_offset,
    /// zx_handle_t vmo, uint64_t vmo_offset, size_t len, zx_vaddr_t* mapped_addr)</c>.
    /// With a NULL <paramref name="mappedAddress"/> the new mapping is removed again and the result is
    /// ZX_ERR_INVALID_ARGS.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vmar_map")]
    public static unsafe int VmarMap(uint handle, uint options, nuint vmarOffset, uint vmo, ulong vmoOffset, nuint length, ulong* mappedAddress)
    {
        try
        {
            ZxStatus status = Syscalls.VmarMap(handle, options, vmarOffset, vmo, vmoOffset, length, out ulong address);
            if (status != ZxStatus.Ok)
                return (int)status;
            if (mappedAddress == null || !UserMemory.TryWrite(mappedAddress, address))
            {
                ulong pageMask = ZxPage.Size - 1;
                Syscalls.VmarUnmap(handle, address, ((ulong)length + pageMask) & ~pageMask);
                return ExportStatus.InvalidArgs;
            }
            return ExportStatus.Ok;
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vmar_map");
        }
    }

    /// <summary><c>zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, size_t len)</c></summary>
    [UnmanagedCallersOnly(EntryPoint = "zx_vmar_unmap")]
    public static int VmarUnmap(uint handle, ulong address, nuint length)
    {
        try
        {
            return (int)Syscalls.VmarUnmap(handle, address, length);
        }
        catch (Exception e)
        {
            return ExportStatus.FromException(e, "zx_vmar_unmap");
        }
    }
}
