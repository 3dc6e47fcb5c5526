namespace Rce.Sandbox.Probe;

/// <summary>What the host offers the sandbox, as probed at start; reported by health endpoints.</summary>
public sealed record SandboxCapabilities
{
    /// <summary>bubblewrap's version, or null when missing.</summary>
    public string? BwrapVersion { get; init; }

    /// <summary>libseccomp's version as linked into the launcher, or null.</summary>
    public string? LibseccompVersion { get; init; }

    /// <summary>"v1" or "v2": where the limits live.</summary>
    public string? CgroupVersion { get; init; }

    /// <summary>Directories under which box cgroups are created.</summary>
    public IReadOnlyList<string> CgroupParents { get; init; } = [];

    /// <summary>Whether unprivileged user namespaces are allowed.</summary>
    public bool UserNamespaces { get; init; }

    /// <summary>Whether the kernel offers seccomp filters.</summary>
    public bool Seccomp { get; init; }

    /// <summary><c>kernel.unprivileged_bpf_disabled</c>, when readable.</summary>
    public int? UnprivilegedBpfDisabled { get; init; }

    /// <summary><c>kernel.perf_event_paranoid</c>, when readable.</summary>
    public int? PerfEventParanoid { get; init; }

    /// <summary>Kernel release.</summary>
    public string? Kernel { get; init; }

    /// <summary>Reasons the sandbox cannot be built; empty when usable.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Weaker host hardening worth reporting but not refusing for.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Whether the sandbox can be built.</summary>
    public bool Usable => Problems.Count == 0;
}
