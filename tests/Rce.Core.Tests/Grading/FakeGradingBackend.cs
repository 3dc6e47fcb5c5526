using System.Collections.Concurrent;
using Rce.Core.Execution;
using Rce.Core.Grading;
using Rce.Core.Verdicts;

namespace Rce.Core.Tests.Grading;

/// <summary>An in-memory backend: by default every run exits 0 echoing the test's input to stdout.</summary>
internal sealed class FakeGradingBackend : IGradingBackend
{
    private int _running;
    private int _maxRunning;
    private int _compileCalls;

    public CompileStep CompileResult { get; init; } = new(Verdict.Accepted, null);

    public Exception? CompileFailure { get; init; }

    public Func<TestCase, CancellationToken, Task<(Verdict, ProcessReport)>> OnRun { get; init; } = static (t, _) => Task.FromResult(Echo(t));

    public Func<TestCase, ReadOnlyMemory<byte>, CancellationToken, Task<CheckResult>> OnCheck { get; init; } =
        static (_, _, _) => throw new InvalidOperationException("No custom checker configured.");

    /// <summary>Ids of the tests whose run started, in start order.</summary>
    public ConcurrentQueue<string> Started { get; } = new();

    /// <summary>Ids of the tests passed to the custom checker, with the output it received.</summary>
    public ConcurrentQueue<(string Id, byte[] Output)> Checked { get; } = new();

    public int MaxConcurrentRuns => Volatile.Read(ref _maxRunning);

    public int CompileCalls => Volatile.Read(ref _compileCalls);

    public static (Verdict, ProcessReport) Echo(TestCase test, Verdict verdict = Verdict.Accepted) => (verdict, Report(test.Input));

    public static ProcessReport Report(ReadOnlyMemory<byte> stdout) => new()
    {
        Stdout = stdout,
        Stderr = ReadOnlyMemory<byte>.Empty,
        ExitCode = 0,
    };

    public Task<CompileStep> CompileAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _compileCalls);
        return CompileFailure is null ? Task.FromResult(CompileResult) : Task.FromException<CompileStep>(CompileFailure);
    }

    public async Task<(Verdict Verdict, ProcessReport Report)> RunAsync(TestCase test, CancellationToken cancellationToken = default)
    {
        Started.Enqueue(test.Id);
        var now = Interlocked.Increment(ref _running);
        for (var max = Volatile.Read(ref _maxRunning); now > max; max = Volatile.Read(ref _maxRunning))
        {
            Interlocked.CompareExchange(ref _maxRunning, now, max);
        }

        try
        {
            return await OnRun(test, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    public Task<CheckResult> CheckCustomAsync(TestCase test, ReadOnlyMemory<byte> output, CancellationToken cancellationToken = default)
    {
        Checked.Enqueue((test.Id, output.ToArray()));
        return OnCheck(test, output, cancellationToken);
    }
}
