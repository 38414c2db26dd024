using System.Diagnostics;
using Zircon.Vmm.Tests.Support;

namespace Zxvm.Tests.Linux;

/// <summary>The test initramfs is a cpio archive busybox's own cpio unpacks to what /init needs.</summary>
public sealed class InitramfsTests
{
    [DebianKernelFact]
    public void BusyboxCpio_UnpacksInit_Busybox_TheModules_AndTheConsoleNode()
    {
        byte[] archive = Initramfs.Build(DebianKernel.ModulesDirectory);
        Assert.Equal(0, archive.Length % 512);
        string dir = Directory.CreateTempSubdirectory("zxvm-initramfs").FullName;
        try
        {
            var start = new ProcessStartInfo("/bin/busybox") { WorkingDirectory = dir, RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string a in new[] { "cpio", "-t" })
                start.ArgumentList.Add(a);
            using Process list = Process.Start(start)!;
            list.StandardInput.BaseStream.Write(archive);
            list.StandardInput.Close();
            string names = list.StandardOutput.ReadToEnd();
            list.WaitForExit();
            Assert.Equal(0, list.ExitCode);
            string[] entries = names.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("init", entries);
            Assert.Contains("bin/busybox", entries);
            Assert.Contains("dev/console", entries);
            foreach (string module in Initramfs.VirtioModules)
                Assert.Contains("modules/" + Path.GetFileName(module), entries);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [DebianKernelFact]
    public void TheInitScript_PrintsTheMarker_LoadsModulesInDependencyOrder_AndPowersOff()
    {
        byte[] archive = Initramfs.Build(DebianKernel.ModulesDirectory);
        string text = System.Text.Encoding.ASCII.GetString(archive);
        int init = text.IndexOf("#!/bin/busybox sh", StringComparison.Ordinal);
        Assert.True(init > 0);
        string script = text[init..text.IndexOf("070701", init, StringComparison.Ordinal)].TrimEnd('\0'); // up to the next cpio header
        Assert.Contains($"echo {Initramfs.Marker}", script);
        Assert.True(script.IndexOf("virtio_ring.ko", StringComparison.Ordinal) < script.IndexOf("virtio.ko", StringComparison.Ordinal));
        Assert.True(script.IndexOf("virtio.ko", StringComparison.Ordinal) < script.IndexOf("virtio_mmio.ko", StringComparison.Ordinal));
        Assert.EndsWith("/bin/busybox poweroff -f\n", script);
    }
}
