using Rce.Core.Executions;
using System.Text;
using Rce.Core.Grading;
using Rce.Runner.Api;

namespace Rce.Runner.Execution;

/// <summary>Validates <c>stdin</c> / <c>tests</c>: one stdin is one test "1" with no expected output.</summary>
internal static class TestsValidator
{
    public static (List<TestCase> Tests, bool SingleStdin) Validate(ExecutionRequest request, int maxTests, Action<string, string> error)
    {
        var tests = new List<TestCase>();
        if (request.Tests is not null && request.Stdin is not null)
        {
            error("stdin", "give either stdin or tests, not both");
            return (tests, false);
        }

        if (request.Tests is null)
        {
            tests.Add(new TestCase("1", Encoding.UTF8.GetBytes(request.Stdin ?? string.Empty), null));
            return (tests, true);
        }

        if (request.Tests.Count == 0 || request.Tests.Count > maxTests)
        {
            error("tests", $"must hold between 1 and {maxTests} tests");
            return (tests, false);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Tests.Count; i++)
        {
            var test = request.Tests[i];
            var at = $"tests[{i}]";
            if (test is null)
            {
                error(at, "must be an object");
                continue;
            }

            if (string.IsNullOrEmpty(test.Id) || test.Id.Length > 128 || test.Id.Any(char.IsControl))
            {
                error(at + ".id", "is required: 1 to 128 characters, no control characters");
                continue;
            }

            if (!ids.Add(test.Id))
            {
                error(at + ".id", $"duplicates '{test.Id}'");
                continue;
            }

            var points = test.Points ?? 1;
            if (!double.IsFinite(points) || points < 0 || points > 1e6)
            {
                error(at + ".points", "must be a number from 0 to 1000000");
                continue;
            }

            if (test.Batch is { Length: 0 or > 128 })
            {
                error(at + ".batch", "must be 1 to 128 characters");
                continue;
            }

            tests.Add(new TestCase(
                test.Id,
                Encoding.UTF8.GetBytes(test.Input ?? string.Empty),
                test.ExpectedOutput is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(test.ExpectedOutput),
                points,
                test.Batch));
        }

        return (tests, false);
    }
}
