using System.Globalization;

namespace Rce.Sandbox.Tests.Support;

/// <summary>What a box may leave behind: processes of slot uids, box mounts, cgroups.</summary>
internal static class Leftovers
{
    public static IReadOnlyList<string> Find(Sandbox sandbox)
    {
        var found = new List<string>();
        var uidBase = SandboxFixture.Options.UidBase;
        var uidCount = SandboxFixture.Options.UidCount;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var uidLine = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                var uid = int.Parse(uidLine!.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                if (uid >= uidBase && uid < uidBase + uidCount)
                {
                    found.Add($"process {pid} uid {uid}: {File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ')}");
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }

        var boxes = sandbox.BoxesRoot;
        if (Directory.Exists(boxes))
        {
            found.AddRange(Directory.GetDirectories(boxes).Select(d => "box " + d));
        }

        foreach (var parent in sandbox.Capabilities.CgroupParents)
        {
            if (Directory.Exists(parent))
            {
                found.AddRange(Directory.GetDirectories(parent).Select(d => "cgroup " + d));
            }
        }

        return found;
    }

    /// <summary>Waits briefly for teardown of neighbours, then returns what is still there.</summary>
    public static async Task<IReadOnlyList<string>> SettleAsync(Sandbox sandbox)
    {
        IReadOnlyList<string> found = [];
        for (var i = 0; i < 20; i++)
        {
            found = Find(sandbox);
            if (found.Count == 0)
            {
                break;
            }

            await Task.Delay(50);
        }

        return found;
    }
}
