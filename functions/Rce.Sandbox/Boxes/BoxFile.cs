namespace Rce.Sandbox.Boxes;

/// <summary>A file to place in the box before the program starts.</summary>
/// <param name="Name">Relative path inside the box (validated by <see cref="BoxPaths"/>).</param>
/// <param name="Content">The exact bytes.</param>
/// <param name="Executable">Whether to set the execute bits.</param>
public sealed record BoxFile(string Name, ReadOnlyMemory<byte> Content, bool Executable = false);
