using Rce.Infrastructure.Redis;

namespace Rce.Infrastructure.Tests.Redis;

public sealed class TokenRefreshScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    // A day-long managed identity token: replaced the margin before it expires.
    [InlineData(86_400, null, 300, 86_100)]
    // The issuer's refresh hint comes first.
    [InlineData(86_400, 43_200.0, 300, 43_200)]
    // The margin would leave less than half the lifetime: replaced at half-life.
    [InlineData(3, null, 300, 1.5)]
    [InlineData(3, null, 1, 2)]
    // Already expired, or nearly: never a tight loop.
    [InlineData(-10, null, 300, 1)]
    [InlineData(1, null, 300, 1)]
    public void NextRefresh_Lifetimes_DelayAsDocumented(double expiresInSeconds, double? refreshInSeconds, int marginSeconds, double expectedSeconds)
    {
        var delay = TokenRefreshSchedule.NextRefresh(
            Now,
            Now.AddSeconds(expiresInSeconds),
            refreshInSeconds is { } r ? Now.AddSeconds(r) : null,
            TimeSpan.FromSeconds(marginSeconds));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }

    [Theory]
    [InlineData(3_600, 30)]
    [InlineData(40, 10)]
    [InlineData(2, 1)]
    [InlineData(-5, 1)]
    public void Retry_RemainingLifetime_QuarterBetweenOneAndThirtySeconds(double expiresInSeconds, double expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), TokenRefreshSchedule.Retry(Now, Now.AddSeconds(expiresInSeconds)));
    }
}
