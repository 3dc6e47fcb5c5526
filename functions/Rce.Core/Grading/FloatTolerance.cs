namespace Rce.Core.Grading;

/// <summary>The float checker's tolerances: a number is accepted within the absolute OR the relative one.</summary>
/// <param name="Absolute">Maximum |got − expected|; 0 disables it.</param>
/// <param name="Relative">Maximum |got − expected| / |expected|; 0 disables it (bar exact equality).</param>
internal readonly record struct FloatTolerance(double Absolute, double Relative)
{
    /// <summary>The tolerance when none is given: 1e-6 absolute and relative.</summary>
    public const double DefaultTolerance = 1e-6;

    /// <summary>Builds the tolerance from a spec's optional values.</summary>
    /// <returns>False when a given value is negative, NaN or infinite.</returns>
    /// <remarks>When both are null both default; when only one is given, the other is not applied.</remarks>
    public static bool TryCreate(double? absolute, double? relative, out FloatTolerance tolerance)
    {
        tolerance = absolute is null && relative is null
            ? new FloatTolerance(DefaultTolerance, DefaultTolerance)
            : new FloatTolerance(absolute ?? 0, relative ?? 0);
        return IsValid(tolerance.Absolute) && IsValid(tolerance.Relative);
    }

    /// <summary>Whether <paramref name="got"/> is close enough to <paramref name="expected"/>; both must be finite.</summary>
    public bool Accepts(double got, double expected)
    {
        var difference = Math.Abs(got - expected);
        return difference <= Absolute || difference <= Relative * Math.Abs(expected);
    }

    private static bool IsValid(double value) => double.IsFinite(value) && value >= 0;
}
