using Rce.Core.Executions;
using Rce.Core.Runners;

namespace Rce.Core.Submissions;

/// <summary>
/// Waited-for submissions (<c>wait=true</c>) run before they are stored. A submission whose client
/// waits for it, accepted while a worker and a runner place of this process are free, runs at once
/// and is stored once: when it ends (the row inserted terminal, result and history in it), or after
/// <see cref="WorkflowOptions.SyncStoreAfterMs"/> if it is still running (inserted Running under its
/// lease, its reconcile check armed first, and from then on it is an ordinary local run), or as soon
/// as its run must be retried or handed over.
/// </summary>
/// <remarks>
/// Invariant: until it is stored, the submission exists only in this process and in the request
/// that waits for it, whose client has not been given its id. If the process dies then, the
/// request fails with it and nothing was stored, as for a crash before the row of any submission;
/// a retry with the same Idempotency-Key runs it under the same id. Nothing else can address it
/// meanwhile (no id is out), so no other writer races the first insert except an idempotent replay
/// of the same request; whichever row is stored first is the submission, and the other run's
/// outcome is dropped. (The API's replay looks for the row for SyncStoreAfterMs and a margin before
/// it runs anything, so only a replay after a first request that died runs the code.)
/// </remarks>
public sealed partial class SubmissionWorkflow
{
    /// <summary>
    /// Runs <paramref name="submission"/> here before it is stored, if a worker and a runner place
    /// of this process are free; see the class remarks.
    /// </summary>
    /// <param name="submission">The new row (a single submission; never a batch member).</param>
    /// <param name="request">The runner request body.</param>
    /// <param name="waitBound">How long the client waits: the row is stored by then at the latest.</param>
    /// <param name="cancellationToken">Cancels the wait for the stored row (the client went away); the run goes on and is stored.</param>
    /// <returns>
    /// The row as stored: terminal, or Running if it was stored before it ended, or an earlier
    /// request's row of the same id; null when nothing was started (no free worker or runner place,
    /// a batch member, or <see cref="WorkflowOptions.SyncStoreAfterMs"/> is 0): then accept it with
    /// <see cref="AcceptAsync"/>.
    /// </returns>
    public async Task<Submission?> TryRunNowAsync(Submission submission, ReadOnlyMemory<byte> request, TimeSpan waitBound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (submission.BatchId is not null || _options.SyncStoreAfterMs <= 0)
        {
            return null;
        }

        var worker = _queues.TryReserveWorker(WorkQueues.ForPriority(submission.Priority));
        if (worker is null)
        {
            return null;
        }

        // The runner place is taken now or not at all: a run waiting for one would hold an unstored
        // submission for an unbounded time.
        var place = _gate.TryEnter(submission.Priority);
        if (place is null)
        {
            worker.Dispose();
            return null;
        }

        var storeAfter = TimeSpan.FromMilliseconds(_options.SyncStoreAfterMs);
        var run = new UnstoredRun(
            submission,
            Claimed(submission with { History = HistoryLog.Of([StartedEvent(submission)]) }, Now),
            request.ToArray(),
            waitBound < storeAfter ? waitBound : storeAfter);
        WorkflowLog.Started(_logger, submission.Id, 1);
        worker.Run(ct => RunUnstoredAsync(run, place, ct));
        return await run.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunUnstoredAsync(UnstoredRun run, IDisposable place, CancellationToken cancellationToken)
    {
        try
        {
            RunnerResponse response;
            using (place)
            using (var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var call = _runners.ExecuteAsync(RunnerRequestFor(run.Claimed, run.Body), cancellationToken);
                if (await Task.WhenAny(call, Task.Delay(run.StoreBy, _time, timer.Token)).ConfigureAwait(false) != call
                    && !cancellationToken.IsCancellationRequested)
                {
                    // Still running: stored now, and from here on an ordinary local run. (A stopping
                    // process hands it over Queued instead, below, for another worker to take at once.)
                    await StoreRunningAsync(run).ConfigureAwait(false);
                }

                await timer.CancelAsync().ConfigureAwait(false);
                response = await call.ConfigureAwait(false);
            }

            if (run.Superseded)
            {
                return;
            }

            if (run.Stored is null && response.StatusCode == 200 && RunnerAnswer.TryParseResult(response.Body, out var result))
            {
                await EndUnstoredAsync(run, response, result, cancellationToken).ConfigureAwait(false);
                return;
            }

            // A retry or an IE end: transitions of a stored row.
            if (await StoredAsync(run).ConfigureAwait(false) is { } stored)
            {
                await HandleAnswerAsync(stored, response, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RunnerUnavailableException error) when (!run.Superseded)
        {
            if (await StoredAsync(run).ConfigureAwait(false) is { } stored)
            {
                await RetryOrFailAsync(stored, error.Message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception) when (run.Stored is null && !run.Superseded)
        {
            // Stopped, or a write failed, before it was stored: accept it as any submission (row,
            // reconcile check, run message) so that it runs elsewhere or later; the waiter gets
            // that row. Not cancellable: this is the hand-over of a stopping process.
            try
            {
                run.Answer.TrySetResult(await AcceptAsync(run.Submission, run.Body, CancellationToken.None).ConfigureAwait(false));
            }
            catch (Exception again)
            {
                run.Answer.TrySetException(again);
            }

            throw;
        }
        catch (Exception) when (run.Stored is not null)
        {
            // As a local run that fails after its row exists: the message it skipped is sent after all.
            await HandOverFirstRunAsync(run.Submission).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The run's stored row, storing it now if it is not yet; null when another request's row is the submission.</summary>
    private async Task<Submission?> StoredAsync(UnstoredRun run) =>
        run.Superseded ? null : run.Stored ?? await StoreRunningAsync(run).ConfigureAwait(false);

    /// <summary>
    /// Stores the run as Running under a lease from now, its reconcile check armed before the row
    /// (the recovery if this process dies from here on). Returns the stored row, or null when an
    /// earlier request's row of the same id was there (the waiter gets that one).
    /// </summary>
    private async Task<Submission?> StoreRunningAsync(UnstoredRun run)
    {
        var now = Now;
        var row = run.Claimed with { LeaseUntil = now + LeaseFor(run.Claimed), LastUpdatedTime = now };
        var armed = ArmReconcileAsync(row.Id, CancellationToken.None);
        var stored = await _store.CreateAsync(row, run.Body, armed, CancellationToken.None).ConfigureAwait(false);
        if (stored.Status == SubmissionStatus.Running && stored.LeaseOwner == row.LeaseOwner)
        {
            run.Stored = stored;
        }
        else
        {
            run.Superseded = true;
        }

        run.Answer.TrySetResult(stored);
        return run.Stored;
    }

    /// <summary>
    /// The run ended before it was stored: one insert of the terminal row. The row keeps the run's
    /// owner token, so that a client retry of an insert whose reply was lost (409) still knows the
    /// stored row as its own and finishes the end's steps.
    /// </summary>
    private async Task EndUnstoredAsync(UnstoredRun run, RunnerResponse response, ExecutionResponse result, CancellationToken cancellationToken)
    {
        var withResult = await _store.AttachResultAsync(run.Claimed, response.Body, cancellationToken).ConfigureAwait(false);
        var ending = Ending(withResult with { Score = result.Score, MaxScore = result.MaxScore }, SubmissionStatus.Completed, RunnerAnswer.ParseVerdict(result.Verdict), null, "TaskCompleted", Now)
            with { LeaseOwner = run.Claimed.LeaseOwner };
        if (ending.CallbackUrl is not null)
        {
            // Outbox invariant 4: no check was armed for it yet; this one, before the write, watches the callback.
            await ArmReconcileAsync(ending.Id, cancellationToken).ConfigureAwait(false);
        }

        var stored = await _store.CreateAsync(ending, run.Body, cancellationToken).ConfigureAwait(false);
        if (stored.Status.IsTerminal() && stored.LeaseOwner == ending.LeaseOwner)
        {
            run.Stored = stored;
            run.Answer.TrySetResult(stored);
            await AfterEndAsync(stored, cancellationToken).ConfigureAwait(false);
            return;
        }

        run.Superseded = true;
        run.Answer.TrySetResult(stored); // an earlier request's row: the waiter follows that one
    }

    /// <summary>One run of a submission not stored yet: what it started from, and where it stands.</summary>
    private sealed class UnstoredRun(Submission submission, Submission claimed, byte[] body, TimeSpan storeBy)
    {
        public Submission Submission { get; } = submission;

        /// <summary>The first attempt, claimed in memory (Running, attempt 1, owner token; no ETag).</summary>
        public Submission Claimed { get; } = claimed;

        public byte[] Body { get; } = body;

        public TimeSpan StoreBy { get; } = storeBy;

        /// <summary>The stored row once this run stored it; null while it is not stored.</summary>
        public Submission? Stored { get; set; }

        /// <summary>Another request's row of the same id was stored first: that one is the submission, this run's outcome is dropped.</summary>
        public bool Superseded { get; set; }

        /// <summary>The row the waiting request answers with, set the moment a row is stored.</summary>
        public TaskCompletionSource<Submission> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
