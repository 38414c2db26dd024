using System.Runtime.InteropServices;

namespace Zircon.Benchmarks;

/// <summary>The few libc calls the eventfd baseline needs (blittable arguments, no unsafe code).</summary>
internal static class LinuxNative
{
    public const int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1;
    public const uint EPOLLIN = 0x1;

    /// <summary><c>struct epoll_event</c>: packed on x86-64 (12 bytes).</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [DllImport("libc", SetLastError = true)]
    public static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern int epoll_ctl(int epfd, int op, int fd, ref EpollEvent ev);

    [DllImport("libc", SetLastError = true)]
    public static extern int epoll_wait(int epfd, out EpollEvent ev, int maxEvents, int timeoutMs);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);
}
