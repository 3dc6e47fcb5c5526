namespace Rce.Sandbox.Cgroups;

/// <summary>
/// cgroup v2: one directory per box under the runner's group, with memory, pids and cpu enabled in
/// the parent's <c>cgroup.subtree_control</c>.
/// </summary>
/// <remarks>
/// Killing is one write to <c>cgroup.kill</c> (atomic for the whole tree); "empty" is
/// <c>populated 0</c> in <c>cgroup.events</c>; peak memory is <c>memory.peak</c> (Linux 5.19+);
/// OOM is <c>oom_kill</c> in <c>memory.events</c>.
/// </remarks>
internal sealed class CgroupV2Backend : ICgroupBackend
{
    private const long CpuPeriodMicros = 100_000;
    private readonly string _parent;

    /// <summary>Creates the backend under <paramref name="parent"/>, enabling the controllers there.</summary>
    public CgroupV2Backend(string parent)
    {
        _parent = parent;
        Directory.CreateDirectory(parent);
        CgroupFiles.Write(parent, "cgroup.subtree_control", "+memory +pids +cpu");
    }

    /// <inheritdoc/>
    public string Version => "v2";

    /// <inheritdoc/>
    public IReadOnlyList<string> Parents => [_parent];

    /// <inheritdoc/>
    public IBoxCgroup Create(string name, long memoryBytes, int processes, double cpuCores)
    {
        var group = new Group(Path.Combine(_parent, name));
        try
        {
            Directory.CreateDirectory(group.Dir);
            CgroupFiles.Write(group.Dir, "memory.max", memoryBytes);
            CgroupFiles.Write(group.Dir, "memory.swap.max", 0);
            CgroupFiles.Write(group.Dir, "pids.max", processes);
            CgroupFiles.Write(group.Dir, "cpu.max", $"{(long)(CpuPeriodMicros * cpuCores)} {CpuPeriodMicros}");
            return group;
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    private sealed class Group(string dir) : IBoxCgroup
    {
        public string Dir { get; } = dir;

        public IReadOnlyList<string> JoinPaths => [Dir];

        public TimeSpan ReadCpuTime() => TimeSpan.FromTicks(CgroupFiles.ReadKeyed(Dir, "cpu.stat", "usage_usec") * 10);

        public void KillAll(int? spare = null)
        {
            if (spare is null)
            {
                CgroupFiles.Write(Dir, "cgroup.kill", 1);
                return;
            }

            foreach (var pid in CgroupFiles.ReadPids(Dir))
            {
                if (pid != spare)
                {
                    _ = Native.Libc.kill(pid, Native.Libc.SigKill);
                }
            }
        }

        public bool IsEmpty() => CgroupFiles.ReadKeyed(Dir, "cgroup.events", "populated") == 0;

        public CgroupStats ReadStats() => new(
            ReadCpuTime(),
            File.Exists(Path.Combine(Dir, "memory.peak")) ? CgroupFiles.ReadLong(Dir, "memory.peak") : CgroupFiles.ReadLong(Dir, "memory.current"),
            CgroupFiles.ReadKeyed(Dir, "memory.events", "oom_kill"),
            CgroupFiles.ReadKeyed(Dir, "pids.events", "max"));

        public void Dispose() => CgroupFiles.TryRemove(Dir);
    }
}
