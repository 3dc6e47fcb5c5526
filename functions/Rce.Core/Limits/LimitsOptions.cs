namespace Rce.Core.Limits;

/// <summary>
/// Settings (configuration section <c>Limits</c>) that override the product's default limits:
/// <c>Limits__Run__CpuTimeMs</c>, <c>Limits__Compile__MemoryBytes</c>, … Unset values keep the
/// defaults of <see cref="ResourceLimits.RunDefaults"/> and <see cref="ResourceLimits.CompileDefaults"/>.
/// </summary>
public sealed class LimitsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Limits";

    /// <summary>Overrides of the run defaults.</summary>
    public StepLimitsOptions Run { get; set; } = new();

    /// <summary>Overrides of the compile defaults.</summary>
    public StepLimitsOptions Compile { get; set; } = new();

    /// <summary>The run defaults in force.</summary>
    public ResourceLimits RunLimits => Run.ApplyTo(ResourceLimits.RunDefaults);

    /// <summary>The compile limits in force.</summary>
    public ResourceLimits CompileLimits => Compile.ApplyTo(ResourceLimits.CompileDefaults);
}

/// <summary>Optional overrides of one step's limits; units are in the names.</summary>
public sealed class StepLimitsOptions
{
    /// <summary>CPU time of the whole tree, in ms.</summary>
    public int? CpuTimeMs { get; set; }

    /// <summary>Wall time, in ms (default: 3 × CPU + 1 s for runs).</summary>
    public int? WallTimeMs { get; set; }

    /// <summary>Memory, in bytes.</summary>
    public long? MemoryBytes { get; set; }

    /// <summary>Processes and threads.</summary>
    public int? Processes { get; set; }

    /// <summary>stdout cap, in bytes.</summary>
    public long? StdoutBytes { get; set; }

    /// <summary>stderr cap, in bytes.</summary>
    public long? StderrBytes { get; set; }

    /// <summary>Largest file, in bytes.</summary>
    public long? FileSizeBytes { get; set; }

    /// <summary>Box tmpfs size, in bytes.</summary>
    public long? BoxBytes { get; set; }

    /// <summary><c>/tmp</c> tmpfs size, in bytes.</summary>
    public long? TmpBytes { get; set; }

    /// <summary>Inodes of each tmpfs.</summary>
    public int? Inodes { get; set; }

    /// <summary>Open files.</summary>
    public int? OpenFiles { get; set; }

    /// <summary>Applies the set values to <paramref name="defaults"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is zero or negative.</exception>
    public ResourceLimits ApplyTo(ResourceLimits defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        return defaults with
        {
            CpuTime = CpuTimeMs is { } cpu ? TimeSpan.FromMilliseconds(Positive(cpu)) : defaults.CpuTime,
            WallTime = WallTimeMs is { } wall ? TimeSpan.FromMilliseconds(Positive(wall)) : defaults.WallTime,
            MemoryBytes = Positive(MemoryBytes ?? defaults.MemoryBytes),
            Processes = (int)Positive(Processes ?? defaults.Processes),
            StdoutBytes = Positive(StdoutBytes ?? defaults.StdoutBytes),
            StderrBytes = Positive(StderrBytes ?? defaults.StderrBytes),
            FileSizeBytes = Positive(FileSizeBytes ?? defaults.FileSizeBytes),
            BoxBytes = Positive(BoxBytes ?? defaults.BoxBytes),
            TmpBytes = Positive(TmpBytes ?? defaults.TmpBytes),
            Inodes = (int)Positive(Inodes ?? defaults.Inodes),
            OpenFiles = (int)Positive(OpenFiles ?? defaults.OpenFiles),
        };
    }

    private static long Positive(long value) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "limits must be positive");
}
