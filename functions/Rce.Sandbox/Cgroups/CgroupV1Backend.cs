using Rce.Sandbox.Native;

namespace Rce.Sandbox.Cgroups;

/// <summary>
/// cgroup v1: one directory per controller hierarchy (memory, pids, cpu, cpuacct), each under the
/// runner's own group in that hierarchy plus <c>rce/</c>.
/// </summary>
/// <remarks>
/// OOM is read from <c>memory.oom_control</c> → <c>oom_kill</c>, not <c>memory.failcnt</c>
/// (it stays 0 when the memsw limit is set). Killing is a SIGKILL to every pid of the pids group,
/// repeated until it is empty: a fork bomb cannot outrun it for long because pids.max bounds it.
/// </remarks>
internal sealed class CgroupV1Backend : ICgroupBackend
{
    private const long CpuPeriodMicros = 100_000;
    private readonly string _memory;
    private readonly string _pids;
    private readonly string _cpuacct;
    private readonly string? _cpu;

    /// <summary>Creates the backend given each hierarchy's parent directory for boxes.</summary>
    public CgroupV1Backend(string memoryParent, string pidsParent, string cpuacctParent, string? cpuParent)
    {
        _memory = memoryParent;
        _pids = pidsParent;
        _cpuacct = cpuacctParent;
        _cpu = cpuParent;
        foreach (var dir in Parents)
        {
            Directory.CreateDirectory(dir);
        }
    }

    /// <inheritdoc/>
    public string Version => "v1";

    /// <inheritdoc/>
    public IReadOnlyList<string> Parents => _cpu is null ? [_memory, _pids, _cpuacct] : [_memory, _pids, _cpuacct, _cpu];

    /// <inheritdoc/>
    public IBoxCgroup Create(string name, long memoryBytes, int processes, double cpuCores)
    {
        var group = new Group(
            Path.Combine(_memory, name), Path.Combine(_pids, name), Path.Combine(_cpuacct, name),
            _cpu is null ? null : Path.Combine(_cpu, name));
        try
        {
            foreach (var dir in group.JoinPaths)
            {
                Directory.CreateDirectory(dir);
            }

            CgroupFiles.Write(group.Memory, "memory.limit_in_bytes", memoryBytes);
            try
            {
                // No swap: memsw = memory. Absent when swap accounting is off, which is also no swap.
                CgroupFiles.Write(group.Memory, "memory.memsw.limit_in_bytes", memoryBytes);
            }
            catch (IOException)
            {
            }

            CgroupFiles.Write(group.Pids, "pids.max", processes);
            if (group.Cpu is not null)
            {
                CgroupFiles.Write(group.Cpu, "cpu.cfs_period_us", CpuPeriodMicros);
                CgroupFiles.Write(group.Cpu, "cpu.cfs_quota_us", (long)(CpuPeriodMicros * cpuCores));
            }

            return group;
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    private sealed class Group(string memory, string pids, string cpuacct, string? cpu) : IBoxCgroup
    {
        public string Memory { get; } = memory;

        public string Pids { get; } = pids;

        public string? Cpu { get; } = cpu;

        public IReadOnlyList<string> JoinPaths { get; } = cpu is null ? [memory, pids, cpuacct] : [memory, pids, cpuacct, cpu];

        public TimeSpan ReadCpuTime() => TimeSpan.FromTicks(CgroupFiles.ReadLong(cpuacct, "cpuacct.usage") / 100);

        public void KillAll(int? spare = null)
        {
            foreach (var pid in CgroupFiles.ReadPids(Pids))
            {
                if (pid != spare)
                {
                    _ = Libc.kill(pid, Libc.SigKill);
                }
            }
        }

        public bool IsEmpty() => !CgroupFiles.ReadPids(Pids).Any();

        public CgroupStats ReadStats() => new(
            ReadCpuTime(),
            CgroupFiles.ReadLong(Memory, "memory.max_usage_in_bytes"),
            CgroupFiles.ReadKeyed(Memory, "memory.oom_control", "oom_kill"),
            CgroupFiles.ReadKeyed(Pids, "pids.events", "max"));

        public void Dispose()
        {
            foreach (var dir in JoinPaths)
            {
                _ = CgroupFiles.TryRemove(dir);
            }
        }
    }
}
