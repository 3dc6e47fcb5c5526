using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Rce.Core.Submissions;
using Rce.Functions.Api;
using Rce.Infrastructure.Callbacks;

namespace Rce.Functions.Queues;

/// <summary>Settings of completion callbacks that belong to the Functions app (section <c>Callbacks</c>).</summary>
public sealed class CallbackDeliveryOptions
{
    /// <summary>HMAC secret of the default tenant. Empty: callbacks are refused (never sent unsigned).</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Per-tenant secrets (tenant → secret), overriding <see cref="Secret"/>.</summary>
    public Dictionary<string, string> TenantSecrets { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Delays before attempts 2, 3, …: 6 attempts over about an hour by default.</summary>
    public List<int> RetryDelaysSeconds { get; init; } = [];

    /// <summary>The schedule in effect.</summary>
    public IReadOnlyList<int> Schedule => RetryDelaysSeconds.Count > 0 ? RetryDelaysSeconds : [30, 120, 300, 900, 2400];
}

/// <summary>
/// Delivers completion callbacks: one attempt per message, the next attempt as a delayed message on
/// the bounded schedule. Refusals (SSRF guard) are final; redirects are never followed (the
/// sender's handler does not follow them). Delivery is at least once through the outbox on the
/// submission row (<see cref="CallbackOutbox"/>): the terminal write records the callback as owed,
/// <see cref="OnEndedAsync"/> is only the fast path, and the reconcile pass re-drives an attempt
/// that was lost. Receivers dedupe by id.
/// </summary>
internal sealed partial class CallbackDelivery(ISubmissionStore store, IWorkQueues queues, CallbackSender sender, IOptions<CallbackDeliveryOptions> options, TimeProvider time, ILogger<CallbackDelivery> logger)
{
    private readonly CallbackOutbox _outbox = new(store, queues, time);

    /// <summary>The fast path: sends the attempt the terminal write recorded. Losing it (a crash first) only delays the callback until the re-drive.</summary>
    public Task OnEndedAsync(Submission ended, CancellationToken cancellationToken) =>
        ended.CallbackPending ? queues.EnqueueAsync(WorkQueueId.Callbacks, CallbackOutbox.MessageFor(ended), TimeSpan.Zero, cancellationToken) : Task.CompletedTask;

    /// <summary>Handles one <c>callbacks</c> message. Storage failures propagate, so the queue retries the message (and the re-drive backs that up).</summary>
    public async Task DeliverAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(message.Id, cancellationToken) is not { CallbackUrl: { } url } submission || !CallbackOutbox.IsOwed(submission, message.Attempt))
        {
            return; // purged, already final, or a redelivered or superseded attempt (outbox invariant 3)
        }

        var o = options.Value;
        var secret = o.TenantSecrets.GetValueOrDefault(submission.Tenant) ?? o.Secret;
        if (string.IsNullOrEmpty(secret))
        {
            await _outbox.CompleteAsync(submission, Event("CallbackRefused", "no callback secret is configured for the tenant"), cancellationToken);
            return;
        }

        var schedule = o.Schedule;
        if (message.Attempt > schedule.Count + 1)
        {
            // Only after re-drives (each counts the lost attempt as spent): the budget is used up.
            await _outbox.CompleteAsync(submission, Event("CallbackAbandoned", $"attempt {message.Attempt} is past the {schedule.Count + 1} attempts of the schedule"), cancellationToken);
            return;
        }

        var document = await SubmissionDocument.BuildAsync(submission, store, cancellationToken);
        var body = JsonSerializer.SerializeToUtf8Bytes(document, ApiJson.Output);
        var result = await sender.SendAsync(new Uri(url), body, Encoding.UTF8.GetBytes(secret), cancellationToken);
        if (result.Outcome is CallbackOutcome.Delivered or CallbackOutcome.Refused || message.Attempt > schedule.Count)
        {
            await _outbox.CompleteAsync(submission, Event("Callback" + result.Outcome, $"attempt {message.Attempt}: {result.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? result.Detail}"), cancellationToken);
            return;
        }

        Log.Retry(logger, submission.Id, message.Attempt, result.Outcome.ToString());
        await _outbox.ScheduleRetryAsync(submission, TimeSpan.FromSeconds(schedule[message.Attempt - 1]), cancellationToken);
    }

    private HistoryEvent Event(string type, string? detail) => new(type, time.GetUtcNow(), "SendCallback", detail);

    private static partial class Log
    {
        [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Callback of {Id} attempt {Attempt} failed ({Outcome}); retrying later")]
        public static partial void Retry(ILogger logger, string id, int attempt, string outcome);
    }
}
