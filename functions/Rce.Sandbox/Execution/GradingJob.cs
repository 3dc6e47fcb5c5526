using Rce.Core.Limits;
using Rce.Sandbox.Languages;

namespace Rce.Sandbox.Execution;

/// <summary>Everything the sandbox needs to grade one submission.</summary>
/// <param name="Language">The program's language.</param>
/// <param name="Program">Its files and main file.</param>
/// <param name="CompilerOptions">Extra compiler options.</param>
/// <param name="Args">Program arguments.</param>
/// <param name="RunLimits">Limits of each test run.</param>
/// <param name="CompileLimits">Limits of the compile step.</param>
/// <param name="CheckerLanguage">A custom checker's language, if any.</param>
/// <param name="CheckerSource">A custom checker's source, if any.</param>
public sealed record GradingJob(
    LanguageDefinition Language,
    ProgramSource Program,
    IReadOnlyList<string> CompilerOptions,
    IReadOnlyList<string> Args,
    ResourceLimits RunLimits,
    ResourceLimits CompileLimits,
    LanguageDefinition? CheckerLanguage = null,
    string? CheckerSource = null);
