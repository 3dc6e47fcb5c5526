using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rce.Core.Submissions;
using Rce.Infrastructure.Workflow;
using static Rce.Infrastructure.Tests.Workflow.WorkflowTestData;

namespace Rce.Infrastructure.Tests.Workflow;

/// <summary>
/// <see cref="BulkWriter{T}"/> on its own (over submissions, a partition per tenant, as for listing
/// entries), with a write of our own making and a manual clock: when items go out, what is tried
/// again after a failure, and the bounds. (Against the real tables:
/// <see cref="TableSubmissionStoreListedLaterTests"/> and <see cref="TableBatchStoreWriteBehindTests"/>.)
/// </summary>
public sealed class BulkWriterTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Entries_WaitForTheDelay_ThenGoOutTogether_PerTenant()
    {
        var (writer, time, writes) = Writer();
        writer.TryAdd(Row("a"));
        writer.TryAdd(Row("a"));
        writer.TryAdd(Row("b"));

        time.Advance(Delay - TimeSpan.FromTicks(1));
        Assert.Empty(writes.Done);

        time.Advance(TimeSpan.FromTicks(1));
        await writes.WaitForAsync(2);

        Assert.Equal([1, 2], writes.Done.Select(w => w.Count).Order());
        Assert.All(writes.Done, w => Assert.Single(w.Select(r => r.Tenant).Distinct()));
        Assert.Equal(0, writer.Waiting);
    }

    [Fact]
    public async Task AHundredOfATenant_GoOutAtOnce()
    {
        var (writer, _, writes) = Writer();
        for (var i = 0; i < TableTransactions.MaxActions; i++)
        {
            Assert.True(writer.TryAdd(Row("a")));
        }

        await writes.WaitForAsync(1);
        Assert.Equal(TableTransactions.MaxActions, Assert.Single(writes.Done).Count);
    }

    [Fact]
    public async Task AFailedWrite_IsTriedAgainAfterTheDelay_AtMostThreeTimesInAll()
    {
        var (writer, time, writes) = Writer();
        writes.FailNext(3);
        writer.TryAdd(Row("a"));

        for (var attempt = 1; attempt <= BulkWriter<Submission>.MaxAttempts; attempt++)
        {
            time.Advance(Delay);
            await writes.WaitForCallsAsync(attempt);
            if (attempt < BulkWriter<Submission>.MaxAttempts)
            {
                await Writes.WaitUntilAsync(() => writer.Waiting == 1); // put back, its timer started
            }
        }

        Assert.Equal(0, writer.Waiting); // left to its reconcile check
        time.Advance(Delay * 10);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(BulkWriter<Submission>.MaxAttempts, writes.Calls);
        Assert.Empty(writes.Done);
    }

    [Fact]
    public async Task AFailedWrite_ThenASuccess_WritesTheEntry()
    {
        var (writer, time, writes) = Writer();
        writes.FailNext(1);
        var row = Row("a");
        writer.TryAdd(row);

        time.Advance(Delay);
        await writes.WaitForCallsAsync(1);
        await Writes.WaitUntilAsync(() => writer.Waiting == 1);
        time.Advance(Delay);
        await writes.WaitForAsync(1);

        Assert.Equal(row.Id, Assert.Single(Assert.Single(writes.Done)).Id);
    }

    [Fact]
    public async Task Flush_WritesATenantsEntriesNow_AndRemove_DropsOne()
    {
        var (writer, _, writes) = Writer();
        var kept = Row("a");
        var purged = Row("a");
        writer.TryAdd(kept);
        writer.TryAdd(purged);
        writer.TryAdd(Row("b"));

        writer.Remove("a", purged.Id);
        await writer.FlushAsync("a", TestContext.Current.CancellationToken);

        Assert.Equal([kept.Id], Assert.Single(writes.Done).Select(r => r.Id));
        Assert.Equal(1, writer.Waiting); // b's still waits for its delay
    }

    [Fact]
    public async Task Full_Refuses_AndStopped_WritesWhatWaits_ThenRefuses()
    {
        var (writer, _, writes) = Writer();
        writes.Block();
        for (var i = 0; i < BulkWriter<Submission>.MaxWaiting; i++)
        {
            Assert.True(writer.TryAdd(Row("t" + (i % 500).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        Assert.False(writer.TryAdd(Row("x"))); // the caller lists it itself

        writes.Unblock();
        await writer.DisposeAsync();
        Assert.Equal(0, writer.Waiting);
        Assert.Equal(BulkWriter<Submission>.MaxWaiting, writes.Done.Sum(w => w.Count));
        Assert.False(writer.TryAdd(Row("a")));
    }

    [Fact]
    public async Task ALaterItemOfAKey_ReplacesTheWaitingOne()
    {
        var (writer, _, writes) = Writer();
        var row = Row("a");
        writer.TryAdd(row);
        writer.TryAdd(row with { Status = SubmissionStatus.Completed });

        Assert.Equal(1, writer.Waiting);
        await writer.FlushAsync("a", TestContext.Current.CancellationToken);

        Assert.Equal(SubmissionStatus.Completed, Assert.Single(Assert.Single(writes.Done)).Status);
    }

    private static Submission Row(string tenant) => Minimal(NewId(), tenant, T0);

    private static (BulkWriter<Submission> Writer, FakeTimeProvider Time, Writes Writes) Writer()
    {
        var time = new FakeTimeProvider(T0);
        var writes = new Writes();
        return (new BulkWriter<Submission>("listing entries", row => row.Tenant, row => row.Id, writes.WriteAsync, Delay, time, NullLogger.Instance), time, writes);
    }

    /// <summary>The writer's write: records what succeeded, fails or blocks on demand.</summary>
    private sealed class Writes
    {
        private readonly Lock _lock = new();
        private readonly List<IReadOnlyCollection<Submission>> _done = [];
        private TaskCompletionSource _open = Opened();
        private int _failures;
        private int _calls;

        public IReadOnlyList<IReadOnlyCollection<Submission>> Done
        {
            get
            {
                lock (_lock)
                {
                    return [.. _done];
                }
            }
        }

        public int Calls => Volatile.Read(ref _calls);

        public void FailNext(int count) => _failures = count;

        public void Block() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Unblock() => _open.TrySetResult();

        public async Task WriteAsync(IReadOnlyCollection<Submission> rows, CancellationToken cancellationToken)
        {
            await _open.Task.WaitAsync(cancellationToken);
            try
            {
                if (Interlocked.Decrement(ref _failures) >= 0)
                {
                    throw new IOException("storage down (injected)");
                }

                lock (_lock)
                {
                    _done.Add(rows);
                }
            }
            finally
            {
                Interlocked.Increment(ref _calls);
            }
        }

        public Task WaitForAsync(int writes) => WaitUntilAsync(() => Done.Count >= writes);

        public Task WaitForCallsAsync(int calls) => WaitUntilAsync(() => Calls >= calls);

        public static async Task WaitUntilAsync(Func<bool> condition)
        {
            var began = System.Diagnostics.Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(began.Elapsed < TimeSpan.FromSeconds(10), "timed out waiting for the writer");
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
        }

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }
}
