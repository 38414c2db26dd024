using System.Text;

namespace Zxvm.Tests.Linux;

/// <summary>
/// Writes an initramfs at test time: a "newc" cpio archive (Linux's
/// Documentation/driver-api/early-userspace/buffer-format.rst) holding Debian's busybox-static,
/// the virtio modules the cloud kernel builds as modules, a /dev/console node and an /init script.
/// </summary>
public sealed class Initramfs
{
    /// <summary>Printed by every /init as its first line.</summary>
    public const string Marker = "ZXVM-LINUX-INIT-OK";

    /// <summary>The virtio modules in dependency order (modules.dep of Debian's cloud kernel).</summary>
    public static readonly string[] VirtioModules =
    [
        "drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko", "drivers/virtio/virtio_mmio.ko",
        "drivers/block/virtio_blk.ko", "drivers/char/virtio_console.ko",
    ];

    private readonly MemoryStream _archive = new();
    private int _inode = 1;

    /// <summary>
    /// An initramfs whose /init prints <see cref="Marker"/>, loads the virtio modules, prints the
    /// first 32 bytes of /dev/vda as "VDA:&lt;text&gt;" (when a disk is there), the interrupt counts,
    /// and powers off.
    /// </summary>
    public static byte[] Build(string modulesDirectory)
    {
        var cpio = new Initramfs();
        foreach (string dir in new[] { "bin", "dev", "proc", "sys", "modules" })
            cpio.AddDirectory(dir);
        cpio.AddNode("dev/console", major: 5, minor: 1);
        cpio.AddFile("bin/busybox", File.ReadAllBytes("/bin/busybox"), executable: true);
        var load = new StringBuilder();
        foreach (string module in VirtioModules)
        {
            string name = Path.GetFileName(module);
            cpio.AddFile("modules/" + name, File.ReadAllBytes(Path.Combine(modulesDirectory, "kernel", module)), executable: false);
            load.Append($"/bin/busybox insmod /modules/{name}\n");
        }
        string init = $"""
            #!/bin/busybox sh
            /bin/busybox mount -t proc proc /proc
            /bin/busybox mount -t sysfs sys /sys
            /bin/busybox mount -t devtmpfs dev /dev
            echo {Marker}
            {load}
            if [ -b /dev/vda ]; then echo "VDA:$(/bin/busybox head -c 32 /dev/vda)"; fi
            /bin/busybox cat /proc/interrupts
            /bin/busybox ls /sys/bus/platform/devices
            /bin/busybox poweroff -f
            """;
        cpio.AddFile("init", Encoding.ASCII.GetBytes(init.Replace("\r", "") + "\n"), executable: true);
        return cpio.Finish();
    }

    private void AddDirectory(string name) => Entry(name, 0x41ED, [], 0, 0);

    private void AddNode(string name, int major, int minor) => Entry(name, 0x2180, [], major, minor); // char device, 0600

    private void AddFile(string name, byte[] data, bool executable) => Entry(name, executable ? 0x81ED : 0x81A4, data, 0, 0);

    private void Entry(string name, int mode, byte[] data, int rdevMajor, int rdevMinor)
    {
        byte[] nameBytes = Encoding.ASCII.GetBytes(name + "\0");
        string header = "070701" + string.Concat(new[]
        {
            _inode++, mode, 0, 0, 1, 0, data.Length, 0, 0, rdevMajor, rdevMinor, nameBytes.Length, 0,
        }.Select(v => v.ToString("X8")));
        Write(Encoding.ASCII.GetBytes(header));
        Write(nameBytes);
        Pad();
        Write(data);
        Pad();
    }

    private void Write(byte[] bytes) => _archive.Write(bytes);

    private void Pad()
    {
        while (_archive.Length % 4 != 0)
            _archive.WriteByte(0);
    }

    private byte[] Finish()
    {
        Entry("TRAILER!!!", 0, [], 0, 0);
        while (_archive.Length % 512 != 0)
            _archive.WriteByte(0);
        return _archive.ToArray();
    }
}
