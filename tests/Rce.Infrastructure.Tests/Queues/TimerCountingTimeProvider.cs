using System.Collections.Concurrent;

namespace Rce.Infrastructure.Tests.Queues;

/// <summary>
/// Passes everything to another clock (a frozen <c>FakeTimeProvider</c> in the tests) and records the
/// due time of every timer created, so that a test can wait until the listener has started a back-off
/// wait (it is idle) instead of guessing where it is in its schedule from the real clock.
/// </summary>
internal sealed class TimerCountingTimeProvider(TimeProvider inner) : TimeProvider
{
    /// <summary>Due times of the timers created so far, in order.</summary>
    public ConcurrentQueue<TimeSpan> DueTimes { get; } = new();

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = inner.CreateTimer(callback, state, dueTime, period);
        DueTimes.Enqueue(dueTime); // after creation: once seen, the timer exists
        return timer;
    }
}
