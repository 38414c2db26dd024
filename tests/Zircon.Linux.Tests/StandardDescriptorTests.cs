using System.Diagnostics;
using System.IO.Pipes;
using Zircon.Linux.Libc;

namespace Zircon.Linux.Tests;

/// <summary>Plain read(2)/write(2) on descriptors the process does not own, and stat(2) file kinds.</summary>
public sealed class StandardDescriptorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("zircon-linux-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void WriteAll_AdvancesTheSharedOffset_SoTheNextWriterAppends()
    {
        string path = Path.Combine(_directory, "shared.txt");
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        int fd = (int)file.SafeFileHandle.DangerousGetHandle();

        Assert.Equal(0, UnbufferedDescriptor.WriteAll(fd, "first\n"u8));
        Assert.Equal(0, UnbufferedDescriptor.WriteAll(fd, "second\n"u8));

        file.Flush();
        Assert.Equal("first\nsecond\n", File.ReadAllText(path));
    }

    [Fact]
    public void WriteAll_ToAPipeNobodyReads_IsEpipe_NotASignal()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        server.DisposeLocalCopyOfClientHandle(); // the only read end: nobody reads any more
        int fd = (int)server.SafePipeHandle.DangerousGetHandle();

        Assert.Equal(UnbufferedDescriptor.EPIPE, UnbufferedDescriptor.WriteAll(fd, "lost\n"u8));
    }

    [Fact]
    public void Read_ReturnsBytesThenZeroAtEnd()
    {
        string path = Path.Combine(_directory, "in.txt");
        File.WriteAllText(path, "abc");
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        int fd = (int)file.SafeFileHandle.DangerousGetHandle();
        var buffer = new byte[16];

        Assert.Equal(3, UnbufferedDescriptor.Read(fd, buffer));
        Assert.Equal(0, UnbufferedDescriptor.Read(fd, buffer));
        Assert.True(UnbufferedDescriptor.Read(-1, buffer) < 0); // -EBADF
    }

    [Fact]
    public void FileKinds_TellsFilesDirectoriesDevicesAndFifos()
    {
        string regular = Path.Combine(_directory, "f");
        File.WriteAllText(regular, "x");
        string fifo = Path.Combine(_directory, "fifo");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
            mkfifo.WaitForExit();
        string link = Path.Combine(_directory, "link");
        File.CreateSymbolicLink(link, _directory);

        Assert.Equal(FileKind.Regular, FileKinds.Of(regular, out _));
        Assert.Equal(FileKind.Directory, FileKinds.Of(_directory, out _));
        Assert.Equal(FileKind.Directory, FileKinds.Of(link, out _)); // links are followed
        Assert.Equal(FileKind.CharacterDevice, FileKinds.Of("/dev/null", out _));
        Assert.Equal(FileKind.Fifo, FileKinds.Of(fifo, out _));
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(_directory, "absent"), out int errno));
        Assert.Equal(2, errno);
        Assert.Equal(FileKind.Missing, FileKinds.Of(Path.Combine(regular, "below-a-file"), out _)); // ENOTDIR
    }
}
