using Rce.Sandbox.Native;

namespace Rce.Sandbox.Boxes;

/// <summary>The directory that holds every box's mount points and status file: always a tmpfs.</summary>
/// <remarks>
/// Each run creates and removes three directories and a status file here. On a disk file system
/// (some hosts keep <c>/run</c> on the root file system) every one of those is a journalled
/// metadata update, about 1 ms per run in all on our machines; on tmpfs they cost microseconds and
/// nothing of a box ever reaches a disk. Where the directory is not on a tmpfs already, one is
/// mounted there once, under a lock so that two starting processes never stack two mounts.
/// Invariant: the directory is never mounted over while it holds boxes (it is created empty and
/// mounted before first use; a later process finds the tmpfs and leaves it alone).
/// </remarks>
internal static class BoxesRoot
{
    private const string MountData = "size=16m,nr_inodes=65536,mode=0755";

    public static string Prepare(string stateRoot)
    {
        var root = Path.Combine(stateRoot, "boxes");
        Directory.CreateDirectory(root);
        if (IsTmpfs(root))
        {
            return root;
        }

        using var guard = new FileStream(Path.Combine(stateRoot, "boxes.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (Libc.flock((int)guard.SafeFileHandle.DangerousGetHandle(), Libc.LockEx) != 0)
        {
            throw new IOException($"cannot lock {guard.Name}: {Libc.LastError()}");
        }

        if (!IsTmpfs(root) && Libc.mount("rce-boxes", root, "tmpfs", Libc.MsNosuid | Libc.MsNodev | Libc.MsNoexec, MountData) != 0)
        {
            throw new IOException($"cannot mount a tmpfs at {root}: {Libc.LastError()}");
        }

        return root;
    }

    private static bool IsTmpfs(string path) => new DriveInfo(path).DriveFormat == "tmpfs";
}
