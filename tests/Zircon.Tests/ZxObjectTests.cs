namespace Zircon.Tests;

public class ZxObjectTests
{
    [Fact]
    public void Dispose_ClosesTheHandle()
    {
        var resource = Resource.Root.Duplicate();
        uint raw = resource.Handle;
        Assert.Equal(ZxStatus.Ok, TestSupport.RawHandleStatus(raw));

        resource.Dispose();

        Assert.Equal(ZxStatus.ErrBadHandle, TestSupport.RawHandleStatus(raw));
        Assert.False(resource.IsValid);
        Assert.Equal(ZxHandleValues.Invalid, resource.Handle);
    }

    [Fact]
    public void Dispose_Twice_IsSafe()
    {
        var resource = Resource.Root.Duplicate();
        resource.Dispose();
        resource.Dispose();
        Assert.False(resource.IsValid);
    }

    [Fact]
    public void Dispose_FromManyThreadsAtOnce_ClosesTheHandleOnceWithoutThrowing()
    {
        var resource = Resource.Root.Duplicate();
        var other = resource.Duplicate();
        uint raw = resource.Handle;
        const int threadCount = 8;
        using var barrier = new Barrier(threadCount);
        var errors = new List<Exception>();
        var threads = new Thread[threadCount];
        for (int i = 0; i < threadCount; i++)
        {
            threads[i] = new Thread(() =>
            {
                try
                {
                    barrier.SignalAndWait();
                    resource.Dispose();
                }
                catch (Exception e)
                {
                    lock (errors)
                        errors.Add(e);
                }
            });
            threads[i].Start();
        }
        foreach (Thread t in threads)
            t.Join();

        Assert.Empty(errors);
        Assert.Equal(ZxStatus.ErrBadHandle, TestSupport.RawHandleStatus(raw));
        // Only this handle went away: another handle to the same object is untouched.
        Assert.Equal(ZxStatus.Ok, TestSupport.RawHandleStatus(other.Handle));
        other.Dispose();
    }

    [Fact]
    public void Close_ClosesTheHandle_AndLaterCloseDoesNothing()
    {
        var resource = Resource.Root.Duplicate();
        uint raw = resource.Handle;
        resource.Close();
        resource.Close();
        Assert.Equal(ZxStatus.ErrBadHandle, TestSupport.RawHandleStatus(raw));
    }

    [Fact]
    public void Close_WhenTheRawHandleWasClosedBehindItsBack_ThrowsBadHandle()
    {
        var resource = Resource.Root.Duplicate();
        Kernel.Syscalls.HandleClose(resource.Handle);
        var e = Assert.Throws<ZxException>(resource.Close);
        Assert.Equal(ZxStatus.ErrBadHandle, e.Status);
    }

    [Fact]
    public void Operations_AfterDispose_FailWithBadHandle()
    {
        var ev = Event.Create();
        ev.Dispose();

        var e = Assert.Throws<ZxException>(() => ev.Signal(ZxSignals.None, ZxSignals.User0));
        Assert.Equal(ZxStatus.ErrBadHandle, e.Status);
        Assert.Equal(ZxStatus.ErrBadHandle, ev.TrySignal(ZxSignals.None, ZxSignals.User0));
        Assert.Equal(ZxStatus.ErrBadHandle, Assert.Throws<ZxException>(() => ev.Koid).Status);
    }

    [Fact]
    public void ZxException_NamesTheCallAndTheStatus()
    {
        var ev = Event.Create();
        ev.Dispose();
        var e = Assert.Throws<ZxException>(() => ev.Signal(ZxSignals.None, ZxSignals.User0));
        Assert.Contains("zx_object_signal", e.Message);
        Assert.Contains("ZX_ERR_BAD_HANDLE", e.Message);
    }

    [Fact]
    public void Duplicate_ReturnsAnIndependentHandleToTheSameObject()
    {
        using var original = Resource.Root.Duplicate();
        using var copy = original.Duplicate();

        Assert.NotEqual(original.Handle, copy.Handle);
        Assert.Equal(original.Koid, copy.Koid);
        original.Dispose();
        Assert.Equal(ZxStatus.Ok, TestSupport.RawHandleStatus(copy.Handle));
    }

    [Fact]
    public void Duplicate_WithFewerRights_NarrowsTheRights()
    {
        using var copy = Resource.Root.Duplicate(ZxRights.Duplicate | ZxRights.Inspect);
        Assert.Equal(ZxRights.Duplicate | ZxRights.Inspect, copy.Rights);
    }

    [Fact]
    public void Duplicate_WithRightsNotHeld_ThrowsInvalidArgs()
    {
        using var narrow = Resource.Root.Duplicate(ZxRights.Duplicate);
        var e = Assert.Throws<ZxException>(() => narrow.Duplicate(ZxRights.Duplicate | ZxRights.Write));
        Assert.Equal(ZxStatus.ErrInvalidArgs, e.Status);
    }

    [Fact]
    public void Duplicate_WithoutDuplicateRight_ThrowsAccessDenied()
    {
        using var narrow = Resource.Root.Duplicate(ZxRights.Inspect);
        var e = Assert.Throws<ZxException>(() => narrow.Duplicate());
        Assert.Equal(ZxStatus.ErrAccessDenied, e.Status);
    }

    [Fact]
    public void Replace_ConsumesTheOriginalAndReturnsTheSameObject()
    {
        var original = Resource.Root.Duplicate();
        uint raw = original.Handle;
        ulong koid = original.Koid;

        using Resource replacement = original.Replace(ZxRights.Inspect);

        Assert.False(original.IsValid);
        Assert.Equal(ZxStatus.ErrBadHandle, TestSupport.RawHandleStatus(raw));
        Assert.Equal(koid, replacement.Koid);
        Assert.Equal(ZxRights.Inspect, replacement.Rights);
    }

    [Fact]
    public void Replace_WithRightsNotHeld_ThrowsInvalidArgsAndStillConsumesTheOriginal()
    {
        var original = Resource.Root.Duplicate(ZxRights.Inspect);
        uint raw = original.Handle;

        var e = Assert.Throws<ZxException>(() => original.Replace(ZxRights.Inspect | ZxRights.Write));

        Assert.Equal(ZxStatus.ErrInvalidArgs, e.Status);
        Assert.False(original.IsValid);
        Assert.Equal(ZxStatus.ErrBadHandle, TestSupport.RawHandleStatus(raw));
    }

    [Fact]
    public void Release_HandsTheHandleOverWithoutClosingIt()
    {
        var resource = Resource.Root.Duplicate();
        uint raw = resource.Release();

        resource.Dispose();

        Assert.False(resource.IsValid);
        Assert.Equal(ZxStatus.Ok, TestSupport.RawHandleStatus(raw));
        using Resource adopted = Resource.FromHandle(raw);
        Assert.Equal(raw, adopted.Handle);
    }

    [Fact]
    public void FromHandle_OfAnotherType_ThrowsWrongTypeAndLeavesTheHandleOpen()
    {
        using var resource = Resource.Root.Duplicate();
        var e = Assert.Throws<ZxException>(() => Event.FromHandle(resource.Handle));
        Assert.Equal(ZxStatus.ErrWrongType, e.Status);
        Assert.Equal(ZxStatus.Ok, TestSupport.RawHandleStatus(resource.Handle));
    }

    [Fact]
    public void FromHandle_OfAClosedHandle_ThrowsBadHandle()
    {
        var resource = Resource.Root.Duplicate();
        uint raw = resource.Handle;
        resource.Dispose();
        Assert.Equal(ZxStatus.ErrBadHandle, Assert.Throws<ZxException>(() => Resource.FromHandle(raw)).Status);
    }

    [Fact]
    public void GetBasicInfo_DescribesTheHandle()
    {
        using var resource = Resource.Root.Duplicate();
        ZxInfoHandleBasic info = resource.GetBasicInfo();
        Assert.Equal(ZxObjectType.Resource, info.Type);
        Assert.Equal(ZxDefaultRights.Resource, info.Rights);
        Assert.True(info.Koid >= ZxKoid.First);
        Assert.Equal(ZxObjectType.Resource, resource.ObjectType);
    }

    [Fact]
    public void ProcessOwnedRoot_DisposeDoesNotCloseTheHandle()
    {
        Resource root = Resource.Root;
        uint raw = root.Handle;

        root.Dispose();
        root.Close();

        Assert.False(root.OwnsHandle);
        Assert.True(root.IsValid);
        Assert.Equal(ZxStatus.Ok, TestSupport.RawHandleStatus(raw));
        Assert.Same(root, Resource.Root);
    }

    [Fact]
    public void ProcessOwnedRoot_CannotBeReleasedOrReplaced()
    {
        Assert.Throws<InvalidOperationException>(() => Resource.Root.Release());
        Assert.Throws<InvalidOperationException>(() => Resource.Root.Replace(ZxRights.SameRights));
        Assert.True(Resource.Root.IsValid);
    }

    [Fact]
    public void OperationsThatCannotApply_DoNotExistOnTheType()
    {
        // Ports, interrupts, VMARs and resources are not waited on with zx_object_wait_*.
        Assert.Null(typeof(Port).GetMethod("WaitOne"));
        Assert.Null(typeof(Port).GetMethod("Signal"));
        Assert.Null(typeof(Interrupt).GetMethod("WaitOne"));
        Assert.Null(typeof(Interrupt).GetMethod("Signal"));
        Assert.Null(typeof(Vmar).GetMethod("WaitOne"));
        Assert.Null(typeof(Resource).GetMethod("Signal"));
        Assert.NotNull(typeof(Event).GetMethod("WaitOne"));
        Assert.NotNull(typeof(Vmo).GetMethod("Signal"));
    }
}
