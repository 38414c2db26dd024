using System.Runtime.InteropServices;

namespace Zircon.Linux.Libc;

/// <summary>The libc entry points this library uses. Every call returns -1 and sets errno on failure.</summary>
internal static unsafe partial class LibcNative
{
    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int memfd_create(string name, uint flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int ftruncate(int fd, long length);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint pread(int fd, void* buf, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint pwrite(int fd, void* buf, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint read(int fd, void* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial nint write(int fd, void* buf, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int dup(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial void* mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int munmap(void* addr, nuint length);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int eventfd(uint initval, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int epoll_wait(int epfd, EpollEvent* events, int maxevents, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int clock_nanosleep(int clockid, int flags, Timespec* request, Timespec* remain);

    internal const uint MFD_CLOEXEC = 0x1;
    internal const int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    internal const int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
    internal const int MAP_NORESERVE = 0x4000, MAP_FIXED_NOREPLACE = 0x100000;
    internal const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x1;
    internal const int CLOCK_MONOTONIC = 1, TIMER_ABSTIME = 1;

    internal const int EINTR = 4, EAGAIN = 11, ENOMEM = 12, EEXIST = 17, EINVAL = 22, EFBIG = 27;

    internal static readonly void* MapFailed = (void*)-1;

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    internal struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    internal const short POLLIN = 0x1;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
