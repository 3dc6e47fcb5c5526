using Rce.Sandbox.Cgroups;

namespace Rce.Sandbox.Tests.Unit;

/// <summary>The v2 backend against a fake cgroup tree (plain files standing in for control files).</summary>
public sealed class CgroupV2BackendTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("fake-cgroup2-");

    [Fact]
    public void Create_WritesLimitsAndEnablesControllersInTheParent()
    {
        var backend = new CgroupV2Backend(Path.Combine(_root.FullName, "rce"));
        using var group = backend.Create("3-abc", 64L << 20, 64, 1.5);
        var dir = Path.Combine(_root.FullName, "rce", "3-abc");
        Assert.Equal("+memory +pids +cpu", File.ReadAllText(Path.Combine(_root.FullName, "rce", "cgroup.subtree_control")));
        Assert.Equal((64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(dir, "memory.max")));
        Assert.Equal("0", File.ReadAllText(Path.Combine(dir, "memory.swap.max")));
        Assert.Equal("64", File.ReadAllText(Path.Combine(dir, "pids.max")));
        Assert.Equal("150000 100000", File.ReadAllText(Path.Combine(dir, "cpu.max")));
        Assert.Equal([dir], group.JoinPaths);
        Assert.Equal("v2", backend.Version);
    }

    [Fact]
    public void ReadStats_ParsesKeyedFiles()
    {
        var backend = new CgroupV2Backend(Path.Combine(_root.FullName, "rce"));
        using var group = backend.Create("0-x", 1 << 20, 8, 1);
        var dir = Path.Combine(_root.FullName, "rce", "0-x");
        File.WriteAllText(Path.Combine(dir, "cpu.stat"), "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\n");
        File.WriteAllText(Path.Combine(dir, "memory.peak"), "12345678\n");
        File.WriteAllText(Path.Combine(dir, "memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        File.WriteAllText(Path.Combine(dir, "pids.events"), "max 7\n");
        var stats = group.ReadStats();
        Assert.Equal(TimeSpan.FromSeconds(1.5), stats.CpuTime);
        Assert.Equal(12345678, stats.PeakMemoryBytes);
        Assert.Equal(1, stats.OomKills);
        Assert.Equal(7, stats.ProcessLimitHits);
    }

    [Fact]
    public void KillAndEmpty_UseCgroupKillAndEvents()
    {
        var backend = new CgroupV2Backend(Path.Combine(_root.FullName, "rce"));
        using var group = backend.Create("1-y", 1 << 20, 8, 1);
        var dir = Path.Combine(_root.FullName, "rce", "1-y");
        File.WriteAllText(Path.Combine(dir, "cgroup.events"), "populated 1\nfrozen 0\n");
        Assert.False(group.IsEmpty());
        group.KillAll();
        Assert.Equal("1", File.ReadAllText(Path.Combine(dir, "cgroup.kill")));
        File.WriteAllText(Path.Combine(dir, "cgroup.events"), "populated 0\nfrozen 0\n");
        Assert.True(group.IsEmpty());
    }

    [Fact]
    public void Detector_ChoosesV2_OnlyWhenItsMountOffersTheControllers()
    {
        var mount = Path.Combine(_root.FullName, "unified");
        Directory.CreateDirectory(Path.Combine(mount, "runner.slice"));
        File.WriteAllText(Path.Combine(mount, "cgroup.controllers"), "cpuset cpu io memory pids\n");
        var mounts = Path.Combine(_root.FullName, "mounts");
        File.WriteAllText(mounts, $"cgroup2 {mount} cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n");
        var self = Path.Combine(_root.FullName, "self-cgroup");
        File.WriteAllText(self, "0::/runner.slice\n");

        var backend = new CgroupDetector("rce", self, mounts).Detect(out var reason);
        Assert.Null(reason);
        Assert.Equal("v2", backend!.Version);
        Assert.Equal([Path.Combine(mount, "runner.slice", "rce")], backend.Parents);
    }

    [Fact]
    public void Detector_V2MountWithoutControllers_IsNotUsableForLimits()
    {
        var mount = Path.Combine(_root.FullName, "unified");
        Directory.CreateDirectory(mount);
        File.WriteAllText(Path.Combine(mount, "cgroup.controllers"), string.Empty);
        var mounts = Path.Combine(_root.FullName, "mounts");
        File.WriteAllText(mounts, $"cgroup2 {mount} cgroup2 rw 0 0\n");
        var self = Path.Combine(_root.FullName, "self-cgroup");
        File.WriteAllText(self, "0::/\n");

        Assert.Null(new CgroupDetector("rce", self, mounts).Detect(out var reason));
        Assert.Contains("controllers", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Detector_V1ControllersPlusEmptyCgroup2_IsV1UnderOwnGroup()
    {
        var memory = Path.Combine(_root.FullName, "memory");
        var pids = Path.Combine(_root.FullName, "pids");
        var cpuacct = Path.Combine(_root.FullName, "cpuacct");
        var unified = Path.Combine(_root.FullName, "unified");
        Directory.CreateDirectory(unified);
        File.WriteAllText(Path.Combine(unified, "cgroup.controllers"), string.Empty);
        var mounts = Path.Combine(_root.FullName, "mounts");
        File.WriteAllText(mounts,
            $"cgroup {memory} cgroup rw,relatime,memory 0 0\ncgroup {pids} cgroup rw,relatime,pids 0 0\n" +
            $"cgroup {cpuacct} cgroup rw,relatime,cpuacct 0 0\ncgroup2 {unified} cgroup2 rw 0 0\n");
        var self = Path.Combine(_root.FullName, "self-cgroup");
        File.WriteAllText(self, "4:memory:/job/42\n8:pids:/\n2:cpuacct:/\n0::/\n");

        var backend = new CgroupDetector("rce", self, mounts).Detect(out _);
        Assert.Equal("v1", backend!.Version);
        Assert.Contains(Path.Combine(memory, "job", "42", "rce"), backend.Parents);
        Assert.Contains(Path.Combine(pids, "rce"), backend.Parents);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
