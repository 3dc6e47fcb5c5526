namespace Rce.Core.Runners;

/// <summary>
/// One runner call: the JSON body of <c>POST /v1/executions</c>, already serialised by the caller, and
/// the limits the call's timeout is computed from (<see cref="RunnerCallTimeout"/>). The numbers are
/// the resolved limits the runner will apply (defaults filled in), so that the timeout never cuts
/// short an execution that stays within them.
/// </summary>
public sealed class RunnerRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="body">UTF-8 JSON body of <c>POST /v1/executions</c>; it may hold source and stdin, so it is never logged.</param>
    /// <param name="testCount">Tests the runner will run; a request with only <c>stdin</c> counts as one test.</param>
    /// <param name="testWallTime">Wall-time limit of one test.</param>
    /// <param name="compileWallTime">Wall-time limit of the compile step; zero for interpreted languages.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or a time is negative.</exception>
    public RunnerRequest(ReadOnlyMemory<byte> body, int testCount, TimeSpan testWallTime, TimeSpan compileWallTime)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(testCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(testWallTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(compileWallTime, TimeSpan.Zero);
        Body = body;
        TestCount = testCount;
        TestWallTime = testWallTime;
        CompileWallTime = compileWallTime;
    }

    /// <summary>UTF-8 JSON body of <c>POST /v1/executions</c>.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Tests the runner will run (a stdin-only request counts as one).</summary>
    public int TestCount { get; }

    /// <summary>Wall-time limit of one test.</summary>
    public TimeSpan TestWallTime { get; }

    /// <summary>Wall-time limit of the compile step; zero when nothing is compiled.</summary>
    public TimeSpan CompileWallTime { get; }
}
