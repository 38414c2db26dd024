using System.Runtime.InteropServices;
using Zircon.Linux.Libc;

#pragma warning disable IDE1006

namespace Zircon.Linux.Kvm;

/// <summary>
/// The libc entry points only the KVM backend needs (the shared ones live in <see cref="LibcNative"/>).
/// Every call returns -1 and sets errno on failure.
/// </summary>
internal static unsafe partial class KvmNative
{
    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string path, int flags);

    // ioctl is variadic in C; every KVM request takes either nothing, an integer or a pointer,
    // which the x86-64 calling convention passes in the same register either way.
    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, void* arg);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, nuint arg);

    [LibraryImport(Lib)]
    internal static partial int gettid();

    [LibraryImport(Lib)]
    internal static partial int getpid();

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int tgkill(int tgid, int tid, int sig);

    [LibraryImport(Lib)]
    internal static partial int pthread_sigmask(int how, SigSet* set, SigSet* oldset);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int sigtimedwait(SigSet* set, void* info, LibcNative.Timespec* timeout);

    [LibraryImport(Lib, SetLastError = true)]
    internal static partial int sigaction(int signum, SigAction* act, SigAction* oldact);

    [LibraryImport(Lib)]
    internal static partial int __libc_current_sigrtmax();

    internal const int O_RDWR = 0x2, O_CLOEXEC = 0x80000;
    internal const int SIG_BLOCK = 0;
    internal const int E2BIG = 7, EINTR = 4, EAGAIN = 11;
    internal static readonly nint SIG_DFL = 0, SIG_IGN = 1;

    /// <summary>glibc's <c>sigset_t</c>: 1024 bits; the kernel's 64-bit set is the first word.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SigSet
    {
        public ulong Word0;
        private fixed ulong _rest[15];
    }

    /// <summary>glibc's <c>struct sigaction</c> on x86-64 (152 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct SigAction
    {
        public nint Handler;
        public SigSet Mask;
        public int Flags;
        public nint Restorer;
    }

    /// <summary>
    /// Runs one ioctl on a descriptor kept alive for the duration of the call.
    /// Returns the ioctl's non-negative result, or the errno mapped through <see cref="Errno.ToStatus"/>.
    /// </summary>
    internal static ZxStatus Ioctl(FileDescriptor fd, nuint request, void* arg, out int result) =>
        IoctlRaw(fd, request, (nuint)arg, out result, out _);

    /// <summary>As <see cref="Ioctl(FileDescriptor, nuint, void*, out int)"/> with an integer argument.</summary>
    internal static ZxStatus Ioctl(FileDescriptor fd, nuint request, nuint arg, out int result) =>
        IoctlRaw(fd, request, arg, out result, out _);

    /// <summary>As above, also giving the raw errno for callers that treat one errno specially.</summary>
    internal static ZxStatus IoctlRaw(FileDescriptor fd, nuint request, nuint arg, out int result, out int errno)
    {
        result = -1;
        errno = 0;
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return ZxStatus.ErrBadHandle;
        }
        try
        {
            // SAFETY: callers pass an integer or a pointer to a live block of the size the request encodes.
            result = ioctl(fd.Fd, request, arg);
            if (result >= 0)
                return ZxStatus.Ok;
            errno = Errno.Last;
            return Errno.ToStatus(errno);
        }
        finally
        {
            fd.DangerousRelease();
        }
    }
}
