namespace Rce.Core.Runners;

/// <summary>
/// The timeout of one runner call, derived from the request's own limits rather than a fixed
/// default: a fixed bound either cuts legitimate long batches short or leaves a stuck runner
/// holding a submission for minutes.
/// </summary>
public static class RunnerCallTimeout
{
    /// <summary>
    /// compile wall + ⌈tests ÷ slots⌉ × test wall + margin. Tests run <paramref name="slots"/> at a
    /// time, each bounded by its wall time, so ⌈tests ÷ slots⌉ waves is the longest the runner can
    /// legitimately take (Σ test wall ÷ slots, rounded up to whole waves so that one test on many
    /// slots still gets its full wall time). The margin covers what the limits do not: box setup,
    /// checkers, queueing for a slot behind other calls and the network.
    /// </summary>
    /// <param name="request">The call's limits.</param>
    /// <param name="slots">Tests the runner runs at once; 1 when unknown (the safe side: longer, never too short).</param>
    /// <param name="margin">Added once per call.</param>
    /// <returns>The bound for one attempt; <see cref="TimeSpan.MaxValue"/> when the sum would overflow.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slots"/> is below 1 or <paramref name="margin"/> is negative.</exception>
    public static TimeSpan Compute(RunnerRequest request, int slots, TimeSpan margin)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(margin, TimeSpan.Zero);

        var waves = (request.TestCount + (long)slots - 1) / slots;
        try
        {
            var tests = checked(request.TestWallTime.Ticks * waves);
            return TimeSpan.FromTicks(checked(request.CompileWallTime.Ticks + tests + margin.Ticks));
        }
        catch (OverflowException)
        {
            return TimeSpan.MaxValue;
        }
    }
}
