using Rce.Core.Limits;
using Rce.Sandbox.Boxes;

namespace Rce.Sandbox;

/// <summary>One command to run in a fresh box.</summary>
public sealed record BoxSpec
{
    /// <summary>argv inside the box; the first element is an absolute path.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The program's whole environment (it starts empty).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Limits of this process tree.</summary>
    public required ResourceLimits Limits { get; init; }

    /// <summary>Files placed in <c>/box</c> before the start.</summary>
    public IReadOnlyList<BoxFile> Files { get; init; } = [];

    /// <summary>Bytes fed to stdin by the parent while it reads the outputs.</summary>
    public ReadOnlyMemory<byte> Stdin { get; init; }

    /// <summary>Host directory bound read-only at <c>/out</c> (a compiled artefact).</summary>
    public string? ReadOnlyOut { get; init; }

    /// <summary>When set, <c>/out</c> is writable and copied here after the run (compiles).</summary>
    public string? CollectOutTo { get; init; }

    /// <summary>Extra host paths bound read-only at the same place (e.g. a JDK's <c>/etc</c> config).</summary>
    public IReadOnlyList<string> ReadOnlyBinds { get; init; } = [];
}
