using System.Runtime.InteropServices;

namespace Rce.Sandbox.Native;

/// <summary>The few libc calls .NET does not expose: mounts, ownership, no-follow opens, signals.</summary>
/// <remarks>x86_64 Linux only (struct layouts below); the capability probe refuses other hosts.</remarks>
internal static partial class Libc
{
    public const int ONoFollow = 0x20000;
    public const int ODirectory = 0x10000;
    public const int OCloexec = 0x80000;
    public const int ONonblock = 0x800;
    public const int ORdonly = 0;
    public const int OWronly = 1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;

    public const ulong MsNosuid = 2;
    public const ulong MsNodev = 4;
    public const ulong MsNoexec = 8;
    public const int LockEx = 2;
    public const int MntDetach = 2;
    public const int SigKill = 9;

    public const int SIfmt = 0xF000;
    public const int SIfreg = 0x8000;
    public const int SIfdir = 0x4000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string source, string target, string fstype, ulong flags, string data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lchown(string path, int owner, int group);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int openat(int dirfd, string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdirat(int dirfd, string path, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fchown(int fd, int owner, int group);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int flock(int fd, int operation);

    public const int PrSetChildSubreaper = 36;
    public const int WNoHang = 1;
    public const int EChild = 10;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int waitpid(int pid, out int status, int options);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int fstat(int fd, byte* buf);

    /// <summary>Type bits and size of an open descriptor.</summary>
    public static bool TryFstat(int fd, out int mode, out long size) => TryFstat(fd, out mode, out size, out _);

    /// <summary>Type bits, size and link count of an open descriptor.</summary>
    public static unsafe bool TryFstat(int fd, out int mode, out long size, out long links)
    {
        // struct stat on x86_64: st_nlink at offset 16 (ulong), st_mode at 24 (uint), st_size at 48 (long); 144 bytes.
        var buf = stackalloc byte[256];
        if (fstat(fd, buf) != 0)
        {
            mode = 0;
            size = 0;
            links = 0;
            return false;
        }

        links = *(long*)(buf + 16);
        mode = *(int*)(buf + 24);
        size = *(long*)(buf + 48);
        return true;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statfs(string path, byte* buf);

    /// <summary>The <c>f_type</c> magic of the file system holding <paramref name="path"/>; null when it cannot be read.</summary>
    public static unsafe long? FileSystemType(string path)
    {
        // struct statfs on x86_64: f_type first (long); 120 bytes.
        var buf = stackalloc byte[256];
        return statfs(path, buf) == 0 ? *(long*)buf : null;
    }

    /// <summary>The last errno as a message, for failure details.</summary>
    public static string LastError() => Marshal.GetLastPInvokeErrorMessage();
}
