using System.ComponentModel.DataAnnotations;

namespace Rce.Sandbox;

/// <summary>Settings of the sandbox engine (configuration section <c>Sandbox</c>).</summary>
public sealed class SandboxOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Sandbox";

    /// <summary>
    /// Neutral root for lock files, boxes and artefacts. It appears in bwrap's arguments (visible
    /// inside as <c>/proc/1/cmdline</c>), so it must never be the checkout or a home directory.
    /// The default value is <c>/run/rce</c>.
    /// </summary>
    [Required]
    public string StateRoot { get; set; } = "/run/rce";

    /// <summary>Machine-wide number of concurrent boxes. The default value is one per core.</summary>
    [Range(1, 64)]
    public int Slots { get; set; } = Environment.ProcessorCount;

    /// <summary>uid (and gid) of slot 0; slot N runs as uid UidBase + N. The default value is 60000.</summary>
    [Range(1000, 4_000_000_000)]
    public int UidBase { get; set; } = 60000;

    /// <summary>Size of the reserved uid range, checked unused at start. The default value is 64.</summary>
    [Range(1, 65536)]
    public int UidCount { get; set; } = 64;

    /// <summary>
    /// Name of the cgroup, under the runner's own, that holds the boxes' cgroups. The default value
    /// is <c>rce</c>.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    public string CgroupName { get; set; } = "rce";

    /// <summary>
    /// bubblewrap executable; null or empty (the default) means <c>rce-bwrap</c> beside the launcher when the
    /// build placed it there (the static build of <c>tools/bwrap</c>), else Debian's <c>/usr/bin/bwrap</c>.
    /// </summary>
    public string? BwrapPath { get; set; }

    /// <summary>Native launcher; null or empty means <c>rce-launch</c> beside this assembly.</summary>
    public string? LauncherPath { get; set; }

    /// <summary>CPU quota per box, in cores. The default value is 1.</summary>
    [Range(0.1, 64)]
    public double CpuCoresPerBox { get; set; } = 1;

    /// <summary>Launcher path in force.</summary>
    public string EffectiveLauncherPath => string.IsNullOrEmpty(LauncherPath) ? Path.Combine(AppContext.BaseDirectory, "rce-launch") : LauncherPath;

    /// <summary>The box's pid 1, <c>rce-init</c>: always beside the launcher in force (they are built together).</summary>
    public string EffectiveInitPath => BesideLauncher("rce-init");

    /// <summary>The one-time steps' helper, <c>rce-setup</c> (seccomp program, slot networks): beside the launcher.</summary>
    public string EffectiveSetupPath => BesideLauncher("rce-setup");

    /// <summary>bubblewrap path in force.</summary>
    public string EffectiveBwrapPath => !string.IsNullOrEmpty(BwrapPath) ? BwrapPath
        : File.Exists(BesideLauncher("rce-bwrap")) ? BesideLauncher("rce-bwrap") : "/usr/bin/bwrap";

    private string BesideLauncher(string name) => Path.Combine(Path.GetDirectoryName(EffectiveLauncherPath) ?? AppContext.BaseDirectory, name);
}
