using System.Security.Cryptography;

namespace Rce.Sandbox.Caching;

/// <summary>
/// Where the cache keeps things under its root: <c>entries/&lt;key&gt;/</c> (published, complete
/// entries) beside <c>entries/&lt;key&gt;.inuse</c> (their shared locks), <c>locks/&lt;key&gt;.lock</c>
/// (single-flight compile locks) and <c>tmp/</c> (staging, uncached artefacts, entries being deleted).
/// </summary>
/// <remarks>
/// Everything is on one file system, so publishing (<c>tmp → entries</c>) and unpublishing
/// (<c>entries → tmp</c>) are atomic renames: <c>entries/</c> never shows a half-built or
/// half-deleted entry. Directories are 0755 whatever the umask: an artefact directory is
/// bind-mounted read-only into boxes.
/// </remarks>
internal sealed class CacheLayout
{
    private const UnixFileMode DirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public CacheLayout(string root)
    {
        Root = Path.GetFullPath(root);
        Entries = Path.Combine(Root, "entries");
        Locks = Path.Combine(Root, "locks");
        Temporary = Path.Combine(Root, "tmp");
        foreach (var dir in new[] { Root, Entries, Locks, Temporary })
        {
            Directory.CreateDirectory(dir, DirectoryMode);
        }
    }

    public string Root { get; }

    public string Entries { get; }

    public string Locks { get; }

    public string Temporary { get; }

    public string Entry(string key) => Path.Combine(Entries, key);

    public string InUse(string key) => Path.Combine(Entries, key + ".inuse");

    public string KeyLock(string key) => Path.Combine(Locks, key + ".lock");

    public static string Artifact(string entry) => Path.Combine(entry, "artifact");

    public static string Outcome(string entry) => Path.Combine(entry, "outcome.json");

    public static string UsedStamp(string entry) => Path.Combine(entry, "used");

    /// <summary>A fresh, empty directory under <c>tmp/</c> with an empty <c>artifact/</c> inside.</summary>
    public string NewStaging(string prefix)
    {
        var dir = Path.Combine(Temporary, prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        Directory.CreateDirectory(dir, DirectoryMode);
        Directory.CreateDirectory(Artifact(dir), DirectoryMode);
        return dir;
    }

    /// <summary>Unpublishes an entry (atomically) and deletes it. Caller holds its exclusive in-use lock.</summary>
    /// <returns>False when there was no such entry.</returns>
    public bool RemoveEntry(string key)
    {
        var gone = Path.Combine(Temporary, "evicted-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        try
        {
            Directory.Move(Entry(key), gone);
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }

        DeleteTree(gone);
        return true;
    }

    /// <summary>Flushes every file under <paramref name="dir"/> to disk, before it is published.</summary>
    public static void FlushFiles(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Deletes a directory of the cache recursively.</summary>
    /// <remarks>
    /// Safe to recurse: every file under the root is a copy the cache (or the artefact collector,
    /// which skips links) wrote itself, never a link into the host; and .NET deletes a link, not
    /// its target, anyway.
    /// </remarks>
    public static void DeleteTree(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
