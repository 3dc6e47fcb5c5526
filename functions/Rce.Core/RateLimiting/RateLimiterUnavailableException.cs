namespace Rce.Core.RateLimiting;

/// <summary>The rate-limit store did not answer in time or is unreachable.</summary>
public sealed class RateLimiterUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RateLimiterUnavailableException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    public RateLimiterUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The store client's error.</param>
    public RateLimiterUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
