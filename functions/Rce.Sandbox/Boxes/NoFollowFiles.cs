using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Rce.Sandbox.Native;

namespace Rce.Sandbox.Boxes;

/// <summary>File I/O on box contents that never follows a link the program could have planted.</summary>
/// <remarks>
/// Threat: a program leaves <c>out/main -&gt; /etc/shadow</c> (or a FIFO, or a 10 GB sparse file)
/// hoping the host copies or reads it. Every open here is <c>O_NOFOLLOW</c>, checked to be a
/// regular file within a size bound, and directories are walked with <c>O_NOFOLLOW|O_DIRECTORY</c>.
/// Reads happen only after the box's cgroup is empty, so no box process can race them.
/// </remarks>
internal static class NoFollowFiles
{
    /// <summary>Reads a regular file of at most <paramref name="maxBytes"/>; null if it is anything else.</summary>
    public static byte[]? TryRead(string path, long maxBytes)
    {
        var fd = Libc.open(path, Libc.ORdonly | Libc.ONoFollow | Libc.ONonblock | Libc.OCloexec, 0);
        if (fd < 0)
        {
            return null;
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (!Libc.TryFstat(fd, out var mode, out var size) || (mode & Libc.SIfmt) != Libc.SIfreg || size > maxBytes)
        {
            return null;
        }

        var bytes = new byte[size];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read == bytes.Length ? bytes : bytes[..read];
    }

    /// <summary>
    /// Creates <paramref name="relativeName"/> under <paramref name="root"/> with exclusive create,
    /// making parent directories, none of them followed if they are links.
    /// </summary>
    public static void CreateFile(string root, string relativeName, ReadOnlySpan<byte> content, int uid, int gid, bool executable)
    {
        var parts = relativeName.Split('/');
        var dirFd = Libc.open(root, Libc.ORdonly | Libc.ODirectory | Libc.ONoFollow | Libc.OCloexec, 0);
        Check(dirFd, root);
        try
        {
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (Libc.mkdirat(dirFd, parts[i], 0x1ED /* 0755 */) != 0 && Marshal.GetLastPInvokeError() != 17 /* EEXIST */)
                {
                    Check(-1, parts[i]);
                }

                var next = Libc.openat(dirFd, parts[i], Libc.ORdonly | Libc.ODirectory | Libc.ONoFollow | Libc.OCloexec, 0);
                Check(next, parts[i]);
                Check(Libc.fchown(next, uid, gid), parts[i]);
                _ = Libc.close(dirFd);
                dirFd = next;
            }

            var mode = executable ? 0x1ED /* 0755 */ : 0x1A4 /* 0644 */;
            var fd = Libc.openat(dirFd, parts[^1], Libc.OWronly | Libc.OCreat | Libc.OExcl | Libc.ONoFollow | Libc.OCloexec, mode);
            Check(fd, parts[^1]);
            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            RandomAccess.Write(handle, content, 0);
            Check(Libc.fchown(fd, uid, gid), parts[^1]);
        }
        finally
        {
            _ = Libc.close(dirFd);
        }
    }

    /// <summary>
    /// Copies the regular files and directories under <paramref name="source"/> to
    /// <paramref name="destination"/>, skipping links and special files, within a total budget.
    /// </summary>
    /// <returns>Total bytes copied.</returns>
    /// <exception cref="IOException">The tree exceeds <paramref name="maxFiles"/> or <paramref name="maxBytes"/>.</exception>
    public static long CopyTree(string source, string destination, int maxFiles, long maxBytes)
    {
        var files = 0;
        long total = 0;
        Copy(new DirectoryInfo(source), destination);
        return total;

        void Copy(DirectoryInfo dir, string target)
        {
            Directory.CreateDirectory(target);
            foreach (var entry in dir.EnumerateFileSystemInfos())
            {
                if (entry.LinkTarget is not null)
                {
                    continue;
                }

                var to = Path.Combine(target, entry.Name);
                if (entry is DirectoryInfo sub)
                {
                    Copy(sub, to);
                    continue;
                }

                if (++files > maxFiles)
                {
                    throw new IOException($"more than {maxFiles} output files");
                }

                var bytes = TryRead(entry.FullName, maxBytes - total);
                if (bytes is null)
                {
                    continue;
                }

                total += bytes.Length;
                File.WriteAllBytes(to, bytes);
                File.SetUnixFileMode(to, (File.GetUnixFileMode(entry.FullName) & UnixFileMode.UserExecute) != 0
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new IOException($"{what}: {Libc.LastError()}");
        }
    }
}
