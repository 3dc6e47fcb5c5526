using Rce.Core.Executions;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Rce.Core.Grading;
using Rce.Core.Limits;
using Rce.Core.Verdicts;
using Rce.Runner.Api;
using Rce.Runner.Hosting;
using Rce.Sandbox.Caching;
using Rce.Sandbox.Execution;

namespace Rce.Runner.Execution;

/// <summary>Grades one validated execution: compile once (cached), tests in parallel up to the slot pool.</summary>
internal sealed class ExecutionService(SandboxHost host, CompileCache cache, IOptions<RunnerOptions> options, IOptions<LimitsOptions> limits, ILogger<ExecutionService> logger)
{
    private readonly Grader _grader = new();

    public async Task<ExecutionResponse> ExecuteAsync(ValidatedExecution execution, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var job = new GradingJob(
            execution.Language,
            execution.Program,
            execution.CompilerOptions,
            execution.Args,
            execution.Limits,
            limits.Value.CompileLimits,
            execution.CheckerLanguage,
            execution.Checker.Source);
        using var backend = new SandboxGradingBackend(host.Executor!, job, cache, host.VersionOf);
        var report = await _grader.GradeAsync(backend, execution.Tests, execution.Checker, execution.Grading, host.Sandbox!.SlotCount, cancellationToken).ConfigureAwait(false);
        RunnerLog.Executed(logger, execution.Language.Id, report.Verdict.ToCode(), report.Score, report.MaxScore, report.Tests.Count, report.Compile.CacheHit, watch.ElapsedMilliseconds);
        return ResponseMapper.Map(report, execution.Language.IsCompiled, options.Value.ResponseOutputBytes);
    }
}
