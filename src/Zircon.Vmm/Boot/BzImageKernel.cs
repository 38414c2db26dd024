using Zircon.Vmm.Machine;

namespace Zircon.Vmm.Boot;

/// <summary>
/// A bzImage booted through the 64-bit boot protocol (boot.rst, "64-bit Boot Protocol"): the
/// protected-mode kernel is loaded at its preferred address and entered at +0x200 in 64-bit mode
/// with boot_params in RSI; its own decompressor does the rest.
/// </summary>
public sealed class BzImageKernel : LinuxKernel
{
    /// <summary>The 64-bit entry is 0x200 bytes into the protected-mode kernel.</summary>
    public const ulong Entry64Offset = 0x200;

    private readonly byte[] _file;

    private BzImageKernel(byte[] file, SetupHeader header, ulong loadAddress)
    {
        _file = file;
        Header = header;
        LoadAddress = loadAddress;
    }

    public SetupHeader Header { get; }

    /// <summary>Where the protected-mode kernel goes: pref_address, rounded up to kernel_alignment.</summary>
    public ulong LoadAddress { get; }

    public ulong Entry => LoadAddress + Entry64Offset;

    public override LinuxBootProtocol Protocol => LinuxBootProtocol.BzImage64;

    public override int MaxCommandLine => (int)Math.Min(Header.CmdlineSize, int.MaxValue);

    public override ulong InitrdLimit => (ulong)Header.InitrdAddrMax + 1;

    public override (ulong Start, ulong End) Footprint => (LoadAddress, LoadAddress + Math.Max(Header.InitSize, (ulong)ProtectedModeKernel.Length));

    /// <summary>The bytes loaded at <see cref="LoadAddress"/>.</summary>
    public ReadOnlySpan<byte> ProtectedModeKernel => _file.AsSpan(Header.ProtectedModeOffset);

    /// <summary>The setup header as boot_params needs it copied: file bytes 0x1F1 to the header's end.</summary>
    public ReadOnlySpan<byte> SetupHeaderBytes => _file.AsSpan(SetupHeader.SetupSectsOffset, Header.EndOffset - SetupHeader.SetupSectsOffset);

    public override string Describe() =>
        $"bzImage, boot protocol {Header.VersionText}, {ProtectedModeKernel.Length} bytes at 0x{LoadAddress:x}, 64-bit entry 0x{Entry:x}, init_size 0x{Header.InitSize:x}";

    public override void LoadInto(Span<byte> ram) => ProtectedModeKernel.CopyTo(ram[(int)LoadAddress..]);

    /// <exception cref="BootImageException">Not a bzImage, too old, or truncated.</exception>
    public static new BzImageKernel Parse(byte[] file)
    {
        SetupHeader header = SetupHeader.Parse(file);
        long needed = header.ProtectedModeOffset + (long)header.Syssize * 16;
        if (file.Length < needed)
            throw new BootImageException($"truncated bzImage: the setup header promises {needed} bytes, the file has {file.Length}");
        ulong alignment = header.KernelAlignment is 0 or > (1u << 30) ? 0x20_0000 : header.KernelAlignment;
        ulong preferred = header.PrefAddress >= LinuxMemoryMap.HighRamStart ? header.PrefAddress : 0x100_0000;
        ulong load = (preferred + alignment - 1) & ~(alignment - 1);
        return new BzImageKernel(file, header, load);
    }
}
