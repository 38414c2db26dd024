using Zircon.Linux.Libc;

namespace Zircon.Kernel.Objects;

/// <summary>
/// A virtual memory object backed by a Linux memfd, so the same pages can be read and written
/// here, mapped into this process, and mapped into guests.
/// </summary>
public sealed class VmoDispatcher : Dispatcher, IDisposable
{
    private VmoDispatcher(SharedMemory memory, ulong size, bool resizable)
        : base(ZxSignals.VmoZeroChildren)
    {
        Memory = memory;
        Size = size;
        IsResizable = resizable;
    }

    /// <inheritdoc/>
    public override ZxObjectType Type => ZxObjectType.Vmo;

    /// <inheritdoc/>
    public override ZxRights DefaultRights => ZxDefaultRights.Vmo;

    /// <summary>Size in bytes, a whole number of pages.</summary>
    public ulong Size { get; }

    /// <summary>Whether the VMO was created with ZX_VMO_RESIZABLE.</summary>
    public bool IsResizable { get; }

    /// <summary>The memfd behind the VMO.</summary>
    public SharedMemory Memory { get; }

    /// <summary><c>zx_vmo_create</c>: size rounded up to a page; OUT_OF_RANGE if that overflows or is too large.</summary>
    public static ZxStatus Create(ulong size, uint options, out VmoDispatcher? vmo)
    {
        vmo = null;
        if (size > ulong.MaxValue - (ZxPage.Size - 1))
            return ZxStatus.ErrOutOfRange;
        ulong rounded = (size + ZxPage.Size - 1) & ~(ZxPage.Size - 1);
        ZxStatus status = SharedMemory.Create("zx-vmo", rounded, out SharedMemory? memory);
        if (status != ZxStatus.Ok)
            return status;
        vmo = new VmoDispatcher(memory!, rounded, (options & ZxVmoOptions.Resizable) != 0);
        return ZxStatus.Ok;
    }

    /// <summary><c>zx_vmo_read</c>: OUT_OF_RANGE when [offset, offset+length) is not inside the VMO.</summary>
    public ZxStatus Read(Span<byte> buffer, ulong offset)
    {
        if (!InRange(offset, (ulong)buffer.Length))
            return ZxStatus.ErrOutOfRange;
        return buffer.IsEmpty ? ZxStatus.Ok : Memory.Read(buffer, offset);
    }

    /// <summary><c>zx_vmo_write</c>: OUT_OF_RANGE when [offset, offset+length) is not inside the VMO.</summary>
    public ZxStatus Write(ReadOnlySpan<byte> buffer, ulong offset)
    {
        if (!InRange(offset, (ulong)buffer.Length))
            return ZxStatus.ErrOutOfRange;
        return buffer.IsEmpty ? ZxStatus.Ok : Memory.Write(buffer, offset);
    }

    /// <summary>Whether [offset, offset+length) lies inside the VMO, without overflow.</summary>
    public bool InRange(ulong offset, ulong length) => offset <= Size && length <= Size - offset;

    // The memfd lives until no handle and no mapping refers to the VMO; mappings of it keep
    // working after the fd closes, so closing on the last handle is safe.
    /// <inheritdoc/>
    protected override void OnZeroHandles() => Dispose();

    /// <summary>Releases the VMO's memory.</summary>
    public void Dispose() => Memory.Dispose();
}
