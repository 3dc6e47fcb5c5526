namespace Rce.Benchmarks;

/// <summary>Order statistics of a sample of durations, in milliseconds.</summary>
internal sealed record Stats(int Count, double Min, double Median, double P90, double Mean)
{
    /// <summary>99th percentile (interpolated; with fewer than 100 samples it is close to the maximum).</summary>
    public double P99 { get; init; } = double.NaN;

    /// <summary>The largest sample.</summary>
    public double Max { get; init; } = double.NaN;

    public static Stats Of(IReadOnlyCollection<double> sample)
    {
        if (sample.Count == 0)
        {
            return new Stats(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        var sorted = sample.Order().ToArray();
        return new Stats(sorted.Length, sorted[0], Percentile(sorted, 0.5), Percentile(sorted, 0.9), sorted.Average())
        {
            P99 = Percentile(sorted, 0.99),
            Max = sorted[^1],
        };
    }

    /// <summary>Linear interpolation between closest ranks (the median of an even sample is the mean of the middle two).</summary>
    private static double Percentile(double[] sorted, double p)
    {
        var rank = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }
}
