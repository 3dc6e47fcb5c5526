namespace Rce.Sandbox;

/// <summary>The host cannot build the sandbox; code is never run unsandboxed instead.</summary>
public sealed class SandboxUnavailableException : Exception
{
    /// <summary>Creates the exception from the probe's list of problems.</summary>
    public SandboxUnavailableException(IReadOnlyList<string> problems)
        : base("the sandbox cannot be built on this host: " + string.Join("; ", problems)) => Problems = problems;

    /// <summary>Creates the exception with a message.</summary>
    public SandboxUnavailableException(string message)
        : base(message) => Problems = [message];

    /// <summary>Creates the exception with a message and cause.</summary>
    public SandboxUnavailableException(string message, Exception innerException)
        : base(message, innerException) => Problems = [message];

    /// <summary>Creates the exception.</summary>
    public SandboxUnavailableException()
        : this("the sandbox cannot be built on this host")
    {
    }

    /// <summary>What the probe found missing.</summary>
    public IReadOnlyList<string> Problems { get; }
}
