using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Rce.Core.Limits;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Languages;

namespace Rce.Sandbox.Caching;

/// <summary>Content-addressed keys of the compile cache.</summary>
/// <remarks>
/// The key is the SHA-256 of everything a compile's result depends on. Every field is written with
/// its length (and every list with its count) in a fixed order, so that no two different inputs
/// encode to the same bytes: <c>["ab", "c"]</c> and <c>["a", "bc"]</c> differ. Strings are hashed
/// as UTF-16 (little-endian on every supported host), so that even malformed strings encode
/// injectively. A collision would hand one program another's binary: hence a cryptographic hash.
/// </remarks>
public static class CompileCacheKey
{
    /// <summary>Bump when the encoding below or the stored entry format changes: old entries then stop matching.</summary>
    private const string Domain = "rce-compile-cache/1";

    /// <summary>Length of a key in hex characters.</summary>
    public const int Length = 64;

    /// <summary>Computes the key of one compile.</summary>
    /// <param name="language">The language; its id and <see cref="LanguageDefinition.DefinitionVersion"/> are hashed.</param>
    /// <param name="toolchainVersion">The compiler's version as detected on this host.</param>
    /// <param name="options">Compiler options, in order.</param>
    /// <param name="compileLimits">The compile step's limits (a result under other limits may differ).</param>
    /// <param name="files">The program's files; their order does not matter.</param>
    /// <param name="mainFile">Name of the main file.</param>
    /// <returns>64 lower-case hex characters.</returns>
    public static string Compute(LanguageDefinition language, string toolchainVersion, IReadOnlyList<string> options, ResourceLimits compileLimits, IReadOnlyList<BoxFile> files, string mainFile)
    {
        ArgumentNullException.ThrowIfNull(language);
        ArgumentNullException.ThrowIfNull(toolchainVersion);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(compileLimits);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(mainFile);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AddText(hash, Domain);
        AddText(hash, language.Id);
        AddNumber(hash, language.DefinitionVersion);
        AddText(hash, toolchainVersion);

        AddNumber(hash, options.Count);
        foreach (var option in options)
        {
            AddText(hash, option);
        }

        // Every limit, including those that rarely matter to a compiler: an extra miss is cheap,
        // a result served under limits it was not produced under is not.
        var l = compileLimits;
        foreach (var value in new[] { l.CpuTime.Ticks, l.EffectiveWallTime.Ticks, l.MemoryBytes, l.Processes, l.StdoutBytes, l.StderrBytes, l.FileSizeBytes, l.BoxBytes, l.TmpBytes, l.Inodes, l.OpenFiles, l.StackBytes })
        {
            AddNumber(hash, value);
        }

        AddText(hash, mainFile);
        AddNumber(hash, files.Count);
        foreach (var file in files.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            AddText(hash, file.Name);
            AddNumber(hash, file.Executable ? 1 : 0);
            AddNumber(hash, file.Content.Length);
            hash.AppendData(file.Content.Span);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Whether <paramref name="key"/> has the form <see cref="Compute"/> returns (it names files and directories).</summary>
    public static bool IsWellFormed(string? key) =>
        key is { Length: Length } && key.All(char.IsAsciiHexDigitLower);

    private static void AddNumber(IncrementalHash hash, long value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        hash.AppendData(bytes);
    }

    private static void AddText(IncrementalHash hash, string text)
    {
        var bytes = MemoryMarshal.AsBytes(text.AsSpan());
        AddNumber(hash, bytes.Length);
        hash.AppendData(bytes);
    }
}
