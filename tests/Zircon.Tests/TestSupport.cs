using Zircon.Kernel;

namespace Zircon.Tests;

/// <summary>Small helpers shared by the tests.</summary>
internal static class TestSupport
{
    /// <summary>Generous bound for anything that should happen "soon"; only reached when a test fails.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>A deadline <see cref="Patience"/> from now, for blocking waits that must not hang a failing run.</summary>
    public static long Deadline() => ZxClock.DeadlineAfter(Patience);

    /// <summary>What the kernel says about a raw handle value (<c>ZX_INFO_HANDLE_VALID</c>): OK or BAD_HANDLE.</summary>
    public static ZxStatus RawHandleStatus(uint handle) =>
        Syscalls.ObjectGetInfo(handle, ZxInfoTopic.HandleValid, Span<byte>.Empty, out _, out _);

    /// <summary>Runs <paramref name="action"/> on a dedicated thread (blocking waits should not sit on pool threads).</summary>
    public static Task<T> OnNewThread<T>(Func<T> action)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                completion.SetResult(action());
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        })
        { IsBackground = true };
        thread.Start();
        return completion.Task;
    }

    /// <summary>Awaits <paramref name="task"/>, failing the test if it takes longer than <see cref="Patience"/>.</summary>
    public static Task<T> Soon<T>(this Task<T> task) => task.WaitAsync(Patience);

    /// <summary>Awaits <paramref name="task"/>, failing the test if it takes longer than <see cref="Patience"/>.</summary>
    public static Task Soon(this Task task) => task.WaitAsync(Patience);
}

/// <summary>Kernel-side views of API objects, for invariants the API does not expose.</summary>
internal static class KernelViews
{
    /// <summary>Waits registered on the object (blocking, awaited or port registrations).</summary>
    public static int ObserverCountForTests(this ZxObject obj) =>
        (Zircon.Kernel.KernelContext.Handles.TryGet(obj.Handle, out var entry) ? entry.Dispatcher : throw new InvalidOperationException("bad handle")).ObserverCount;
}
