using Zircon.Kernel;
using Zircon.Linux.Libc;

namespace Zircon;

/// <summary>
/// A range of a <see cref="Vmar"/> that a <see cref="Vmo"/> is mapped into; <see cref="Dispose"/>
/// unmaps it (<c>zx_vmar_unmap</c>) exactly once. Made by <see cref="Vmar.CreateMapping"/>.
/// </summary>
/// <remarks>
/// In this process's address space (<see cref="Vmar.Root"/>) the bytes can be reached directly
/// through <see cref="Span"/> / <see cref="ReadOnlySpan"/>. A span is a view of live memory: using
/// one after the mapping is disposed touches unmapped memory and can crash the process, so keep
/// spans inside the <c>using</c> scope of the mapping, as with any memory-mapped view.
/// </remarks>
public sealed class VmoMapping : IDisposable
{
    private readonly Vmar _vmar;
    private readonly VmOptions _options;
    private readonly bool _inProcess;
    private int _unmapped;

    internal VmoMapping(Vmar vmar, ulong address, ulong length, VmOptions options, bool inProcess)
    {
        _vmar = vmar;
        Address = address;
        Length = length;
        _options = options;
        _inProcess = inProcess;
    }

    /// <summary>The first mapped address (in the VMAR's address space).</summary>
    public ulong Address { get; }

    /// <summary>The mapped length in bytes.</summary>
    public ulong Length { get; }

    /// <summary>Whether the range is still mapped through this object.</summary>
    public bool IsMapped => Volatile.Read(ref _unmapped) == 0;

    /// <summary>
    /// The mapped bytes, writable. Only for a mapping in this process's address space made with
    /// <see cref="VmOptions.PermWrite"/>; valid until <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not in this process, not writable, or longer than a span can be.</exception>
    /// <exception cref="ObjectDisposedException">The mapping was disposed.</exception>
    public Span<byte> Span
    {
        get
        {
            CheckReachable(VmOptions.PermWrite);
            return HostMappings.AsSpan(Address, (int)Length);
        }
    }

    /// <summary>
    /// The mapped bytes, read-only. Only for a mapping in this process's address space made with
    /// <see cref="VmOptions.PermRead"/>; valid until <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not in this process, not readable, or longer than a span can be.</exception>
    /// <exception cref="ObjectDisposedException">The mapping was disposed.</exception>
    public ReadOnlySpan<byte> ReadOnlySpan
    {
        get
        {
            CheckReachable(VmOptions.PermRead);
            return HostMappings.AsSpan(Address, (int)Length);
        }
    }

    /// <summary>
    /// <c>zx_vmar_unmap(vmar, Address, Length)</c> once; later calls do nothing. Never throws (a
    /// failure, e.g. because the VMAR handle was closed first, leaves the range mapped).
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _unmapped, 1) == 0)
            Syscalls.VmarUnmap(_vmar.Handle, Address, Length);
    }

    private void CheckReachable(VmOptions permission)
    {
        ObjectDisposedException.ThrowIf(!IsMapped, this);
        if (!_inProcess)
            throw new InvalidOperationException("the mapping is not in this process's address space (e.g. it is guest-physical memory)");
        if ((_options & permission) == 0)
            throw new InvalidOperationException($"the mapping was not made with {permission}");
        if (Length > int.MaxValue)
            throw new InvalidOperationException($"a mapping of {Length} bytes is too long for a span");
    }
}
