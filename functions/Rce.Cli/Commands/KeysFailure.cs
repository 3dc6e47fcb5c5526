namespace Rce.Cli.Commands;

/// <summary>An error of a <c>rce keys</c> command, printed as one line (never with secrets); exit 1.</summary>
internal sealed class KeysFailure : Exception
{
    public KeysFailure()
    {
    }

    public KeysFailure(string message)
        : base(message)
    {
    }

    public KeysFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
