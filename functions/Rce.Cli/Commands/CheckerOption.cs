using System.Globalization;
using Rce.Core.Grading;
using Rce.Sandbox.Languages;

namespace Rce.Cli.Commands;

/// <summary>Parses <c>--checker lines|exact|tokens|float:EPS|ci|unordered|FILE</c>.</summary>
internal static class CheckerOption
{
    public static (CheckerSpec? Spec, LanguageDefinition? Language, string? Error) Parse(string? text, LanguageCatalog catalog)
    {
        switch (text)
        {
            case null or "lines":
                return (CheckerSpec.Default, null, null);
            case "exact":
                return (new CheckerSpec(CheckerKind.Exact), null, null);
            case "tokens":
                return (new CheckerSpec(CheckerKind.Tokens), null, null);
            case "ci":
                return (new CheckerSpec(CheckerKind.CaseInsensitive), null, null);
            case "unordered":
                return (new CheckerSpec(CheckerKind.UnorderedLines), null, null);
            case "float":
                return (new CheckerSpec(CheckerKind.Float), null, null);
        }

        if (text.StartsWith("float:", StringComparison.Ordinal))
        {
            return double.TryParse(text.AsSpan(6), NumberStyles.Float, CultureInfo.InvariantCulture, out var eps) && eps >= 0 && double.IsFinite(eps)
                ? (new CheckerSpec(CheckerKind.Float, eps, eps), null, null)
                : (null, null, $"bad --checker '{text}' (use float:1e-6)");
        }

        if (!File.Exists(text))
        {
            return (null, null, $"bad --checker '{text}': not lines, exact, tokens, float:EPS, ci, unordered, nor an existing checker file");
        }

        var language = catalog.FindByFileName(text);
        return language is null
            ? (null, null, $"cannot tell the language of checker '{text}'")
            : (new CheckerSpec(CheckerKind.Custom, Language: language.Id, Source: File.ReadAllText(text)), language, null);
    }
}
