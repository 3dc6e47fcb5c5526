using System.Globalization;
using System.Security.Cryptography;

namespace Rce.Benchmarks;

/// <summary>Per-run scratch directories under a fixed root, readable by every slot uid, removed afterwards.</summary>
internal static class ScratchDirectory
{
    /// <summary>0755 whatever the umask: boxes read what is in here (bound read-only at <c>/out</c>).</summary>
    private const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Creates <c>ROOT/PID-RANDOM</c> (and the root), after deleting what interrupted runs left under the root.</summary>
    public static string Create(string root)
    {
        Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, Mode);
        RemoveStale(root);
        var dir = Path.Combine(root, $"{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, Mode);
        return dir;
    }

    /// <summary>Deletes a directory made by <see cref="Create"/> and, if it is then empty, its root.</summary>
    public static void Delete(string dir)
    {
        Directory.Delete(dir, recursive: true);
        var root = Path.GetDirectoryName(dir);
        try
        {
            if (root is not null && !Directory.EnumerateFileSystemEntries(root).Any())
            {
                Directory.Delete(root);
            }
        }
        catch (IOException)
        {
            // Another benchmark created its directory meanwhile: the root stays.
        }
    }

    /// <summary>Deletes directories named after a process that is gone.</summary>
    private static void RemoveStale(string root)
    {
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(dir);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    // Only plain files and directories we wrote (sources, binaries, cache entries):
                    // boxes mount artefacts in their own mount namespaces, never here.
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
