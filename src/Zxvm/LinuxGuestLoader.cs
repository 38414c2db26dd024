using Zircon.Vmm.Boot;
using Zircon.Vmm.Machine;

namespace Zxvm;

/// <summary>
/// Reads --kernel, --initrd and --cmdline and checks that they fit the Linux machine before any
/// machine is built, so bad input is one line whether or not the host can run guests.
/// </summary>
public static class LinuxGuestLoader
{
    /// <exception cref="FileProblemException">A file is missing, unreadable or not a regular file.</exception>
    /// <exception cref="BootImageException">Not a kernel, too old, truncated, or kernel/initrd/command line do not fit.</exception>
    public static LinuxGuest Load(RunOptions options)
    {
        string kernelPath = options.KernelPath ?? throw new ArgumentException("no --kernel", nameof(options));
        if (options.MemoryBytes < LinuxMemoryMap.MinimumRam)
            throw new BootImageException($"a Linux guest needs at least {LinuxMemoryMap.MinimumRam >> 20}M of --memory");
        LinuxKernel kernel = FileProblems.Open(kernelPath, "--kernel", () =>
        {
            if (new FileInfo(kernelPath).Length > int.MaxValue)
                throw new FileProblemException($"--kernel: {kernelPath} is larger than 2 GiB");
            return LinuxKernel.Open(kernelPath);
        });
        byte[] initrd = options.InitrdPath is null ? [] : ReadFile(options.InitrdPath, "--initrd");
        string commandLine = options.KernelCommandLine ?? CommandLine.DefaultKernelCommandLine;
        LinuxBoot.Plan(kernel, initrd.Length, commandLine, new LinuxMemoryMap(options.MemoryBytes));
        return new LinuxGuest(kernel, initrd, commandLine);
    }

    private static byte[] ReadFile(string path, string option) =>
        FileProblems.Open(path, option, () =>
        {
            var info = new FileInfo(path);
            if (info.Length > int.MaxValue)
                throw new FileProblemException($"{option}: {path} is larger than 2 GiB");
            return File.ReadAllBytes(path);
        });
}
