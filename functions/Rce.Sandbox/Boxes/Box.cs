using System.Globalization;
using Rce.Core.Limits;
using Rce.Sandbox.Native;

namespace Rce.Sandbox.Boxes;

/// <summary>
/// The host side of one box: two size- and inode-limited tmpfs mounts under a neutral root
/// (<c>/run/rce/box/&lt;name&gt;</c>), one for the working directory and one for <c>/tmp</c>,
/// <c>/dev/shm</c> and (for compiles) <c>/out</c>.
/// </summary>
/// <remarks>
/// Nothing a program writes reaches the host disk, and the box is removed by unmounting, never by
/// a recursive delete that could follow a link planted by the program. Both mounts are
/// <c>nosuid,nodev</c> and owned by the slot's uid.
/// </remarks>
internal sealed class Box : IDisposable
{
    private bool _disposed;

    private Box(string root) => Root = root;

    /// <summary>Host directory holding the two mount points.</summary>
    public string Root { get; }

    /// <summary>bwrap's JSON status file, in the host-owned root (never in the box).</summary>
    public const string StatusFileName = "status";

    /// <summary>Host path of bwrap's status file.</summary>
    public string StatusFile => Path.Combine(Root, StatusFileName);

    /// <summary>Host path of the box tmpfs (bound at <c>/box</c>).</summary>
    public string WorkDir => Path.Combine(Root, "box");

    /// <summary>Host path of the scratch tmpfs.</summary>
    public string ScratchDir => Path.Combine(Root, "tmp");

    /// <summary>Host path bound at <c>/tmp</c>.</summary>
    public string TmpDir => Path.Combine(ScratchDir, "t");

    /// <summary>Host path bound at <c>/dev/shm</c>: shares the scratch tmpfs's size and inode limit.</summary>
    public string ShmDir => Path.Combine(ScratchDir, "s");

    /// <summary>Host path bound writable at <c>/out</c> in compile boxes.</summary>
    public string OutDir => Path.Combine(ScratchDir, "out");

    /// <summary>Creates and mounts a fresh box.</summary>
    public static Box Create(string boxesRoot, string name, int uid, int gid, ResourceLimits limits)
    {
        var box = new Box(Path.Combine(boxesRoot, name));
        try
        {
            Directory.CreateDirectory(box.WorkDir);
            Directory.CreateDirectory(box.ScratchDir);
            Mount(box.WorkDir, limits.BoxBytes, limits.Inodes, uid, gid);
            Mount(box.ScratchDir, limits.TmpBytes, limits.Inodes, uid, gid);
            foreach (var dir in new[] { box.TmpDir, box.ShmDir, box.OutDir })
            {
                Directory.CreateDirectory(dir);
                Check(Libc.lchown(dir, uid, gid), dir);
            }

            File.SetUnixFileMode(box.TmpDir, (UnixFileMode)0x3FF | UnixFileMode.StickyBit);
            return box;
        }
        catch
        {
            box.Dispose();
            throw;
        }
    }

    /// <summary>Unmounts a box directory left by this or an earlier process; idempotent.</summary>
    public static void Remove(string root)
    {
        foreach (var mount in new[] { Path.Combine(root, "box"), Path.Combine(root, "tmp") })
        {
            // MNT_DETACH: a mount still busy (a process we failed to kill) goes away when released.
            _ = Libc.umount2(mount, Libc.MntDetach);
            TryDeleteEmptyDirectory(mount);
        }

        // The status file lives in the host-owned root, beside (not inside) the mounts.
        File.Delete(Path.Combine(root, StatusFileName));
        TryDeleteEmptyDirectory(root);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Remove(Root);
        }
    }

    private static void Mount(string target, long bytes, int inodes, int uid, int gid)
    {
        var data = string.Create(CultureInfo.InvariantCulture, $"size={bytes},nr_inodes={inodes},mode=0755,uid={uid},gid={gid}");
        Check(Libc.mount("rce-box", target, "tmpfs", Libc.MsNosuid | Libc.MsNodev, data), target);
    }

    private static void TryDeleteEmptyDirectory(string path)
    {
        try
        {
            // Not recursive: an empty mount point or nothing.
            Directory.Delete(path, recursive: false);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new IOException($"box setup failed at {what}: {Libc.LastError()}");
        }
    }
}
