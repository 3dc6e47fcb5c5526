using Rce.Core.Limits;
using Rce.Sandbox.Boxes;

namespace Rce.Sandbox.Languages;

/// <summary>What a compile or run command is built from.</summary>
/// <param name="MainFile">The main source file's name in the box (kept from the user's file name).</param>
/// <param name="SourceFiles">Every source file's name in the box.</param>
/// <param name="Options">Extra compiler options (compile) or program arguments (run).</param>
/// <param name="Limits">Limits of this step, to derive heap sizes from.</param>
public sealed record CommandContext(string MainFile, IReadOnlyList<string> SourceFiles, IReadOnlyList<string> Options, ResourceLimits Limits)
{
    /// <summary>The main file's name without extension (a Java class name, for instance).</summary>
    public string MainStem => Path.GetFileNameWithoutExtension(MainFile);
}

/// <summary>
/// One language: how to detect its toolchain, compile (if at all) and run a program, inside the
/// box, with its own environment and limit adjustments, and a self-test that proves it works.
/// </summary>
/// <remarks>
/// Toolchains are Debian's (or, for node and .NET, as installed) and are run by absolute
/// <c>/usr</c> paths only: a <c>PATH</c> lookup could find a rustup or pyenv toolchain under
/// <c>/root</c>, which the box does not even contain. Bump <see cref="DefinitionVersion"/> whenever
/// a command changes, since compile-cache keys include it.
/// </remarks>
public sealed record LanguageDefinition
{
    /// <summary>Stable id used by the API and CLI (<c>c</c>, <c>python</c>, …).</summary>
    public required string Id { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>File extensions with the dot, first one canonical.</summary>
    public required IReadOnlyList<string> Extensions { get; init; }

    /// <summary>File name used for a bare source from the API.</summary>
    public required string DefaultFileName { get; init; }

    /// <summary>Debian packages that must be installed (checked with dpkg); empty for "as installed".</summary>
    public IReadOnlyList<string> Packages { get; init; } = [];

    /// <summary>Absolute host paths that must exist for the toolchain to be usable.</summary>
    public required IReadOnlyList<string> RequiredPaths { get; init; }

    /// <summary>Command that prints the toolchain version inside the box.</summary>
    public required IReadOnlyList<string> VersionCommand { get; init; }

    /// <summary>When set, the version is the first output line containing this text.</summary>
    public string? VersionLineContains { get; init; }

    /// <summary>Compile command, or null for interpreted languages. Writes its artefact to <c>/out</c>.</summary>
    public Func<CommandContext, IReadOnlyList<string>>? Compile { get; init; }

    /// <summary>Run command. Compiled artefacts are read-only at <c>/out</c>; sources are in <c>/box</c>.</summary>
    public required Func<CommandContext, IReadOnlyList<string>> Run { get; init; }

    /// <summary>The program's environment for a step with the given limits (it starts empty).</summary>
    public Func<ResourceLimits, IReadOnlyDictionary<string, string>> Environment { get; init; } = _ => LanguageEnvironment.Base;

    /// <summary>Adjusts run limits (for example more processes for threaded runtimes).</summary>
    public Func<ResourceLimits, ResourceLimits> AdjustRunLimits { get; init; } = l => l;

    /// <summary>Adjusts compile limits.</summary>
    public Func<ResourceLimits, ResourceLimits> AdjustCompileLimits { get; init; } = l => l;

    /// <summary>Extra files the compile step needs in the box (response files, configs).</summary>
    public Func<CommandContext, IReadOnlyList<BoxFile>> CompileSupportFiles { get; init; } = _ => [];

    /// <summary>Extra host paths bound read-only (for example <c>/etc/java-17-openjdk</c>).</summary>
    public IReadOnlyList<string> ReadOnlyBinds { get; init; } = [];

    /// <summary>stderr fragments by which the runtime reports its own out-of-memory (→ MLE).</summary>
    public IReadOnlyList<string> OutOfMemoryMarkers { get; init; } = [];

    /// <summary>Self-test program: reads a line and prints it back.</summary>
    public required string SelfTestSource { get; init; }

    /// <summary>File name of the self-test (a Java class name must match its file).</summary>
    public string? SelfTestFileName { get; init; }

    /// <summary>Version of this definition, part of compile-cache keys.</summary>
    public int DefinitionVersion { get; init; } = 1;

    /// <summary>Whether the language has a compile step.</summary>
    public bool IsCompiled => Compile is not null;
}
