namespace Zircon.Kernel;

// TEMPORARY: signatures of syscalls not yet implemented. Each moves to its own file when done.
public static partial class Syscalls
{
    /// <summary><c>zx_interrupt_bind_vcpu</c>.</summary>
    public static ZxStatus InterruptBindVcpu(uint interrupt, uint vcpu, uint options) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_create</c>.</summary>
    public static ZxStatus VmoCreate(ulong size, uint options, out uint vmo) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_read</c>.</summary>
    public static ZxStatus VmoRead(uint vmo, Span<byte> buffer, ulong offset) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_write</c>.</summary>
    public static ZxStatus VmoWrite(uint vmo, ReadOnlySpan<byte> buffer, ulong offset) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_get_size</c>.</summary>
    public static ZxStatus VmoGetSize(uint vmo, out ulong size) => throw new NotImplementedException();

    /// <summary><c>zx_vmo_replace_as_executable</c>.</summary>
    public static ZxStatus VmoReplaceAsExecutable(uint vmo, uint vmex, out uint result) => throw new NotImplementedException();

    /// <summary><c>zx_vmar_root_self</c>.</summary>
    public static uint VmarRootSelf() => throw new NotImplementedException();

    /// <summary><c>zx_vmar_map</c>.</summary>
    public static ZxStatus VmarMap(uint vmar, uint options, ulong vmarOffset, uint vmo, ulong vmoOffset, ulong length, out ulong mappedAddress) => throw new NotImplementedException();

    /// <summary><c>zx_vmar_unmap</c>.</summary>
    public static ZxStatus VmarUnmap(uint vmar, ulong address, ulong length) => throw new NotImplementedException();
}
