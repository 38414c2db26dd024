namespace Zxvm.Tests.Support;

/// <summary>A private temporary directory for a test's images and disks, deleted on dispose.</summary>
public sealed class TempFiles : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("zxvm-tests-").FullName;

    public string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public string PathOf(string name) => Path.Combine(_directory, name);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
