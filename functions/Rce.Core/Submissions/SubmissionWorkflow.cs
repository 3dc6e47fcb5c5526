using Microsoft.Extensions.Logging;
using Rce.Core.Runners;
using Rce.Core.Verdicts;

namespace Rce.Core.Submissions;

/// <summary>
/// The submission workflow (design §3): one runner call per submission, guarded by compare-and-set
/// transitions on the instance row, retried with back-off through delayed messages, recovered by
/// reconcile messages, ended Failed/IE by the poison path. Every entry point is safe under
/// redelivery and concurrent workers: the row's transition decides who acts, a lost race (412)
/// means "re-read and decide again", and nothing can leave a submission Running for ever.
/// </summary>
public sealed partial class SubmissionWorkflow
{
    /// <summary>
    /// Most members in one part of a poisoned batch check (<see cref="PoisonReconcileAsync"/>): a
    /// batch of 1,000 becomes 16 checks, and a part that fails in turn becomes one per member.
    /// </summary>
    public const int BatchPart = 64;

    private readonly ISubmissionStore _store;
    private readonly IBatchStore _batches;
    private readonly IWorkQueues _queues;
    private readonly IRunnerClient _runners;
    private readonly PriorityGate _gate;
    private readonly CompletionSignals _signals;
    private readonly WorkflowOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SubmissionWorkflow> _logger;
    private readonly CallbackOutbox _outbox;
    private readonly FreshRows _fresh = new();
    private readonly ReconcileAhead _ahead;

    /// <summary>Creates the workflow.</summary>
    public SubmissionWorkflow(
        ISubmissionStore store,
        IBatchStore batches,
        IWorkQueues queues,
        IRunnerClient runners,
        PriorityGate gate,
        CompletionSignals signals,
        WorkflowOptions options,
        TimeProvider time,
        ILogger<SubmissionWorkflow> logger)
    {
        _store = store;
        _batches = batches;
        _queues = queues;
        _runners = runners;
        _gate = gate;
        _signals = signals;
        _options = options;
        _time = time;
        _logger = logger;
        _outbox = new CallbackOutbox(store, queues, time, logger);
        _ahead = new ReconcileAhead(queues, ReconcileDelay, time);
    }

    /// <summary>
    /// A new submission id whose reconcile check is armed already (a group's, see
    /// <see cref="ReconcileAhead"/>): its <see cref="AcceptAsync"/> then sends no check of its own.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for a group's check.</param>
    /// <returns>The id.</returns>
    public Task<string> NewIdAsync(CancellationToken cancellationToken) => _ahead.TakeAsync(cancellationToken);

    /// <summary>Raised after a terminal transition was won (once per submission): callbacks hook here.</summary>
    /// <remarks>
    /// Handlers run in order, each awaited; one that throws stops the rest and fails the step (the
    /// queue retries it, and the retry finds the row terminal). A handler is therefore a fast path,
    /// never the only path: the callback it enqueues is owed on the row already
    /// (<see cref="Submission.CallbackPending"/>), and the reconcile pass re-drives it if the
    /// handler never ran (<see cref="CallbackOutbox"/>).
    /// </remarks>
    public event Func<Submission, CancellationToken, Task>? Ended;

    /// <summary>Accepts a new submission: stores it, arms its reconcile check (singles only), enqueues its first attempt.</summary>
    /// <param name="submission">The new row.</param>
    /// <param name="request">The runner request body.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>The stored row.</returns>
    public async Task<Submission> AcceptAsync(Submission submission, ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);

        // Reconcile before the row (durable-style-workflow §3.3): if we die before the run message is
        // sent, the check finds the submission Queued and sends it. The store inserts the row only
        // once the check is sent, and does its own first writes meanwhile. Batches have one check
        // for all members; an id from NewIdAsync has its group's, sent before the id was given out.
        var covered = submission.BatchId is null && _ahead.Covers(submission.Id);
        var armed = submission.BatchId is null && !covered
            ? ArmReconcileAsync(submission.Id, cancellationToken)
            : Task.CompletedTask;
        // A free worker of this process: the row is inserted already claimed by it (no claim write)
        // and the first attempt runs there, with no run message. The recovery a message would give
        // (redelivery if this process dies) comes from the reconcile check armed before the row (the
        // batch's for a member), which finds the lease expired; a failed local run sends the message
        // after all. Without one, the row is inserted Queued and the run message sent.
        var worker = _queues.TryReserveWorker(WorkQueues.ForPriority(submission.Priority));
        try
        {
            // The row carries its history: ExecutionStarted is stored by the insert itself.
            var row = submission with { History = HistoryLog.Of([StartedEvent(submission)]) };
            if (worker is not null)
            {
                row = Claimed(row, Now);
            }

            // A group's check lists the row if this process dies before its entry is written
            // (ReconcileGroupAsync), so a covered submission's entry may follow in bulk.
            var stored = covered
                ? await _store.CreateListedLaterAsync(row, request, cancellationToken).ConfigureAwait(false)
                : await _store.CreateAsync(row, request, armed, cancellationToken).ConfigureAwait(false);
            if (worker is not null && stored.Status == SubmissionStatus.Running && stored.LeaseOwner == row.LeaseOwner)
            {
                var here = worker;
                worker = null;
                WorkflowLog.Started(_logger, stored.Id, stored.Attempt);
                here.Run(ct => RunHereAsync(stored, ct));
            }
            else if (stored.Status == SubmissionStatus.Queued && stored.Attempt == 0)
            {
                // The claim (often in this process, at once) starts from this row. Its first run
                // waits on this process's backlog if it takes it (no message: the reconcile check
                // armed before the row is its recovery), else goes out as a message.
                _fresh.Put(stored);
                if (!DeferFirstRun(stored))
                {
                    await EnqueueRunAsync(stored, 1, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                }
            }

            return stored;
        }
        finally
        {
            worker?.Dispose(); // not used: an earlier request's row, or a failed insert
        }
    }

    /// <summary>Handles a run message (queue functions <c>RunSubmission</c> and <c>RunSubmissionHigh</c>).</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels on shutdown; a cancelled attempt is redelivered by the queue.</param>
    /// <returns>A task; it throws only on storage failures (the queue's retry and poison path takes over).</returns>
    public async Task RunAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var claimed = await ClaimAsync(message, cancellationToken).ConfigureAwait(false);
        if (claimed is null)
        {
            return;
        }

        WorkflowLog.Started(_logger, claimed.Id, claimed.Attempt);
        await RunClaimedAsync(claimed, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts the first run of a Queued row on this process's backlog (see <see cref="IWorkQueues.TryDefer"/>):
    /// run as its message would be; if that fails, or the process stops before it runs, the message
    /// is sent after all.
    /// </summary>
    private bool DeferFirstRun(Submission queued) =>
        _queues.TryDefer(
            WorkQueues.ForPriority(queued.Priority),
            async ct =>
            {
                try
                {
                    await RunAsync(new WorkMessage(queued.Id, 1), ct).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    await HandOverFirstRunAsync(queued).ConfigureAwait(false);
                    throw;
                }
            },
            () => HandOverFirstRunAsync(queued));

    /// <summary>The first attempt, claimed by the insert and run by this process without a message; if it fails or is stopped, the message it skipped is sent after all.</summary>
    private async Task RunHereAsync(Submission claimed, CancellationToken cancellationToken)
    {
        try
        {
            await RunClaimedAsync(claimed, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await HandOverFirstRunAsync(claimed).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends the run message of a first attempt that this process took without one, as a failed or
    /// abandoned message would be released: whoever receives it claims the submission again (or
    /// waits out the lease of this attempt). Not cancellable: it is the hand-over of a failed run or
    /// of a stopping process.
    /// </summary>
    private Task HandOverFirstRunAsync(Submission submission) => EnqueueRunAsync(submission, 1, TimeSpan.Zero, CancellationToken.None);

    /// <summary>Arms the reconcile check of submission <paramref name="id"/>, due after the reconcile delay.</summary>
    private Task ArmReconcileAsync(string id, CancellationToken cancellationToken) =>
        _queues.EnqueueAsync(WorkQueueId.Reconcile, new WorkMessage(id), ReconcileDelay, cancellationToken);

    private static HistoryEvent StartedEvent(Submission submission) => new("ExecutionStarted", submission.CreatedTime, "SubmissionWorkflow");

    private async Task RunClaimedAsync(Submission claimed, CancellationToken cancellationToken)
    {
        var body = await _store.ReadRequestAsync(claimed, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            await FinishAsync(claimed, SubmissionStatus.Failed, Verdict.InternalError, "the stored request is missing", null, cancellationToken).ConfigureAwait(false);
            return;
        }

        RunnerResponse response;
        try
        {
            var place = _gate.TryEnter(claimed.Priority);
            var waited = place is null;
            using (place ?? await _gate.EnterAsync(claimed.Priority, cancellationToken).ConfigureAwait(false))
            {
                if (waited)
                {
                    // The lease covers the runner call, not the wait for a place: renew it now, or stop
                    // if another worker took the submission over while we waited. Admitted at once,
                    // the claim's lease is only milliseconds old: no renewal.
                    var now = Now;
                    var renewed = await _store.TryUpdateAsync(claimed with { LeaseUntil = now + LeaseFor(claimed), LastUpdatedTime = now }, cancellationToken).ConfigureAwait(false);
                    if (renewed is null)
                    {
                        return;
                    }

                    claimed = renewed;
                }

                response = await _runners.ExecuteAsync(RunnerRequestFor(claimed, body), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RunnerUnavailableException error)
        {
            await RetryOrFailAsync(claimed, error.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        await HandleAnswerAsync(claimed, response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the runner's answer to a stored, claimed attempt leads to: the end, a retry, or IE.</summary>
    private async Task HandleAnswerAsync(Submission claimed, RunnerResponse response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == 200 && RunnerAnswer.TryParseResult(response.Body, out var result))
        {
            // The result first (in the row's terminal write when small, else its blob before it),
            // then one terminal write (no separate "grading" write): the terminal compare-and-set
            // still fails when the submission was terminated or taken over meanwhile.
            var withResult = await _store.AttachResultAsync(claimed, response.Body, cancellationToken).ConfigureAwait(false);
            await FinishAsync(withResult with { Score = result.Score, MaxScore = result.MaxScore }, SubmissionStatus.Completed, RunnerAnswer.ParseVerdict(result.Verdict), null, "TaskCompleted", cancellationToken).ConfigureAwait(false);
        }
        else if (response.StatusCode >= 500 || response.StatusCode == 200)
        {
            // 5xx: the sandbox or runner failed (ours, retryable, design §4); 200 without a result: a broken runner.
            await RetryOrFailAsync(claimed, $"runner {response.Runner} answered {response.StatusCode}{RunnerAnswer.Problem(response.Body)}", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // 4xx: the runner refused this request; retrying cannot help.
            await FinishAsync(claimed, SubmissionStatus.Failed, Verdict.InternalError, $"the runner refused the request ({response.StatusCode}{RunnerAnswer.Problem(response.Body)})", null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Handles a reconcile message: re-enqueues lost work, fails instances past their deadline, re-arms itself while active.</summary>
    /// <param name="message">The message (a submission, a group, or, with <see cref="WorkMessage.Batch"/>, a batch or a part of its check).</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <returns>A task.</returns>
    public async Task ReconcileAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Ids is { } ids)
        {
            // A group armed ahead: each id alone (one with no row never had one, or was purged). A
            // part of a batch's check, split off a poisoned whole: its members as the whole would
            // check them. Either comes back for the ids still active only.
            var stillActive = message.Batch
                ? await ReconcileBatchAsync(message.Id, ids, cancellationToken).ConfigureAwait(false)
                : await ReconcileGroupAsync(ids, cancellationToken).ConfigureAwait(false);
            if (stillActive.Count > 0)
            {
                await _queues.EnqueueAsync(WorkQueueId.Reconcile, message with { Ids = stillActive }, ReconcileDelay, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var active = message.Batch
            ? (await ReconcileBatchAsync(message.Id, null, cancellationToken).ConfigureAwait(false)).Count > 0
            : await ReconcileOneAsync(message.Id, viaBatch: false, cancellationToken).ConfigureAwait(false);
        if (active)
        {
            await _queues.EnqueueAsync(WorkQueueId.Reconcile, message, ReconcileDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Handles a message that exhausted its deliveries (poison queue functions): the submission ends Failed with IE.</summary>
    /// <param name="message">The poisoned run message.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public Task PoisonAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return FailUnlessEndedAsync(message.Id, "processing failed repeatedly; the message was moved to the poison queue", cancellationToken);
    }

    /// <summary>
    /// Handles a reconcile message that exhausted its deliveries (queue function <c>PoisonReconcile</c>).
    /// A check of many is split, sent again now in smaller checks: a group's
    /// (<see cref="ReconcileAhead"/>) into one per id, a batch's into parts of at most
    /// <see cref="BatchPart"/> of the members its items show unfinished, and a part into one per
    /// member, so that what made the check fail (one bad row, a storage outage) ends at most the
    /// submission whose own check fails in turn, not the healthy ones beside it (up to 63 in a
    /// group, 999 in a batch). A check of one has nothing left to split: nothing would look at its
    /// submission again, so one that has not ended ends Failed with IE now. Without that, a
    /// submission whose run message was lost and whose check kept failing would stay Queued or
    /// Running for ever (design §3).
    /// </summary>
    /// <param name="message">The poisoned reconcile message (a submission, a group, a batch, or a part of a batch's).</param>
    /// <param name="cancellationToken">Cancels the reads and writes.</param>
    /// <returns>A task.</returns>
    public async Task PoisonReconcileAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        const string Reason = "its reconcile check failed repeatedly; the message was moved to the poison queue";
        if (message.Ids is { Count: > 1 } ids)
        {
            foreach (var id in ids)
            {
                // A group of one also lists its row, as the group's check would have; a part of one
                // also records its member's item, as the batch's would have.
                var one = message.Batch ? message with { Ids = [id] } : new WorkMessage(id, Ids: [id]);
                await _queues.EnqueueAsync(WorkQueueId.Reconcile, one, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (message is { Batch: true, Ids: null })
        {
            var unfinished = (await _batches.GetItemsAsync(message.Id, cancellationToken).ConfigureAwait(false))
                .Where(item => !item.Status.IsTerminal())
                .Select(item => item.SubmissionId);
            foreach (var part in unfinished.Chunk(BatchPart))
            {
                await _queues.EnqueueAsync(WorkQueueId.Reconcile, message with { Ids = part }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // A single, a group of one or a part of one: its one id is the submission.
        await FailUnlessEndedAsync(message.Ids is [var only] ? only : message.Id, Reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends submission <paramref name="id"/> Failed with IE unless it has ended (re-reading after a lost race); nothing for an unknown id.</summary>
    private async Task FailUnlessEndedAsync(string id, string reason, CancellationToken cancellationToken)
    {
        var current = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        while (current is not null && !current.Status.IsTerminal())
        {
            if (await FinishAsync(current, SubmissionStatus.Failed, Verdict.InternalError, reason, null, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }

            current = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (current is not null)
        {
            // Ended meanwhile: its batch item may not be recorded yet (the winner may have died after its write).
            await RecordInBatchAsync(current, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Terminates a submission (Durable's terminate): conditional, asynchronous for queued work.</summary>
    /// <param name="id">Submission id.</param>
    /// <param name="tenant">The caller's tenant (another tenant's submission is unknown).</param>
    /// <param name="reason">Why, recorded.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>What happened.</returns>
    public async Task<TerminateOutcome> TerminateAsync(string id, string tenant, string? reason, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is null || current.Tenant != tenant)
            {
                return TerminateOutcome.NotFound;
            }

            if (current.Status.IsTerminal())
            {
                return TerminateOutcome.AlreadyTerminal;
            }

            if (await FinishAsync(current, SubmissionStatus.Terminated, null, string.IsNullOrWhiteSpace(reason) ? "terminated" : reason, "ExecutionTerminated", cancellationToken).ConfigureAwait(false) is not null)
            {
                return TerminateOutcome.Terminated;
            }
        }
    }

    private TimeSpan ReconcileDelay => TimeSpan.FromMilliseconds(_options.ReconcileDelayMs);

    private DateTimeOffset Now => _time.GetUtcNow();

    private static RunnerRequest RunnerRequestFor(Submission submission, byte[] body) =>
        new(body, Math.Max(1, submission.TestCount), TimeSpan.FromMilliseconds(submission.TestWallMs), TimeSpan.FromMilliseconds(submission.CompileWallMs));

    private TimeSpan LeaseFor(Submission submission)
    {
        var call = RunnerCallTimeout.Compute(RunnerRequestFor(submission, []), _options.RunnerSlots, TimeSpan.FromMilliseconds(_options.RunnerTimeoutMarginMs));
        var margin = TimeSpan.FromMilliseconds(_options.LeaseMarginMs);
        return call >= TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : call + margin;
    }

    /// <summary>The next attempt of <paramref name="current"/>, Running under a new lease held by a new owner token.</summary>
    private Submission Claimed(Submission current, DateTimeOffset now) => current with
    {
        Status = SubmissionStatus.Running,
        Phase = "running",
        Attempt = current.Attempt + 1,
        StartedTime = now,
        LastUpdatedTime = now,
        LeaseUntil = now + LeaseFor(current),
        LeaseOwner = Guid.NewGuid().ToString("N"),
        History = current.History.Append(new HistoryEvent("TaskScheduled", now, "RunOnRunner", $"attempt {current.Attempt + 1}")),
    };

    /// <summary>Moves Queued (or Running with an expired lease) to Running for this worker; null when there is nothing to do.</summary>
    private async Task<Submission?> ClaimAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        // The row this process just created, if it is that row's first run: no read (see FreshRows).
        var fresh = message.Attempt == 1 ? _fresh.Take(message.Id) : null;
        while (true)
        {
            var current = fresh ?? await _store.GetAsync(message.Id, cancellationToken).ConfigureAwait(false);
            fresh = null;
            if (current is null)
            {
                WorkflowLog.Unknown(_logger, message.Id);
                return null;
            }

            if (current.Status.IsTerminal())
            {
                // The step that ended it may have failed after the terminal write (its message came
                // back): record the batch item again (idempotent), or the batch would show the
                // member pending until its reconcile pass.
                await RecordInBatchAsync(current, cancellationToken).ConfigureAwait(false);
                return null;
            }

            var now = Now;
            if (current.Status == SubmissionStatus.Running && current.LeaseUntil > now)
            {
                // Another worker holds it. Come back when its lease ends: if it died, we take over then.
                await _queues.EnqueueAsync(WorkQueues.ForPriority(current.Priority), message, current.LeaseUntil.Value - now + TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                return null;
            }

            if (current.Status == SubmissionStatus.Queued && message.Attempt <= current.Attempt)
            {
                // A redelivered message of an attempt that already ran: the retry has its own (delayed) message.
                WorkflowLog.Skipped(_logger, current.Id, message.Attempt);
                return null;
            }

            if (current.Attempt >= _options.MaxAttempts)
            {
                await FinishAsync(current, SubmissionStatus.Failed, Verdict.InternalError, $"gave up after {current.Attempt} attempts: {current.Reason ?? "the worker holding it stopped"}", null, cancellationToken).ConfigureAwait(false);
                return null;
            }

            var claimed = await _store.TryUpdateAsync(Claimed(current, now), cancellationToken).ConfigureAwait(false);
            if (claimed is not null)
            {
                return claimed;
            }

            WorkflowLog.Skipped(_logger, current.Id, message.Attempt);
        }
    }

    private async Task RetryOrFailAsync(Submission running, string reason, CancellationToken cancellationToken)
    {
        if (running.Attempt >= _options.MaxAttempts)
        {
            await FinishAsync(running, SubmissionStatus.Failed, Verdict.InternalError, $"no runner could run it after {running.Attempt} attempts: {reason}", null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var delay = RetryDelay.Compute(running.Attempt, TimeSpan.FromMilliseconds(_options.RetryBaseDelayMs), TimeSpan.FromMilliseconds(_options.RetryMaxDelayMs), Random.Shared);
        var now = Now;
        var queued = await _store.TryUpdateAsync(
            running with
            {
                Status = SubmissionStatus.Queued, Phase = null, LeaseUntil = null, LeaseOwner = null, Reason = reason, LastUpdatedTime = now,
                History = running.History.Append(new HistoryEvent("TaskFailed", now, "RunOnRunner", reason)),
            },
            cancellationToken).ConfigureAwait(false);
        if (queued is null)
        {
            return; // terminated meanwhile
        }

        WorkflowLog.Retrying(_logger, running.Id, running.Attempt, reason, (long)delay.TotalMilliseconds);
        await EnqueueRunAsync(queued, running.Attempt + 1, delay, cancellationToken).ConfigureAwait(false);
    }

    private Task EnqueueRunAsync(Submission submission, int attempt, TimeSpan delay, CancellationToken cancellationToken) =>
        _queues.EnqueueAsync(WorkQueues.ForPriority(submission.Priority), new WorkMessage(submission.Id, attempt), delay, cancellationToken);

    /// <summary>
    /// The terminal transition. Only its winner records the batch item, signals waiters and raises
    /// <see cref="Ended"/>. Returns the terminal row, or null when the write lost its race.
    /// </summary>
    private async Task<Submission?> FinishAsync(Submission state, SubmissionStatus status, Verdict? verdict, string? reason, string? historyType, CancellationToken cancellationToken)
    {
        var now = Now;
        if (state.BatchId is not null && state.CallbackUrl is not null)
        {
            // Outbox invariant 4: a batch member's only reconcile chain is its batch's, which stops
            // looking at it once terminal; this check, armed before the write, watches the callback.
            await ArmReconcileAsync(state.Id, cancellationToken).ConfigureAwait(false);
        }

        // Outbox invariant 1: terminal and "callback owed" in one compare-and-set write.
        var ended = await _store.TryUpdateAsync(Ending(state, status, verdict, reason, historyType, now), cancellationToken).ConfigureAwait(false);
        if (ended is null)
        {
            return null;
        }

        await AfterEndAsync(ended, cancellationToken).ConfigureAwait(false);
        return ended;
    }

    /// <summary>The terminal row that <paramref name="state"/> ends in: status, verdict, reason, times, history, callback owed.</summary>
    private static Submission Ending(Submission state, SubmissionStatus status, Verdict? verdict, string? reason, string? historyType, DateTimeOffset now) =>
        CallbackOutbox.Arm(
            state with
            {
                Status = status, Verdict = verdict, Reason = status == SubmissionStatus.Completed ? null : reason ?? state.Reason, Phase = null, LeaseUntil = null, LeaseOwner = null, CompletedTime = now, LastUpdatedTime = now,
                History = state.History.Append(EndEvents(status, historyType, reason, now)),
            },
            now);

    /// <summary>What only the winner of a terminal transition does: waiters, the batch item, the <see cref="Ended"/> handlers.</summary>
    private async Task AfterEndAsync(Submission ended, CancellationToken cancellationToken)
    {
        WorkflowLog.Ended(_logger, ended.Id, ended.Status, ended.Verdict is null ? null : ended.Verdict.Value.ToCode());

        // Waiters first, with the row (they need not read it again); its history came with it.
        _signals.Signal(ended);
        if (ended.BatchId is not null)
        {
            // Written behind, with other members' (the batch's check records it if this process dies first).
            await _batches.RecordLaterAsync(ended.BatchId, BatchItemOf(ended), cancellationToken).ConfigureAwait(false);
        }

        if (Ended is { } handlers)
        {
            // One by one: invoking the multicast delegate would await only the last handler's task.
            foreach (var handler in handlers.GetInvocationList().Cast<Func<Submission, CancellationToken, Task>>())
            {
                await handler(ended, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The step's outcome (unless the end is itself the execution event, as a terminate), then the execution's.</summary>
    private static HistoryEvent[] EndEvents(SubmissionStatus status, string? historyType, string? reason, DateTimeOffset now)
    {
        var execution = new HistoryEvent(status == SubmissionStatus.Terminated ? "ExecutionTerminated" : "ExecutionCompleted", now, "SubmissionWorkflow", status == SubmissionStatus.Terminated ? reason : status.ToString());
        return historyType == execution.EventType ? [execution] : [new HistoryEvent(historyType ?? "TaskFailed", now, "RunOnRunner", reason), execution];
    }

    private Task RecordInBatchAsync(Submission ended, CancellationToken cancellationToken) =>
        ended.BatchId is null
            ? Task.CompletedTask
            : _batches.RecordAsync(ended.BatchId, BatchItemOf(ended), cancellationToken);

    private static BatchItem BatchItemOf(Submission ended) => new(ended.BatchIndex, ended.Id, ended.Status, ended.Verdict);

    /// <summary>
    /// Reconciles the ids of a group check, a few at a time; returns those still active, in order.
    /// The rows found are listed first (<see cref="ISubmissionStore.EnsureListedAsync"/>): their
    /// entries were written after them, in bulk (<see cref="ISubmissionStore.CreateListedLaterAsync"/>),
    /// and this is what lists a row whose process died before its entry was.
    /// </summary>
    private async Task<IReadOnlyList<string>> ReconcileGroupAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var rows = new Submission?[ids.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(
            Enumerable.Range(0, ids.Count),
            options,
            async (i, ct) => rows[i] = await _store.GetAsync(ids[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        var found = rows.OfType<Submission>().ToList();
        if (found.Count > 0)
        {
            await _store.EnsureListedAsync(found, cancellationToken).ConfigureAwait(false);
        }

        var active = new bool[ids.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, ids.Count).Where(i => rows[i] is not null),
            options,
            async (i, ct) => active[i] = await ReconcileRowAsync(rows[i]!, viaBatch: false, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return [.. ids.Where((_, i) => active[i])];
    }

    /// <summary>
    /// One submission's reconcile step; returns whether it still needs a reconcile message: while it
    /// is not terminal, and while it is terminal but its callback is still owed (outbox invariant 4).
    /// </summary>
    /// <param name="id">Submission id.</param>
    /// <param name="viaBatch">Called by its batch's pass; otherwise by its own message.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    private async Task<bool> ReconcileOneAsync(string id, bool viaBatch, CancellationToken cancellationToken) =>
        await _store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } current
        && await ReconcileRowAsync(current, viaBatch, cancellationToken).ConfigureAwait(false);

    /// <summary>The reconcile step of <see cref="ReconcileOneAsync"/> for a row just read.</summary>
    private async Task<bool> ReconcileRowAsync(Submission current, bool viaBatch, CancellationToken cancellationToken)
    {
        if (current.Status.IsTerminal())
        {
            // The winner may have died before recording the batch item: recording again is harmless.
            await RecordInBatchAsync(current, cancellationToken).ConfigureAwait(false);
            return await _outbox.RedriveAsync(current, TimeSpan.FromMilliseconds(_options.CallbackRedriveGraceMs), TimeSpan.FromMilliseconds(_options.CallbackGiveUpMs), cancellationToken).ConfigureAwait(false);
        }

        if (current.BatchId is not null && !viaBatch)
        {
            // A member's own check whose terminal write lost its race: the batch chain drives the
            // member, and whoever ends it arms a new check before that write.
            return false;
        }

        var now = Now;
        if (now - current.CreatedTime > TimeSpan.FromMilliseconds(_options.DeadlineMs))
        {
            var ended = await FinishAsync(current, SubmissionStatus.Failed, Verdict.InternalError, "deadline exceeded: the submission did not finish in time", null, cancellationToken).ConfigureAwait(false);
            return ended is null || ended.CallbackPending;
        }

        var stale = current.Status == SubmissionStatus.Queued && now - current.LastUpdatedTime >= ReconcileDelay;
        var expired = current.Status == SubmissionStatus.Running && current.LeaseUntil <= now;
        if (stale || expired)
        {
            WorkflowLog.Reenqueued(_logger, current.Id, stale ? "queued and never started" : "its worker's lease expired");
            await EnqueueRunAsync(current, current.Attempt + 1, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}

/// <summary>Outcome of <see cref="SubmissionWorkflow.TerminateAsync"/> (Durable: 202, 410, 404).</summary>
public enum TerminateOutcome
{
    /// <summary>Terminated now.</summary>
    Terminated,

    /// <summary>Already Completed, Failed or Terminated.</summary>
    AlreadyTerminal,

    /// <summary>No such submission for this tenant.</summary>
    NotFound,
}
