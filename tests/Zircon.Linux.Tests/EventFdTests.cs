using Zircon.Linux.Libc;

namespace Zircon.Linux.Tests;

/// <summary>EventFd's counter, and draining it while another thread closes it (the BELL delivery thread does).</summary>
public class EventFdTests
{
    [Fact]
    public void Drain_ReturnsTheCountSinceTheLastDrain_AndZeroWhenNothingCame()
    {
        using EventFd fd = EventFd.Create();
        Assert.Equal(0ul, fd.Drain());
        fd.Signal();
        fd.Signal();
        fd.Signal();
        Assert.Equal(3ul, fd.Drain());
        Assert.Equal(0ul, fd.Drain());
    }

    [Fact]
    public void Drain_AfterDispose_IsZero_AndDoesNotReadADescriptorNumberAnotherFileReused()
    {
        EventFd closed = EventFd.Create();
        closed.Dispose();
        // Linux hands out the lowest free number, so the new eventfd usually gets the closed one's
        // (unless another test thread took it first): before the fix, Drain read and reset its count.
        using EventFd reuser = EventFd.Create();
        reuser.Signal();
        Assert.Equal(0ul, closed.Drain());
        Assert.Equal(1ul, reuser.Drain());
    }
}
