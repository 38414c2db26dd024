namespace Zxvm;

/// <summary>The default guest, zxos, built from guest/zxos at build time and embedded in zxvm.</summary>
internal static class EmbeddedGuest
{
    public static byte[] Read()
    {
        using Stream? stream = typeof(EmbeddedGuest).Assembly.GetManifestResourceStream("zxos.bin");
        if (stream is null)
            throw new IOException("this zxvm was built without its embedded guest (zxos.bin)");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
