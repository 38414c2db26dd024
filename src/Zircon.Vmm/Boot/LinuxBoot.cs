using System.Text;
using Zircon.Vmm.Boot.Acpi;
using Zircon.Vmm.Machine;

namespace Zircon.Vmm.Boot;

/// <summary>Where the VCPU starts and which registers the protocol sets (the rest as Zircon's initial state).</summary>
public readonly record struct LinuxEntry(ulong Rip, ulong Rsi, ulong Rsp);

/// <summary>Where the loader put things, for --verbose and tests.</summary>
public readonly record struct LinuxBootPlacement(ulong CommandLine, ulong InitrdAddress, ulong InitrdSize, ulong Rsdp, ulong KernelStart, ulong KernelEnd);

/// <summary>
/// Lays a Linux guest out in RAM: kernel, initrd (as high as the kernel allows), command line, ACPI
/// tables, and the boot structure of the kernel's protocol (boot_params or hvm_start_info), all
/// from one <see cref="LinuxMemoryMap"/>. Entering is left to the VMM: the VCPU starts in Zircon's
/// initial state (64-bit mode, identity page tables at CR3 = 0) at <see cref="LinuxEntry.Rip"/>.
/// </summary>
public static class LinuxBoot
{
    public const ulong PageSize = 0x1000;

    /// <summary>Checks everything that can be checked before building a machine (one line on failure).</summary>
    /// <exception cref="BootImageException">The command line is too long, or kernel and initrd do not fit in RAM.</exception>
    public static LinuxBootPlacement Plan(LinuxKernel kernel, int initrdSize, string commandLine, LinuxMemoryMap map)
    {
        int cmdlineBytes = Encoding.UTF8.GetByteCount(commandLine);
        if (cmdlineBytes > kernel.MaxCommandLine || (ulong)cmdlineBytes >= LinuxMemoryMap.CommandLineCapacity)
            throw new BootImageException($"the command line is {cmdlineBytes} bytes; this kernel accepts at most {kernel.MaxCommandLine}");
        (ulong kernelStart, ulong kernelEnd) = kernel.Footprint;
        if (kernelStart < LinuxMemoryMap.HighRamStart || !map.IsRam(kernelStart, kernelEnd - kernelStart))
            throw new BootImageException($"the kernel needs RAM at 0x{kernelStart:x}..0x{kernelEnd:x} ({(kernelEnd + (1 << 20) - 1) >> 20} MiB at least); guest RAM is {map.RamSize >> 20} MiB");
        ulong initrdAddress = 0;
        if (initrdSize > 0)
        {
            ulong top = Math.Min(map.RamSize, kernel.InitrdLimit);
            ulong size = (ulong)initrdSize;
            initrdAddress = size > top ? 0 : (top - size) & ~(PageSize - 1);
            ulong kernelEndAligned = (kernelEnd + PageSize - 1) & ~(PageSize - 1);
            if (size > top || initrdAddress < kernelEndAligned)
                throw new BootImageException($"the initrd ({size} bytes) does not fit in guest RAM above the kernel (0x{kernelEndAligned:x}..0x{top:x}); give more --memory");
        }
        return new LinuxBootPlacement(LinuxMemoryMap.CommandLine, initrdAddress, (ulong)initrdSize, LinuxMemoryMap.AcpiTables, kernelStart, kernelEnd);
    }

    /// <summary>Writes the kernel, initrd, command line, ACPI tables and boot structure into RAM; returns the entry.</summary>
    /// <exception cref="BootImageException">As <see cref="Plan"/>.</exception>
    public static LinuxEntry Load(Span<byte> ram, LinuxKernel kernel, ReadOnlySpan<byte> initrd, string commandLine, LinuxMemoryMap map, AcpiMachine acpi)
    {
        if ((ulong)ram.Length != map.RamSize)
            throw new ArgumentException("the RAM and the memory map disagree", nameof(ram));
        LinuxBootPlacement p = Plan(kernel, initrd.Length, commandLine, map);
        kernel.LoadInto(ram);
        initrd.CopyTo(ram[(int)p.InitrdAddress..]);
        Span<byte> cmdline = ram.Slice((int)p.CommandLine, (int)LinuxMemoryMap.CommandLineCapacity);
        cmdline.Clear();
        Encoding.UTF8.GetBytes(commandLine, cmdline);

        byte[] tables = AcpiTables.Build(acpi, LinuxMemoryMap.AcpiTables);
        if ((ulong)tables.Length > LinuxMemoryMap.AcpiTablesEnd - LinuxMemoryMap.AcpiTables)
            throw new InvalidOperationException("the ACPI tables outgrew their area");
        tables.CopyTo(ram[(int)LinuxMemoryMap.AcpiTables..]);

        switch (kernel)
        {
            case BzImageKernel bz:
                BootParams.Write(ram.Slice((int)LinuxMemoryMap.ZeroPage, BootParams.Size), bz, map, p.CommandLine, p.InitrdAddress, p.InitrdSize, p.Rsdp);
                // 64-bit boot protocol: RSI = boot_params; a stack is not promised, but the decompressor's
                // first pushes happen before it sets its own, so give it the page below the zero page.
                return new LinuxEntry(bz.Entry, LinuxMemoryMap.ZeroPage, LinuxMemoryMap.ZeroPage);
            case PvhElfKernel pvh:
                HvmStartInfo.Write(ram, map, LinuxMemoryMap.ZeroPage, LinuxMemoryMap.PvhMemoryMap, LinuxMemoryMap.PvhModules,
                    p.CommandLine, p.InitrdAddress, p.InitrdSize, p.Rsdp);
                PvhTrampoline.Write(ram, LinuxMemoryMap.PvhTrampoline, pvh.PvhEntry, (uint)LinuxMemoryMap.ZeroPage);
                return new LinuxEntry(LinuxMemoryMap.PvhTrampoline, 0, 0);
            default:
                throw new ArgumentException($"unknown kernel kind {kernel.GetType().Name}", nameof(kernel));
        }
    }
}
