namespace Zxvm;

/// <summary>
/// The guest console's output (UART and virtio-console) as the write-only <see cref="Stream"/> the
/// machine takes, going through zxvm's one writer of standard output. Never throws: a closed pipe
/// is <see cref="StandardStreams"/>' to report, not the VCPU thread's to die of.
/// </summary>
internal sealed class ConsoleOutputStream(StandardStreams streams) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer) => streams.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => streams.Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
