using System.Diagnostics;

namespace Zircon.Vmm.Tests.Support;

/// <summary>
/// Debian's cloud kernel as scripts/linux-guest.sh prepares it (installed with apt, vmlinux unpacked
/// from the bzImage's payload), plus its System.map for independent checks. Prepared once per run.
/// </summary>
public static class DebianKernel
{
    private static readonly Lazy<(Dictionary<string, string>? Paths, string? Problem)> s_prepared = new(Prepare);
    private static readonly Lazy<byte[]> s_bzImage = new(() => File.ReadAllBytes(Path("bzImage")));
    private static readonly Lazy<byte[]> s_vmlinux = new(() => File.ReadAllBytes(Path("vmlinux")));

    /// <summary>Null when the kernel is here, else why not (the tests then skip with it).</summary>
    public static string? Problem => s_prepared.Value.Problem;

    public static byte[] BzImage => s_bzImage.Value;

    public static byte[] Vmlinux => s_vmlinux.Value;

    public static string BzImagePath => Path("bzImage");

    public static string VmlinuxPath => Path("vmlinux");

    /// <summary>/lib/modules/VERSION of the same kernel (its virtio drivers are modules).</summary>
    public static string ModulesDirectory => Path("modules");

    /// <summary>
    /// A section of the vmlinux by name, read through the ELF section headers (not the program
    /// headers the loader uses): (virtual address, file offset, size, type).
    /// Debian's System.map is a stub and the vmlinux is stripped, so sections are the independent view.
    /// </summary>
    public static (ulong Address, ulong Offset, ulong Size, uint Type) Section(string name)
    {
        byte[] b = Vmlinux;
        ulong shoff = BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C), shstrndx = BitConverter.ToUInt16(b, 0x3E);
        ulong strtab = BitConverter.ToUInt64(b, (int)shoff + shstrndx * shentsize + 0x18);
        for (int i = 0; i < shnum; i++)
        {
            int at = (int)shoff + i * shentsize;
            int nameAt = (int)strtab + (int)BitConverter.ToUInt32(b, at);
            string sectionName = System.Text.Encoding.ASCII.GetString(b, nameAt, Array.IndexOf(b, (byte)0, nameAt) - nameAt);
            if (sectionName == name)
                return (BitConverter.ToUInt64(b, at + 0x10), BitConverter.ToUInt64(b, at + 0x18), BitConverter.ToUInt64(b, at + 0x20), BitConverter.ToUInt32(b, at + 4));
        }
        throw new KeyNotFoundException($"no section {name} in the vmlinux");
    }

    /// <summary>__START_KERNEL_map: virtual = physical + this for the kernel image.</summary>
    public const ulong StartKernelMap = 0xFFFF_FFFF_8000_0000;

    private static string Path(string key) =>
        s_prepared.Value.Paths?[key] ?? throw new InvalidOperationException(Problem);

    public static string RepositoryRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir, "Zircon.slnx")))
                dir = System.IO.Path.GetDirectoryName(dir);
            return dir ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        }
    }

    private static (Dictionary<string, string>?, string?) Prepare()
    {
        try
        {
            var start = new ProcessStartInfo(System.IO.Path.Combine(RepositoryRoot, "scripts", "linux-guest.sh"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process process = Process.Start(start)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                return (null, $"needs Debian's kernel: scripts/linux-guest.sh failed ({stderr.Result.Trim()})");
            var paths = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            return (paths, null);
        }
        catch (Exception e) when (e is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return (null, $"needs Debian's kernel: {e.Message}");
        }
    }
}

/// <summary>A fact on Debian's real kernel; skipped with the reason where scripts/linux-guest.sh cannot prepare it.</summary>
public sealed class DebianKernelFactAttribute : FactAttribute
{
    public DebianKernelFactAttribute()
    {
        if (DebianKernel.Problem is { } problem)
            Skip = problem;
    }
}
