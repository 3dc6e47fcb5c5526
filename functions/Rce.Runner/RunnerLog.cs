namespace Rce.Runner;

/// <summary>Source-generated logs of the runner (event ids 1xx HTTP, 4xx runner). Never source, stdin or output.</summary>
internal static partial class RunnerLog
{
    [LoggerMessage(EventId = 401, Level = LogLevel.Critical, Message = "Sandbox unavailable, every execution will be refused: {Problem}")]
    public static partial void SandboxUnavailable(ILogger logger, string problem);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Self-test {Language}: passed={Passed} version={Version} {Detail}")]
    public static partial void SelfTest(ILogger logger, string language, bool passed, string version, string detail);

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Execution {Language}: {Verdict} score {Score}/{MaxScore}, {Tests} tests, compile cached={Cached}, {ElapsedMs} ms")]
    public static partial void Executed(ILogger logger, string language, string verdict, double score, double maxScore, int tests, bool cached, long elapsedMs);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Rejected request to {Path}: {Status}")]
    public static partial void Rejected(ILogger logger, string path, int status);
}
