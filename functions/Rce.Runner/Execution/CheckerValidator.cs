using Rce.Core.Executions;
using Rce.Core.Grading;
using Rce.Runner.Api;
using Rce.Sandbox.Languages;

namespace Rce.Runner.Execution;

/// <summary>Validates the checker choice; a custom checker needs an available language and a source.</summary>
internal static class CheckerValidator
{
    private static readonly Dictionary<string, CheckerKind> Types = new(StringComparer.Ordinal)
    {
        ["lines"] = CheckerKind.Lines,
        ["exact"] = CheckerKind.Exact,
        ["tokens"] = CheckerKind.Tokens,
        ["float"] = CheckerKind.Float,
        ["caseInsensitive"] = CheckerKind.CaseInsensitive,
        ["unorderedLines"] = CheckerKind.UnorderedLines,
        ["custom"] = CheckerKind.Custom,
    };

    public static (CheckerSpec Spec, LanguageDefinition? Language) Validate(CheckerDto? dto, Func<string, LanguageDefinition?> findLanguage, Action<string, string> error)
    {
        if (dto is null)
        {
            return (CheckerSpec.Default, null);
        }

        if (!Types.TryGetValue(dto.Type ?? "lines", out var kind))
        {
            error("checker.type", "must be one of " + string.Join(", ", Types.Keys));
            return (CheckerSpec.Default, null);
        }

        foreach (var (value, field) in new[] { (dto.AbsTolerance, "checker.absTolerance"), (dto.RelTolerance, "checker.relTolerance") })
        {
            if (value is { } v && (!double.IsFinite(v) || v < 0 || v > 1))
            {
                error(field, "must be a number from 0 to 1");
            }
        }

        LanguageDefinition? language = null;
        if (kind == CheckerKind.Custom)
        {
            language = string.IsNullOrEmpty(dto.Language) ? null : findLanguage(dto.Language);
            if (language is null)
            {
                error("checker.language", "must name an available language");
            }

            if (string.IsNullOrEmpty(dto.Source))
            {
                error("checker.source", "is required for a custom checker");
            }
        }

        return (new CheckerSpec(kind, dto.AbsTolerance, dto.RelTolerance, dto.Language, dto.Source), language);
    }
}
