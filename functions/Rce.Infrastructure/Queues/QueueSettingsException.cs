namespace Rce.Infrastructure.Queues;

/// <summary>An invalid queue-trigger setting in <c>host.json</c> or in configuration; the message names the key.</summary>
public sealed class QueueSettingsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public QueueSettingsException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public QueueSettingsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public QueueSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    /// <param name="key">The setting, as written where it came from (e.g. <c>extensions.queues.batchSize</c>).</param>
    /// <param name="problem">What is wrong with it.</param>
    /// <param name="innerException">The cause, if any.</param>
    public QueueSettingsException(string key, string problem, Exception? innerException = null)
        : base($"Queue setting '{key}': {problem}", innerException)
    {
        Key = key;
    }

    /// <summary>The offending setting.</summary>
    public string? Key { get; }
}
