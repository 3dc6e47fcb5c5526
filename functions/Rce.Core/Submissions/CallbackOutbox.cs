using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rce.Core.Submissions;

/// <summary>
/// The completion-callback outbox: at-least-once delivery that survives a crash anywhere between
/// the terminal write and the last attempt, without duplicates when nothing crashes.
/// </summary>
/// <remarks>
/// State lives on the instance row (<see cref="Submission.CallbackPending"/>,
/// <see cref="Submission.CallbackAttempt"/>, <see cref="Submission.CallbackDueTime"/>). Invariants:
/// <list type="number">
/// <item>The terminal transition of a submission with a callback URL sets the flag, attempt 1 and
/// its due time in the same compare-and-set write that makes it terminal (<see cref="Arm"/>). No
/// instant exists where the row is terminal and the owed callback is not recorded.</item>
/// <item>Only a final outcome clears the flag: delivered, refused, out of attempts, or abandoned
/// by the re-drive (<see cref="CompleteAsync"/>).</item>
/// <item>Attempt n is sent only by a message carrying n while the row says n
/// (<see cref="IsOwed"/>); the row moves to n + 1 before the message for n + 1 is enqueued
/// (<see cref="ScheduleRetryAsync"/>, <see cref="RedriveAsync"/>). Redelivered messages and the
/// late original of a re-driven attempt find another number and do nothing.</item>
/// <item>While the flag is set a reconcile message for the submission exists. Singles keep the
/// chain armed at accept, which re-arms while the flag is set; batch members, whose batch chain
/// stops looking at them once terminal, get their own reconcile message enqueued just before the
/// terminal write (a write that then loses its race leaves a harmless extra check).</item>
/// <item>The reconcile pass re-drives an attempt not seen to finish by its due time plus the grace
/// (<see cref="RedriveAsync"/>): the lost attempt counts as spent, the next one is sent.</item>
/// </list>
/// Not guaranteed: exactly once. A crash after the receiver answered but before the flag write, or
/// an attempt slower than the grace, sends again; receivers dedupe by submission id.
/// </remarks>
public sealed class CallbackOutbox
{
    private readonly ISubmissionStore _store;
    private readonly IWorkQueues _queues;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the outbox over the submission rows and the <c>callbacks</c> queue.</summary>
    /// <param name="store">The submission store.</param>
    /// <param name="queues">The work queues.</param>
    /// <param name="time">The clock of due times.</param>
    /// <param name="logger">Logs re-drives and abandonments; none when null.</param>
    public CallbackOutbox(ISubmissionStore store, IWorkQueues queues, TimeProvider time, ILogger? logger = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _queues = queues ?? throw new ArgumentNullException(nameof(queues));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The terminal state to write, with the callback recorded as owed when the submission has one (invariant 1).</summary>
    /// <param name="terminal">The terminal state about to be written.</param>
    /// <param name="now">The transition's time.</param>
    /// <returns>The state with the outbox fields set.</returns>
    public static Submission Arm(Submission terminal, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        return terminal.CallbackUrl is null
            ? terminal with { CallbackPending = false, CallbackAttempt = 0, CallbackDueTime = null }
            : terminal with { CallbackPending = true, CallbackAttempt = 1, CallbackDueTime = now };
    }

    /// <summary>Whether a message of <paramref name="attempt"/> may send the callback of <paramref name="row"/> (invariant 3).</summary>
    /// <param name="row">The current row.</param>
    /// <param name="attempt">The message's attempt.</param>
    /// <returns>True when the row is terminal, owes the callback, and is at this attempt.</returns>
    public static bool IsOwed(Submission row, int attempt)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Status.IsTerminal() && row.CallbackPending && row.CallbackUrl is not null && row.CallbackAttempt == attempt;
    }

    /// <summary>The message that sends the row's current attempt (the fast path after the terminal write).</summary>
    /// <param name="row">A row that owes its callback.</param>
    /// <returns>The <c>callbacks</c> message.</returns>
    public static WorkMessage MessageFor(Submission row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new WorkMessage(row.Id, row.CallbackAttempt);
    }

    /// <summary>Records a final outcome: clears the flag (compare-and-set, re-read on a lost race), then appends <paramref name="outcome"/> (invariant 2).</summary>
    /// <param name="row">The row as the deliverer read it.</param>
    /// <param name="outcome">The history event of the outcome (<c>CallbackDelivered</c>, <c>CallbackRefused</c>, …).</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>Whether this call cleared the flag (false: already cleared, or the row is gone).</returns>
    /// <remarks>Clears even when a re-drive moved the attempt on meanwhile: the outcome is final, and the re-driven message then finds nothing owed.</remarks>
    public async Task<bool> CompleteAsync(Submission row, HistoryEvent outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(outcome);
        var current = row;
        while (current is { CallbackPending: true })
        {
            if (await TryClearAsync(current, outcome, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            current = await _store.GetAsync(row.Id, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>Schedules the next attempt after a failed one: moves the row on, then enqueues the message with <paramref name="delay"/> (invariant 3).</summary>
    /// <param name="row">The row as the deliverer read it (at the attempt that failed).</param>
    /// <param name="delay">The back-off before the next attempt.</param>
    /// <param name="cancellationToken">Cancels the write and the send.</param>
    /// <returns>Whether the next attempt was scheduled (false: a re-drive or a final outcome took the chain over).</returns>
    /// <remarks>A crash between the write and the send leaves the attempt unsent: the re-drive sends it after its due time plus the grace.</remarks>
    public async Task<bool> ScheduleRetryAsync(Submission row, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        var failed = row.CallbackAttempt;
        var current = row;
        while (current is { CallbackPending: true } && current.CallbackAttempt == failed)
        {
            var next = current with { CallbackAttempt = failed + 1, CallbackDueTime = _time.GetUtcNow() + delay };
            if (await _store.TryUpdateAsync(next, cancellationToken).ConfigureAwait(false) is { } advanced)
            {
                await _queues.EnqueueAsync(WorkQueueId.Callbacks, MessageFor(advanced), delay, cancellationToken).ConfigureAwait(false);
                return true;
            }

            current = await _store.GetAsync(row.Id, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>The reconcile pass's look at a terminal row (invariants 4 and 5).</summary>
    /// <param name="terminal">The terminal row just read.</param>
    /// <param name="grace">How long past its due time an attempt may go unseen.</param>
    /// <param name="giveUp">How long after the end a stopped chain is abandoned instead of re-driven.</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>Whether the callback is still owed, so the caller keeps a reconcile message armed.</returns>
    internal async Task<bool> RedriveAsync(Submission terminal, TimeSpan grace, TimeSpan giveUp, CancellationToken cancellationToken)
    {
        if (!terminal.CallbackPending)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var ended = terminal.CompletedTime ?? terminal.LastUpdatedTime;
        if (now < (terminal.CallbackDueTime ?? ended) + grace)
        {
            return true; // the current attempt may still be queued or running
        }

        if (terminal.CallbackUrl is null || now - ended >= giveUp)
        {
            // One try, no re-read: losing the race means a deliverer moved the chain on, so look again next pass.
            var abandoned = new HistoryEvent("CallbackAbandoned", now, "SendCallback", $"attempt {terminal.CallbackAttempt} was the last; no final outcome within the give-up time");
            if (!await TryClearAsync(terminal, abandoned, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            WorkflowLog.CallbackAbandoned(_logger, terminal.Id, terminal.CallbackAttempt);
            return false;
        }

        // Compare-and-set before the send: of two passes that see the same stopped chain, one sends.
        var next = terminal with { CallbackAttempt = terminal.CallbackAttempt + 1, CallbackDueTime = now };
        if (await _store.TryUpdateAsync(next, cancellationToken).ConfigureAwait(false) is { } advanced)
        {
            // A crash before the send leaves the new attempt unsent: it is due now, so a later pass re-drives it.
            await _queues.EnqueueAsync(WorkQueueId.Callbacks, MessageFor(advanced), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            WorkflowLog.CallbackRedriven(_logger, terminal.Id, terminal.CallbackAttempt, advanced.CallbackAttempt);
            await _store.AppendHistoryAsync(terminal.Id, new HistoryEvent("CallbackRedriven", now, "SendCallback", $"attempt {terminal.CallbackAttempt} was not seen to finish; attempt {advanced.CallbackAttempt} sent"), cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>One compare-and-set that clears the flag; the outcome goes to the history only if it won.</summary>
    private async Task<bool> TryClearAsync(Submission row, HistoryEvent outcome, CancellationToken cancellationToken)
    {
        if (await _store.TryUpdateAsync(row with { CallbackPending = false, CallbackDueTime = null }, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        // After the flag: a crash here loses a history line, never causes a second delivery.
        await _store.AppendHistoryAsync(row.Id, outcome, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
