namespace Rce.Sandbox.Cgroups;

/// <summary>
/// Decides, per controller, where the limits live: cgroup v1 hierarchies or the unified v2 tree.
/// </summary>
/// <remarks>
/// A host may have v1 memory/pids/cpu/cpuacct plus a cgroup2 mount that carries no controllers
/// (our CI machines): that is v1 for limits. v2 is chosen only when its mount offers memory, pids
/// and cpu. Boxes are created under the runner's own group (from <c>/proc/self/cgroup</c>), in a
/// child named <c>rce</c> (a setting): never in groups we did not create.
/// </remarks>
internal sealed class CgroupDetector(string name = "rce", string procSelfCgroup = "/proc/self/cgroup", string mounts = "/proc/self/mounts")
{
    private static readonly string[] V1Controllers = ["memory", "pids", "cpu", "cpuacct"];

    /// <summary>Detects the layout and creates the backend; null with a reason when limits cannot be set.</summary>
    public ICgroupBackend? Detect(out string? reason)
    {
        var v1Mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        string? v2Mount = null;
        foreach (var line in File.ReadLines(mounts))
        {
            var fields = line.Split(' ');
            if (fields.Length < 4)
            {
                continue;
            }

            if (fields[2] == "cgroup2")
            {
                v2Mount ??= fields[1];
            }
            else if (fields[2] == "cgroup")
            {
                foreach (var option in fields[3].Split(','))
                {
                    if (V1Controllers.Contains(option))
                    {
                        v1Mounts.TryAdd(option, fields[1]);
                    }
                }
            }
        }

        var own = ReadOwnGroups();
        if (v1Mounts.TryGetValue("memory", out var memory) && v1Mounts.TryGetValue("pids", out var pids) && v1Mounts.TryGetValue("cpuacct", out var cpuacct))
        {
            reason = null;
            return new CgroupV1Backend(
                Parent(memory, own, "memory"),
                Parent(pids, own, "pids"),
                Parent(cpuacct, own, "cpuacct"),
                v1Mounts.TryGetValue("cpu", out var cpu) ? Parent(cpu, own, "cpu") : null);
        }

        if (v2Mount is not null)
        {
            var controllers = File.ReadAllText(Path.Combine(v2Mount, "cgroup.controllers")).Split(' ', StringSplitOptions.TrimEntries);
            if (controllers.Contains("memory") && controllers.Contains("pids") && controllers.Contains("cpu"))
            {
                var ownDir = Join(v2Mount, own.GetValueOrDefault(string.Empty, "/"));
                EnableControllers(ownDir);
                reason = null;
                return new CgroupV2Backend(Path.Combine(ownDir, name));
            }
        }

        reason = "no cgroup hierarchy offers the memory, pids and cpu accounting controllers";
        return null;
    }

    /// <summary>
    /// v2 forbids controllers in the subtree of a group that holds processes (except the root):
    /// when enabling fails, the runner moves itself into a leaf <c>rce-runner</c> first.
    /// </summary>
    private static void EnableControllers(string ownDir)
    {
        try
        {
            CgroupFiles.Write(ownDir, "cgroup.subtree_control", "+memory +pids +cpu");
        }
        catch (IOException)
        {
            var leaf = Path.Combine(ownDir, "rce-runner");
            Directory.CreateDirectory(leaf);
            CgroupFiles.Write(leaf, "cgroup.procs", Environment.ProcessId);
            CgroupFiles.Write(ownDir, "cgroup.subtree_control", "+memory +pids +cpu");
        }
    }

    private Dictionary<string, string> ReadOwnGroups()
    {
        var own = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(procSelfCgroup))
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[1].Length == 0)
            {
                own[string.Empty] = parts[2];
            }

            foreach (var controller in parts[1].Split(','))
            {
                own[controller] = parts[2];
            }
        }

        return own;
    }

    private string Parent(string mount, Dictionary<string, string> own, string controller) =>
        Path.Combine(Join(mount, own.GetValueOrDefault(controller, "/")), name);

    private static string Join(string mount, string relative) =>
        relative is "/" or "" ? mount : Path.Join(mount, relative.TrimStart('/'));
}
