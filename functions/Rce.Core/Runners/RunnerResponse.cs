namespace Rce.Core.Runners;

/// <summary>A runner's answer, buffered: status code, body and which runner gave it.</summary>
/// <param name="StatusCode">HTTP status code (200 with a result, 400 problem details, 503 sandbox unavailable, …).</param>
/// <param name="Body">The response body as sent by the runner (JSON); may hold program output, so it is never logged.</param>
/// <param name="Runner">Base URL of the runner that answered.</param>
/// <param name="Attempts">Attempts the call took, the answering one included (1 when the first runner answered).</param>
public sealed record RunnerResponse(int StatusCode, ReadOnlyMemory<byte> Body, Uri Runner, int Attempts);
