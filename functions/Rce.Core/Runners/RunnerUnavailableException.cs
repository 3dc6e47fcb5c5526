namespace Rce.Core.Runners;

/// <summary>
/// No runner answered: every attempt failed in transport, timed out, or met an open circuit. The
/// caller decides what follows (a queued submission is retried by the queue, a synchronous one is
/// answered 503), never the client.
/// </summary>
public sealed class RunnerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RunnerUnavailableException()
        : base("No runner answered.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RunnerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the last attempt's failure.</summary>
    public RunnerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
