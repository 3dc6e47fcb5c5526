using System.Text;
using Rce.Core.Limits;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Caching;
using Rce.Sandbox.Languages;

namespace Rce.Sandbox.Tests.Caching;

/// <summary>The content-addressed key: every input counts, and concatenations cannot collide.</summary>
public sealed class CompileCacheKeyTests
{
    private static readonly LanguageDefinition Language = new()
    {
        Id = "c",
        Name = "C",
        Extensions = [".c"],
        DefaultFileName = "main.c",
        RequiredPaths = [],
        VersionCommand = [],
        Run = _ => ["/out/prog"],
        SelfTestSource = string.Empty,
    };

    private static readonly BoxFile[] Files = [File("main.c", "int main(){}"), File("util.h", "#pragma once")];

    [Fact]
    public void Compute_SameInputs_IsStableWellFormedAndOrderInsensitiveForFiles()
    {
        var key = Key();
        Assert.Equal(key, Key());
        Assert.True(CompileCacheKey.IsWellFormed(key), key);
        Assert.Equal(key, Key(files: [Files[1], Files[0]]));
    }

    [Fact]
    public void Compute_AnyInputChanged_ChangesTheKey()
    {
        var limits = ResourceLimits.CompileDefaults;
        string[] keys =
        [
            Key(),
            Key(files: [File("main.c", "int main(){ }"), Files[1]]),
            Key(files: [File("prog.c", "int main(){}"), Files[1]]),
            Key(files: [Files[0], Files[1] with { Executable = true }]),
            Key(files: [Files[0]]),
            Key(options: ["-O2"]),
            Key(options: ["-Wall", "-O2"]),
            Key(limits: limits with { CpuTime = limits.CpuTime + TimeSpan.FromSeconds(1) }),
            Key(limits: limits with { WallTime = limits.EffectiveWallTime + TimeSpan.FromSeconds(1) }),
            Key(limits: limits with { MemoryBytes = limits.MemoryBytes / 2 }),
            Key(limits: limits with { Processes = 1 }),
            Key(limits: limits with { StdoutBytes = 1 }),
            Key(limits: limits with { StderrBytes = 1 }),
            Key(limits: limits with { FileSizeBytes = 1 }),
            Key(limits: limits with { BoxBytes = 1 }),
            Key(limits: limits with { TmpBytes = 1 }),
            Key(limits: limits with { Inodes = 1 }),
            Key(limits: limits with { OpenFiles = 1 }),
            Key(limits: limits with { StackBytes = 1 }),
            Key(language: Language with { DefinitionVersion = 2 }),
            Key(language: Language with { Id = "cpp" }),
            Key(toolchain: "gcc 13.1"),
            Key(mainFile: "util.h"),
        ];
        Assert.Equal(keys.Length, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Compute_ExplicitWallTimeEqualToTheDefault_IsTheSameLimit()
    {
        var limits = ResourceLimits.RunDefaults;
        Assert.Equal(Key(limits: limits), Key(limits: limits with { WallTime = limits.EffectiveWallTime }));
    }

    [Fact]
    public void Compute_ShiftedBoundaries_DoNotCollide()
    {
        Assert.NotEqual(Key(options: ["ab", "c"]), Key(options: ["a", "bc"]));
        Assert.NotEqual(Key(files: [File("ab", "c")], mainFile: "ab"), Key(files: [File("a", "bc")], mainFile: "ab"));
        Assert.NotEqual(Key(files: [File("a", "b"), File("c", "")]), Key(files: [File("a", ""), File("c", "b")]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("../../etc")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678")]
    public void IsWellFormed_AnythingButLowerHexOfTheRightLength_IsFalse(string? key) =>
        Assert.False(CompileCacheKey.IsWellFormed(key));

    private static BoxFile File(string name, string content) => new(name, Encoding.UTF8.GetBytes(content));

    private static string Key(LanguageDefinition? language = null, string toolchain = "gcc 12.2", IReadOnlyList<string>? options = null, ResourceLimits? limits = null, IReadOnlyList<BoxFile>? files = null, string mainFile = "main.c") =>
        CompileCacheKey.Compute(language ?? Language, toolchain, options ?? ["-Wall"], limits ?? ResourceLimits.CompileDefaults, files ?? Files, mainFile);
}
