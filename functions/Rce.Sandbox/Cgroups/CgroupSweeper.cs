using Rce.Sandbox.Native;

namespace Rce.Sandbox.Cgroups;

/// <summary>Removes a cgroup left by a dead runner: kill every task, wait for it to empty, rmdir.</summary>
internal static class CgroupSweeper
{
    public static void Destroy(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }

        var killFile = Path.Combine(dir, "cgroup.kill");
        for (var round = 0; round < 500; round++)
        {
            var pids = CgroupFiles.ReadPids(dir).ToList();
            if (pids.Count == 0)
            {
                break;
            }

            if (File.Exists(killFile))
            {
                CgroupFiles.Write(dir, "cgroup.kill", 1);
            }

            foreach (var pid in pids)
            {
                _ = Libc.kill(pid, Libc.SigKill);
            }

            Thread.Sleep(2);
        }

        _ = CgroupFiles.TryRemove(dir);
    }
}
