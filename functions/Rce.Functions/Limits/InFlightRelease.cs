using Rce.Core.RateLimiting;
using Rce.Core.Submissions;

namespace Rce.Functions.Limits;

/// <summary>
/// Frees a submission's in-flight place when it ends. Best effort by design: if Redis is down the
/// entry stays until its deadline score passes, and the in-flight check ignores it from then on, so
/// capacity is never leaked for longer than the instance deadline.
/// </summary>
internal sealed partial class InFlightRelease(IRateLimiter limiter, ILogger<InFlightRelease> logger)
{
    public async Task OnEndedAsync(Submission ended, CancellationToken cancellationToken)
    {
        try
        {
            await limiter.ReleaseAsync(LimitKeys.InFlight(ended.Tenant), ended.Id, cancellationToken);
        }
        catch (RateLimiterUnavailableException error)
        {
            LogNotReleased(logger, ended.Id, error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-flight place of {SubmissionId} not released (it expires at its deadline): {Error}")]
    private static partial void LogNotReleased(ILogger logger, string submissionId, string error);
}
