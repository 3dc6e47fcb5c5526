using Rce.Core.Grading;
using Rce.Core.Verdicts;
using static Rce.Core.Tests.Grading.GradingData;

namespace Rce.Core.Tests.Grading;

public sealed class GraderConcurrencyTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);
    [Fact]
    public async Task GradeAsync_Parallelism_BoundHonouredAndReached()
    {
        // Every run waits until three runs are in flight at once: a bound below 3 would hang (caught by
        // the guard), a bound above 3 would show in the maximum.
        const int parallelism = 3;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = 0;
        var backend = new FakeGradingBackend
        {
            OnRun = async (t, ct) =>
            {
                if (Interlocked.Increment(ref inFlight) == parallelism)
                {
                    gate.TrySetResult();
                }

                await gate.Task.WaitAsync(ct);
                await Task.Yield();
                Interlocked.Decrement(ref inFlight);
                return FakeGradingBackend.Echo(t);
            },
        };
        var tests = Enumerable.Range(0, 10).Select(i => Pass($"t{i}")).ToList();

        var report = await new Grader().GradeAsync(backend, tests, CheckerSpec.Default, new GradingOptions(), parallelism, Ct).WaitAsync(Guard, Ct);

        Assert.Equal(parallelism, backend.MaxConcurrentRuns);
        Assert.Equal(10, backend.Started.Count);
        Assert.Equal(Verdict.Accepted, report.Verdict);
    }
    [Fact]
    public async Task GradeAsync_OutOfOrderCompletion_ResultsInRequestOrder()
    {
        var ids = new[] { "a", "b", "c", "d" };
        var release = ids.ToDictionary(id => id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var allStarted = new CountdownEvent(ids.Length);
        var backend = new FakeGradingBackend
        {
            OnRun = async (t, ct) =>
            {
                allStarted.Signal();
                await release[t.Id].Task.WaitAsync(ct);
                return FakeGradingBackend.Echo(t, t.Id == "b" ? Verdict.RuntimeError : Verdict.Accepted);
            },
        };
        var tests = ids.Select(id => Pass(id)).ToList();
        var grading = new Grader().GradeAsync(backend, tests, CheckerSpec.Default, new GradingOptions(), ids.Length, Ct);

        Assert.True(allStarted.Wait(Guard, Ct));
        foreach (var id in ids.Reverse())
        {
            release[id].SetResult();
        }

        var report = await grading.WaitAsync(Guard, Ct);
        Assert.Equal(ids, report.Tests.Select(t => t.Id));
        Assert.Equal([Verdict.Accepted, Verdict.RuntimeError, Verdict.Accepted, Verdict.Accepted], report.Tests.Select(t => t.Verdict));
    }
}
