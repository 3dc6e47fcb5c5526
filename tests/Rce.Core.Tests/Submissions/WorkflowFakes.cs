using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Rce.Core.Executions;
using Rce.Core.Runners;
using Rce.Core.Submissions;

namespace Rce.Core.Tests.Submissions;

/// <summary>A clock that moves only when told (the test project does not reference FakeTimeProvider).</summary>
internal sealed class ManualTime : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now;

    public ManualTime(DateTimeOffset start) => _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }
}

/// <summary>A timestamp source (<see cref="TimeProvider.GetTimestamp"/>) that moves only when told; its wall clock is the system's.</summary>
internal sealed class StepClock : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>
/// In-memory <see cref="ISubmissionStore"/> with real compare-and-set: every stored version of a row
/// gets a new ETag from a per-row counter; <see cref="TryUpdateAsync"/> answers null on a mismatch.
/// </summary>
internal sealed class FakeSubmissionStore : ISubmissionStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (Submission Row, long Version)> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<HistoryEvent>> _history = new(StringComparer.Ordinal);
    private readonly List<string> _journal = [];
    private Action<Submission>? _beforeNextUpdate;
    private Action<Submission>? _beforeNextCreate;
    private Func<Submission, bool>? _loseReply;
    private int _lostUpdates;
    private int _reads;
    private int _historyBatches;
    private readonly List<string> _listedLater = [];
    private readonly List<string> _ensuredListed = [];
    private Exception? _ensureListedFailure;

    /// <summary>Ids created through <see cref="CreateListedLaterAsync"/>, in order.</summary>
    public IReadOnlyList<string> ListedLater
    {
        get
        {
            lock (_lock)
            {
                return [.. _listedLater];
            }
        }
    }

    /// <summary>Ids of the rows given to <see cref="EnsureListedAsync"/>, in order.</summary>
    public IReadOnlyList<string> EnsuredListed
    {
        get
        {
            lock (_lock)
            {
                return [.. _ensuredListed];
            }
        }
    }

    /// <summary>The next <see cref="EnsureListedAsync"/> throws <paramref name="error"/> and lists nothing.</summary>
    public void FailNextEnsureListed(Exception error) => _ensureListedFailure = error;

    public Task<Submission> CreateListedLaterAsync(Submission submission, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _listedLater.Add(submission.Id);
        }

        return CreateAsync(submission, request, cancellationToken);
    }

    public Task EnsureListedAsync(IReadOnlyCollection<Submission> rows, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _ensureListedFailure, null) is { } error)
        {
            return Task.FromException(error);
        }

        lock (_lock)
        {
            _ensuredListed.AddRange(rows.Select(r => r.Id));
        }

        return Task.CompletedTask;
    }

    /// <summary>Reads of rows and request blobs so far.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>Calls of the many-events history append (one storage write each).</summary>
    public int HistoryBatches => Volatile.Read(ref _historyBatches);

    /// <summary>Writes in the order they happened: <c>update:Status:Phase</c>, <c>result</c>, <c>history:Type</c>.</summary>
    public IReadOnlyList<string> Journal
    {
        get
        {
            lock (_lock)
            {
                return [.. _journal];
            }
        }
    }

    /// <summary>Updates refused because of an ETag mismatch or a missing row.</summary>
    public int LostUpdates => Volatile.Read(ref _lostUpdates);

    /// <summary>Runs once, before the next <see cref="TryUpdateAsync"/> compares ETags (to simulate a concurrent writer).</summary>
    public void BeforeNextUpdate(Action<Submission> action) => _beforeNextUpdate = action;

    /// <summary>Runs <paramref name="action"/> with the next created row, just before it is stored.</summary>
    public void BeforeNextCreate(Action<Submission> action) => _beforeNextCreate = action;

    /// <summary>The next update matching <paramref name="when"/> is stored, then answers an IOException (the step dies after its write).</summary>
    public void LoseNextUpdateReply(Func<Submission, bool> when) => _loseReply = when;

    /// <summary>Stores a row as is (a new version, a new ETag), bypassing the compare-and-set.</summary>
    public Submission Seed(Submission row, byte[]? request = null)
    {
        lock (_lock)
        {
            var version = _rows.TryGetValue(row.Id, out var existing) ? existing.Version + 1 : 1;
            var stored = row with { ETag = Tag(version) };
            _rows[row.Id] = (stored, version);
            if (request is not null)
            {
                _requests[row.Id] = request;
            }

            return stored;
        }
    }

    /// <summary>Another writer's change: applies <paramref name="change"/> to the current row and bumps its ETag.</summary>
    public Submission Mutate(string id, Func<Submission, Submission> change)
    {
        lock (_lock)
        {
            var (row, version) = _rows[id];
            var stored = change(row) with { ETag = Tag(version + 1) };
            _rows[id] = (stored, version + 1);
            _journal.Add($"{id}:external:{stored.Status}");
            return stored;
        }
    }

    public Submission Row(string id)
    {
        lock (_lock)
        {
            return _rows[id].Row;
        }
    }

    public void DeleteRequest(string id)
    {
        lock (_lock)
        {
            _requests.Remove(id);
        }
    }

    /// <summary>The merged history (the row's own events and the history table's), as a reader sees it.</summary>
    public IReadOnlyList<string> HistoryTypes(string id)
    {
        lock (_lock)
        {
            return [.. Merged(id).Select(e => e.EventType)];
        }
    }

    /// <summary>Events appended to the history table only (each one a storage write of its own).</summary>
    public IReadOnlyList<string> TableHistoryTypes(string id)
    {
        lock (_lock)
        {
            return _history.TryGetValue(id, out var events) ? events.Select(e => e.EventType).ToList() : [];
        }
    }

    public Task<Submission> CreateAsync(Submission submission, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _beforeNextCreate, null)?.Invoke(submission);
        lock (_lock)
        {
            if (_rows.TryGetValue(submission.Id, out var existing))
            {
                return Task.FromResult(existing.Row);
            }

            var stored = submission with { ETag = Tag(1) };
            _rows[submission.Id] = (stored, 1);
            _requests[submission.Id] = request.ToArray();
            _journal.Add($"{submission.Id}:create");
            return Task.FromResult(stored);
        }
    }

    public Task<Submission?> GetAsync(string id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        lock (_lock)
        {
            return Task.FromResult(_rows.TryGetValue(id, out var entry) ? entry.Row : null);
        }
    }

    public Task<Submission?> TryUpdateAsync(Submission submission, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _beforeNextUpdate, null)?.Invoke(submission);
        lock (_lock)
        {
            if (!_rows.TryGetValue(submission.Id, out var entry) || submission.ETag is null || submission.ETag != entry.Row.ETag)
            {
                Interlocked.Increment(ref _lostUpdates);
                return Task.FromResult<Submission?>(null);
            }

            var stored = submission with { ETag = Tag(entry.Version + 1) };
            _rows[submission.Id] = (stored, entry.Version + 1);
            _journal.Add($"{submission.Id}:update:{stored.Status}:{stored.Phase}");
            if (_loseReply is { } when && when(stored) && Interlocked.CompareExchange(ref _loseReply, null, when) == when)
            {
                return Task.FromException<Submission?>(new IOException("the reply was lost (injected)"));
            }

            return Task.FromResult<Submission?>(stored);
        }
    }

    public Task<byte[]?> ReadRequestAsync(string id, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        lock (_lock)
        {
            return Task.FromResult(_requests.TryGetValue(id, out var body) ? body : null);
        }
    }

    public Task WriteResultAsync(string id, ReadOnlyMemory<byte> result, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _results[id] = result.ToArray();
            _journal.Add($"{id}:result");
            return Task.CompletedTask;
        }
    }

    public Task<byte[]?> ReadResultAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_results.TryGetValue(id, out var body) ? body : null);
        }
    }

    public Task AppendHistoryAsync(string id, HistoryEvent historyEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(historyEvent);

        lock (_lock)
        {
            if (!_history.TryGetValue(id, out var events))
            {
                _history[id] = events = [];
            }

            events.Add(historyEvent);
            _journal.Add($"{id}:history:{historyEvent.EventType}");
            return Task.CompletedTask;
        }
    }

    public async Task AppendHistoryAsync(string id, IReadOnlyList<HistoryEvent> historyEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(historyEvents);
        Interlocked.Increment(ref _historyBatches);
        foreach (var historyEvent in historyEvents)
        {
            await AppendHistoryAsync(id, historyEvent, cancellationToken);
        }
    }

    public Task<IReadOnlyList<HistoryEvent>> ReadHistoryAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Merged(id));
        }
    }

    private IReadOnlyList<HistoryEvent> Merged(string id) =>
        HistoryLog.Merge(_rows.TryGetValue(id, out var row) ? row.Row.History : null, _history.TryGetValue(id, out var events) ? [.. events] : []);

    public Task<SubmissionPage> ListAsync(SubmissionQuery query, string? continuation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            var items = _rows.Values.Select(e => e.Row)
                .Where(r => r.Tenant == query.Tenant && (query.Statuses is not { Count: > 0 } || query.Statuses.Contains(r.Status)))
                .OrderByDescending(r => r.CreatedTime)
                .Take(query.Top)
                .ToList();
            return Task.FromResult(new SubmissionPage(items, null));
        }
    }

    public Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _rows.Remove(id);
            _requests.Remove(id);
            _results.Remove(id);
            _history.Remove(id);
            return Task.CompletedTask;
        }
    }

    private static string Tag(long version) => "W/\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";
}

/// <summary>In-memory <see cref="IBatchStore"/> that records every <see cref="RecordAsync"/> call.</summary>
internal sealed class FakeBatchStore : IBatchStore
{
    private readonly ConcurrentDictionary<string, Batch> _batches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BatchItem[]> _items = new(StringComparer.Ordinal);

    private int _failNextRecord;

    public ConcurrentQueue<(string BatchId, BatchItem Item)> Recorded { get; } = new();

    /// <summary>The next <see cref="RecordAsync"/> throws an <see cref="IOException"/> (a storage failure).</summary>
    public void FailNextRecord() => Volatile.Write(ref _failNextRecord, 1);

    public Task CreateAsync(Batch batch, IReadOnlyList<string> submissionIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(submissionIds);
        _items[batch.Id] = submissionIds.Select((id, i) => new BatchItem(i, id, SubmissionStatus.Queued, null)).ToArray();
        _batches[batch.Id] = batch;
        return Task.CompletedTask;
    }

    /// <summary>Overwrites an item row without recording a call (state left by an earlier worker).</summary>
    public void SetItem(string batchId, BatchItem item) => _items[batchId][item.Index] = item;

    public Task<Batch?> GetAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_batches.TryGetValue(id, out var batch) ? batch : null);

    public Task<IReadOnlyList<BatchItem>> GetItemsAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<BatchItem>>(_items.TryGetValue(id, out var items) ? [.. items] : []);

    /// <summary>Members given to <see cref="RecordLaterAsync"/> (written behind); each is also recorded as by <see cref="RecordAsync"/>.</summary>
    public ConcurrentQueue<(string BatchId, BatchItem Item)> RecordedLater { get; } = new();

    public Task RecordLaterAsync(string batchId, BatchItem item, CancellationToken cancellationToken)
    {
        RecordedLater.Enqueue((batchId, item));
        return RecordAsync(batchId, item, cancellationToken);
    }

    public Task RecordAsync(string batchId, BatchItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (Interlocked.Exchange(ref _failNextRecord, 0) == 1)
        {
            return Task.FromException(new IOException("storage unavailable (injected)"));
        }

        Recorded.Enqueue((batchId, item));
        if (_items.TryGetValue(batchId, out var items) && item.Index >= 0 && item.Index < items.Length)
        {
            items[item.Index] = item;
        }

        return Task.CompletedTask;
    }
}

/// <summary>Records every enqueued message with its queue and delay; with <see cref="LocalWorkers"/>, also lends workers.</summary>
internal sealed class FakeWorkQueues : IWorkQueues
{
    private readonly ConcurrentQueue<(WorkQueueId Queue, WorkMessage Message, TimeSpan Delay)> _sent = new();

    /// <summary>Whether <see cref="TryReserveWorker"/> lends a worker (as a self-hosted process with room does).</summary>
    public bool LocalWorkers { get; set; }

    /// <summary>The work run on lent workers, by queue, as tasks to await.</summary>
    public ConcurrentQueue<(WorkQueueId Queue, Task Run)> LocalRuns { get; } = new();

    public ILocalWorker? TryReserveWorker(WorkQueueId queue) => LocalWorkers ? new Worker(this, queue) : null;

    /// <summary>Whether <see cref="TryDefer"/> takes work (as a self-hosted listener's backlog does); it is then kept in <see cref="Backlog"/>, not run.</summary>
    public bool Backlogs { get; set; }

    /// <summary>Work taken by <see cref="TryDefer"/>, for the test to run or hand over.</summary>
    public ConcurrentQueue<(WorkQueueId Queue, Func<CancellationToken, Task> Run, Func<Task> HandOver)> Backlog { get; } = new();

    public bool TryDefer(WorkQueueId queue, Func<CancellationToken, Task> run, Func<Task> handOver)
    {
        if (Backlogs)
        {
            Backlog.Enqueue((queue, run, handOver));
        }

        return Backlogs;
    }

    /// <summary>Waits for every local run so far; returns their failures.</summary>
    public async Task<IReadOnlyList<Exception>> LocalRunFailuresAsync()
    {
        var failures = new List<Exception>();
        foreach (var (_, run) in LocalRuns)
        {
            try
            {
                await run;
            }
            catch (Exception error)
            {
                failures.Add(error);
            }
        }

        return failures;
    }

    private sealed class Worker(FakeWorkQueues owner, WorkQueueId queue) : ILocalWorker
    {
        public void Run(Func<CancellationToken, Task> work) => owner.LocalRuns.Enqueue((queue, Task.Run(() => work(CancellationToken.None))));

        public void Dispose()
        {
        }
    }

    public IReadOnlyList<(WorkQueueId Queue, WorkMessage Message, TimeSpan Delay)> Sent => [.. _sent];

    /// <summary>Messages sent to the run queues (normal and high).</summary>
    public IReadOnlyList<(WorkQueueId Queue, WorkMessage Message, TimeSpan Delay)> Runs =>
        Sent.Where(s => s.Queue is WorkQueueId.Submissions or WorkQueueId.SubmissionsHigh).ToList();

    public IReadOnlyList<(WorkQueueId Queue, WorkMessage Message, TimeSpan Delay)> Reconciles =>
        Sent.Where(s => s.Queue == WorkQueueId.Reconcile).ToList();

    public IReadOnlyList<(WorkQueueId Queue, WorkMessage Message, TimeSpan Delay)> Callbacks =>
        Sent.Where(s => s.Queue == WorkQueueId.Callbacks).ToList();

    public Task EnqueueAsync(WorkQueueId queue, WorkMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        _sent.Enqueue((queue, message, delay));
        return Task.CompletedTask;
    }

    public void Clear() => _sent.Clear();
}

/// <summary>
/// A runner scripted per call: each call takes the next step (an answer, a failure, or a custom
/// function that may block). A call with no step left fails the test loudly.
/// </summary>
internal sealed class ScriptedRunner : IRunnerClient
{
    public static readonly Uri Address = new("http://runner-1:8080/");

    private readonly ConcurrentQueue<Func<RunnerRequest, CancellationToken, Task<RunnerResponse>>> _steps = new();
    private int _calls;

    public ConcurrentQueue<RunnerRequest> Requests { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    public static RunnerResponse Response(int status, string body) =>
        new(status, System.Text.Encoding.UTF8.GetBytes(body), Address, 1);

    public ScriptedRunner Answer(int status, string body) => Then((_, _) => Task.FromResult(Response(status, body)));

    public ScriptedRunner Unavailable(string message = "no runner answered: connection refused") =>
        Then((_, _) => Task.FromException<RunnerResponse>(new RunnerUnavailableException(message)));

    public ScriptedRunner Then(Func<RunnerRequest, CancellationToken, Task<RunnerResponse>> step)
    {
        _steps.Enqueue(step);
        return this;
    }

    public Task<RunnerResponse> ExecuteAsync(RunnerRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        Requests.Enqueue(request);
        return _steps.TryDequeue(out var step)
            ? step(request, cancellationToken)
            : throw new InvalidOperationException("unexpected runner call");
    }

    public Task<IReadOnlyList<RunnerProbe>> ProbeAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RunnerProbe>>([]);
}

/// <summary>A workflow wired to the fakes, with short options and a manual clock.</summary>
internal sealed class WorkflowHarness
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly byte[] RequestBody = """{"language":"python","source":"print(input())","tests":[{"id":"1"},{"id":"2"}]}"""u8.ToArray();

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private int _next;

    public WorkflowHarness(WorkflowOptions? options = null)
    {
        Options = options ?? new WorkflowOptions
        {
            MaxAttempts = 3,
            RetryBaseDelayMs = 1_000,
            RetryMaxDelayMs = 10_000,
            LeaseMarginMs = 5_000,
            ReconcileDelayMs = 60_000,
            DeadlineMs = 600_000,
            MaxConcurrentRuns = 4,
            RunnerTimeoutMarginMs = 1_000,
            RunnerSlots = 1,
        };
        Gate = new PriorityGate(Options.MaxConcurrentRuns);
        Workflow = new SubmissionWorkflow(Store, Batches, Queues, Runner, Gate, Signals, Options, Time, NullLogger<SubmissionWorkflow>.Instance);
        Workflow.Ended += (submission, _) =>
        {
            EndedEvents.Enqueue(submission);
            return Task.CompletedTask;
        };
    }

    /// <summary>The lease of a <see cref="New"/> submission: call timeout (0 + 2 × 1 s + 1 s) + 5 s margin.</summary>
    public static TimeSpan Lease => TimeSpan.FromSeconds(8);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public WorkflowOptions Options { get; }

    public ManualTime Time { get; } = new(Start);

    public FakeSubmissionStore Store { get; } = new();

    public FakeBatchStore Batches { get; } = new();

    public FakeWorkQueues Queues { get; } = new();

    public ScriptedRunner Runner { get; } = new();

    public CompletionSignals Signals { get; } = new();

    public PriorityGate Gate { get; }

    public SubmissionWorkflow Workflow { get; }

    public ConcurrentQueue<Submission> EndedEvents { get; } = new();

    public TimeSpan ReconcileDelay => TimeSpan.FromMilliseconds(Options.ReconcileDelayMs);

    public static string ResultJson(string verdict = "WA", double score = 3, double maxScore = 4) =>
        JsonSerializer.Serialize(
            new ExecutionResponse(verdict, score, maxScore, null,
            [
                new TestResultDto("1", "AC", "ok\n", string.Empty, false, false, 10, 20, 1 << 20, 0, null, 3, 3, null),
                new TestResultDto("2", verdict, "no\n", string.Empty, false, false, 10, 20, 1 << 20, 0, null, 0, 1, null),
            ]),
            Web);

    public const string CallbackUrl = "https://lms.example/hooks/rce";

    public Submission New(SubmissionPriority priority = SubmissionPriority.Normal, string tenant = "tenant-a", string? batchId = null, int batchIndex = -1, string? callbackUrl = null)
    {
        var now = Time.GetUtcNow();
        return new Submission
        {
            Id = (Interlocked.Increment(ref _next) + 0xabc000).ToString("x32", CultureInfo.InvariantCulture),
            Tenant = tenant,
            Status = SubmissionStatus.Queued,
            Language = "python",
            Priority = priority,
            TestCount = 2,
            TestWallMs = 1_000,
            CompileWallMs = 0,
            CreatedTime = now,
            LastUpdatedTime = now,
            BatchId = batchId,
            BatchIndex = batchIndex,
            CallbackUrl = callbackUrl,
        };
    }

    /// <summary>Accepts a new submission and forgets the messages it sent.</summary>
    public async Task<Submission> AcceptedAsync(SubmissionPriority priority = SubmissionPriority.Normal, string? batchId = null, int batchIndex = -1, string? callbackUrl = null)
    {
        var stored = await Workflow.AcceptAsync(New(priority, batchId: batchId, batchIndex: batchIndex, callbackUrl: callbackUrl), RequestBody, Ct);
        Queues.Clear();
        return stored;
    }

    /// <summary>Puts a row straight into the store (with the request blob).</summary>
    public Submission Seed(Func<Submission, Submission> shape) => Store.Seed(shape(New()), RequestBody);

    public IReadOnlyList<Submission> Ended => [.. EndedEvents];
}
