using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Rce.Sandbox.Caching;

/// <summary>The cache's lock-file operations over libc: flock(2) and the link count from fstat(2).</summary>
/// <remarks>
/// .NET opens files with a shared or exclusive flock of its own choosing and offers no way to
/// convert one, nor to take it again after a failed conversion; these calls make the lock explicit.
/// </remarks>
internal static class CacheNative
{
    public const int LockShared = 1;
    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;
    public const int EWouldBlock = 11;

    /// <summary>Takes (or converts to) a shared or exclusive flock without waiting.</summary>
    /// <returns>False when another open file holds a conflicting lock.</returns>
    /// <exception cref="IOException">flock failed for any other reason.</exception>
    public static bool TryLock(SafeFileHandle handle, bool exclusive)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var operation = (exclusive ? LockExclusive : LockShared) | LockNonBlocking;
            if (Native.Libc.flock((int)handle.DangerousGetHandle(), operation) == 0)
            {
                return true;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == EWouldBlock ? false : throw new IOException($"flock: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>How many directory entries name the open file; 0 once it has been unlinked.</summary>
    public static long LinkCount(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return Native.Libc.TryFstat((int)handle.DangerousGetHandle(), out _, out _, out var links)
                ? links
                : throw new IOException($"fstat: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
