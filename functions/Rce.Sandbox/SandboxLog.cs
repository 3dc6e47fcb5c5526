using Microsoft.Extensions.Logging;

namespace Rce.Sandbox;

/// <summary>Source-generated logs of the sandbox (event ids 3xx). Never program source, stdin or output.</summary>
internal static partial class SandboxLog
{
    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Sandbox setup failed for box {Box}: {Detail}")]
    public static partial void SetupFailed(ILogger logger, string box, string detail);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Swept {Count} resources left by a dead sandbox owner")]
    public static partial void Swept(ILogger logger, int count);
}
