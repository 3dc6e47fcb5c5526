using Rce.Core.Executions;
using System.Text;
using Rce.Core.Limits;
using Rce.Core.Grading;
using Rce.Runner.Api;
using Rce.Sandbox.Boxes;
using Rce.Sandbox.Execution;
using Rce.Sandbox.Languages;

namespace Rce.Runner.Execution;

/// <summary>Turns an API request into a <see cref="ValidatedExecution"/>, or names every bad field.</summary>
/// <remarks>Every error names the JSON path of the field (<c>files[2].name</c>), for RFC 9457 problem details.</remarks>
internal sealed class RequestValidator(RunnerOptions options, ResourceLimits runDefaults, Func<string, LanguageDefinition?> findLanguage)
{
    /// <summary>Validation outcome: the execution, or errors (and whether they are about size: 413).</summary>
    public sealed record Result(ValidatedExecution? Execution, Dictionary<string, string[]> Errors, bool TooLarge);

    public Result Validate(ExecutionRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var tooLarge = false;
        void Error(string field, string message) => errors[field] = [message];

        var language = string.IsNullOrEmpty(request.Language) ? null : findLanguage(request.Language);
        if (language is null)
        {
            Error("language", string.IsNullOrEmpty(request.Language) ? "is required" : $"'{request.Language}' is not an available language");
        }

        var files = new List<BoxFile>();
        long total = 0;
        if (request.Files is not null && request.Source is not null)
        {
            Error("source", "give either files or source, not both");
        }
        else if (request.Source is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(request.Source);
            total = bytes.Length;
            files.Add(new BoxFile(language?.DefaultFileName ?? "main", bytes));
        }
        else if (request.Files is { Count: > 0 })
        {
            if (request.Files.Count > options.MaxFiles)
            {
                Error("files", $"at most {options.MaxFiles} files");
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < request.Files.Count && i < options.MaxFiles; i++)
            {
                var file = request.Files[i];
                var at = $"files[{i}]";
                if (file is null)
                {
                    Error(at, "must be an object");
                    continue;
                }

                if (BoxPaths.Validate(file.Name) is { } why)
                {
                    Error(at + ".name", why);
                }
                else if (!names.Add(file.Name!) || names.Any(n => n != file.Name && (n.StartsWith(file.Name + "/", StringComparison.Ordinal) || file.Name!.StartsWith(n + "/", StringComparison.Ordinal))))
                {
                    Error(at + ".name", "duplicates or nests inside another file's name");
                }

                var content = Decode(file, at, Error);
                if (content is null || file.Name is null)
                {
                    continue;
                }

                total += content.Length;
                files.Add(new BoxFile(file.Name, content));
            }
        }
        else
        {
            Error("files", "give files or source");
        }

        if (total > options.MaxSourceBytes)
        {
            Error("files", $"total size {total} bytes exceeds {options.MaxSourceBytes}");
            tooLarge = true;
        }

        var mainFile = MainFile(request, language, files, Error);
        var compilerOptions = Strings(request.CompilerOptions, "compilerOptions", Error);
        var args = Strings(request.Args, "args", Error);
        var (tests, single) = TestsValidator.Validate(request, options.MaxTests, Error);
        var limits = LimitsValidator.Validate(request.Limits, runDefaults, options, Error);
        var (checker, checkerLanguage) = CheckerValidator.Validate(request.Checker, findLanguage, Error);
        var grading = new GradingOptions(request.Grading?.StopOnFirstFailure ?? false, request.Grading?.BatchesAllOrNothing ?? true);

        if (errors.Count > 0 || language is null || mainFile is null)
        {
            return new Result(null, errors, tooLarge);
        }

        return new Result(
            new ValidatedExecution(language, new ProgramSource(files, mainFile), compilerOptions, args, tests, single, limits, checker, checkerLanguage, grading),
            errors,
            false);
    }

    private static byte[]? Decode(FileDto file, string at, Action<string, string> error)
    {
        if (file.Content is null)
        {
            error(at + ".content", "is required");
            return null;
        }

        switch (file.Encoding ?? "utf8")
        {
            case "utf8":
                return Encoding.UTF8.GetBytes(file.Content);
            case "base64":
                try
                {
                    return Convert.FromBase64String(file.Content);
                }
                catch (FormatException)
                {
                    error(at + ".content", "is not valid base64");
                    return null;
                }

            default:
                error(at + ".encoding", "must be utf8 or base64");
                return null;
        }
    }

    private static string? MainFile(ExecutionRequest request, LanguageDefinition? language, List<BoxFile> files, Action<string, string> error)
    {
        if (request.MainFile is not null)
        {
            if (files.All(f => f.Name != request.MainFile))
            {
                error("mainFile", "must name one of the files");
                return null;
            }

            return request.MainFile;
        }

        if (files.Count == 1)
        {
            return files[0].Name;
        }

        var match = files.FirstOrDefault(f => language?.Extensions.Contains(Path.GetExtension(f.Name), StringComparer.Ordinal) == true);
        if (match is null && files.Count > 0 && language is not null)
        {
            error("mainFile", "is required: no file has the language's extension");
        }

        return match?.Name;
    }

    private static List<string> Strings(List<string?>? values, string field, Action<string, string> error)
    {
        var list = new List<string>();
        if (values is null)
        {
            return list;
        }

        if (values.Count > 64)
        {
            error(field, "at most 64 entries");
            return list;
        }

        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            if (v is null || v.Length > 1024 || v.Contains('\0', StringComparison.Ordinal))
            {
                error($"{field}[{i}]", "must be a string of at most 1024 characters without NUL");
                continue;
            }

            list.Add(v);
        }

        return list;
    }
}
