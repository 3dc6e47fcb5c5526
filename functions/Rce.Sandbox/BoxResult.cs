using Rce.Core.Execution;

namespace Rce.Sandbox;

/// <summary>What happened in one box.</summary>
/// <param name="Report">Outputs and measurements.</param>
/// <param name="CollectedBytes">Bytes copied out of <c>/out</c> when requested.</param>
public sealed record BoxResult(ProcessReport Report, long CollectedBytes);
