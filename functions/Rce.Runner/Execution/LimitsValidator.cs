using Rce.Core.Executions;
using Rce.Core.Limits;
using Rce.Runner.Api;

namespace Rce.Runner.Execution;

/// <summary>Validates per-request limits against the runner's configured maxima.</summary>
internal static class LimitsValidator
{
    public static ResourceLimits Validate(LimitsDto? dto, ResourceLimits defaults, RunnerOptions max, Action<string, string> error)
    {
        var limits = defaults;
        if (dto is null)
        {
            return limits;
        }

        if (Check(dto.CpuTimeMs, 1, max.MaxCpuTimeMs, "limits.cpuTimeMs", error) is { } cpu)
        {
            limits = limits with { CpuTime = TimeSpan.FromMilliseconds(cpu) };
        }

        if (Check(dto.WallTimeMs, 1, max.MaxWallTimeMs, "limits.wallTimeMs", error) is { } wall)
        {
            limits = limits with { WallTime = TimeSpan.FromMilliseconds(wall) };
        }
        else if (dto.WallTimeMs is null && limits.EffectiveWallTime > TimeSpan.FromMilliseconds(max.MaxWallTimeMs))
        {
            limits = limits with { WallTime = TimeSpan.FromMilliseconds(max.MaxWallTimeMs) };
        }

        if (Check(dto.MemoryBytes, 4L << 20, max.MaxMemoryBytes, "limits.memoryBytes", error) is { } memory)
        {
            limits = limits with { MemoryBytes = memory };
        }

        if (Check(dto.Processes, 1, max.MaxProcesses, "limits.processes", error) is { } processes)
        {
            limits = limits with { Processes = (int)processes };
        }

        if (Check(dto.StdoutBytes, 1, max.MaxOutputBytes, "limits.stdoutBytes", error) is { } stdout)
        {
            limits = limits with { StdoutBytes = stdout };
        }

        if (Check(dto.StderrBytes, 1, max.MaxOutputBytes, "limits.stderrBytes", error) is { } stderr)
        {
            limits = limits with { StderrBytes = stderr };
        }

        if (Check(dto.FileSizeBytes, 1, max.MaxFileSizeBytes, "limits.fileSizeBytes", error) is { } fsize)
        {
            limits = limits with { FileSizeBytes = fsize };
        }

        return limits;
    }

    private static long? Check(long? value, long min, long max, string field, Action<string, string> error)
    {
        if (value is null)
        {
            return null;
        }

        if (value < min || value > max)
        {
            error(field, $"must be between {min} and {max} (the runner's maximum)");
            return null;
        }

        return value;
    }
}
