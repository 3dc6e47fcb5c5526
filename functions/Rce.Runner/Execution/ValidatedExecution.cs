using Rce.Core.Grading;
using Rce.Core.Limits;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Languages;

namespace Rce.Runner.Execution;

/// <summary>A request that passed validation, in domain terms.</summary>
internal sealed record ValidatedExecution(
    LanguageDefinition Language,
    ProgramSource Program,
    IReadOnlyList<string> CompilerOptions,
    IReadOnlyList<string> Args,
    IReadOnlyList<TestCase> Tests,
    bool SingleStdin,
    ResourceLimits Limits,
    CheckerSpec Checker,
    LanguageDefinition? CheckerLanguage,
    GradingOptions Grading);
