namespace Rce.Sandbox.Cgroups;

/// <summary>The cgroup(s) of one box, whatever the cgroup version behind them.</summary>
internal interface IBoxCgroup : IDisposable
{
    /// <summary>Directories whose <c>cgroup.procs</c> the launcher joins before dropping privileges.</summary>
    IReadOnlyList<string> JoinPaths { get; }

    /// <summary>CPU time used so far by the whole tree.</summary>
    TimeSpan ReadCpuTime();

    /// <summary>Sends SIGKILL to every task in the group but <paramref name="spare"/> (or writes <c>cgroup.kill</c> when none is spared).</summary>
    /// <param name="spare">A task to leave alive: the outer bwrap, so that it reaps its namespace's init instead of orphaning it.</param>
    void KillAll(int? spare = null);

    /// <summary>Whether no task is left in the group.</summary>
    bool IsEmpty();

    /// <summary>Final measurements; call once the group is empty.</summary>
    CgroupStats ReadStats();
}

/// <summary>Creates box cgroups under the runner's own cgroup.</summary>
internal interface ICgroupBackend
{
    /// <summary>"v1" or "v2", for the capability report.</summary>
    string Version { get; }

    /// <summary>The directories under which boxes are created, for diagnostics.</summary>
    IReadOnlyList<string> Parents { get; }

    /// <summary>Creates the cgroup of one box with its limits written.</summary>
    /// <param name="name">Unique name (slot and run id).</param>
    /// <param name="memoryBytes">Memory limit, no swap.</param>
    /// <param name="processes">pids.max (tasks, so threads count).</param>
    /// <param name="cpuCores">CPU quota in cores (fork bombs cannot starve neighbours).</param>
    IBoxCgroup Create(string name, long memoryBytes, int processes, double cpuCores);
}
