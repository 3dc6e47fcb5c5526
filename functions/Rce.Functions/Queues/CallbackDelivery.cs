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
/// sender's handler does not follow them). Delivery is at least once: receivers dedupe by id.
/// </summary>
internal sealed partial class CallbackDelivery(ISubmissionStore store, IWorkQueues queues, CallbackSender sender, IOptions<CallbackDeliveryOptions> options, TimeProvider time, ILogger<CallbackDelivery> logger)
{
    public Task OnEndedAsync(Submission ended, CancellationToken cancellationToken) =>
        ended.CallbackUrl is null ? Task.CompletedTask : queues.EnqueueAsync(WorkQueueId.Callbacks, new WorkMessage(ended.Id, 1), TimeSpan.Zero, cancellationToken);

    public async Task DeliverAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(message.Id, cancellationToken) is not { CallbackUrl: { } url } submission)
        {
            return;
        }

        var o = options.Value;
        var secret = o.TenantSecrets.GetValueOrDefault(submission.Tenant) ?? o.Secret;
        if (string.IsNullOrEmpty(secret))
        {
            await store.AppendHistoryAsync(submission.Id, new HistoryEvent("CallbackRefused", time.GetUtcNow(), "SendCallback", "no callback secret is configured for the tenant"), cancellationToken);
            return;
        }

        var document = await SubmissionDocument.BuildAsync(submission, store, cancellationToken);
        var body = JsonSerializer.SerializeToUtf8Bytes(document, ApiJson.Output);
        var result = await sender.SendAsync(new Uri(url), body, Encoding.UTF8.GetBytes(secret), cancellationToken);
        var schedule = o.Schedule;
        if (result.Outcome is CallbackOutcome.Delivered or CallbackOutcome.Refused || message.Attempt > schedule.Count)
        {
            await store.AppendHistoryAsync(submission.Id, new HistoryEvent("Callback" + result.Outcome, time.GetUtcNow(), "SendCallback", $"attempt {message.Attempt}: {result.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? result.Detail}"), cancellationToken);
            return;
        }

        Log.Retry(logger, submission.Id, message.Attempt, result.Outcome.ToString());
        await queues.EnqueueAsync(WorkQueueId.Callbacks, message with { Attempt = message.Attempt + 1 }, TimeSpan.FromSeconds(schedule[message.Attempt - 1]), cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Callback of {Id} attempt {Attempt} failed ({Outcome}); retrying later")]
        public static partial void Retry(ILogger logger, string id, int attempt, string outcome);
    }
}
