using System.Diagnostics;
using System.Text;
using Rce.Core.Execution;
using Rce.Core.Limits;
using Rce.Sandbox;
using Rce.Sandbox.Boxes;
using SandboxEngine = Rce.Sandbox.Sandbox;

namespace Rce.Benchmarks;

/// <summary>One program, run both bare (a plain child process) and in a fresh sandbox box.</summary>
/// <remarks>
/// Both sides do the same observable work: start the program with an empty environment, stdin,
/// stdout and stderr as pipes, read its outputs to the end and wait for its exit. The sandbox side
/// additionally pays for what the product pays for on every run: a slot, two tmpfs mounts, a
/// cgroup, the launcher, bwrap's namespaces and mounts, seccomp, and the teardown.
/// </remarks>
internal sealed class Workload
{
    public required string Name { get; init; }

    /// <summary>Short key used in goal lines.</summary>
    public required string Key { get; init; }

    public required string ExpectedStdout { get; init; }

    /// <summary>Host argv of the bare run.</summary>
    public required IReadOnlyList<string> BareCommand { get; init; }

    /// <summary>Host working directory of the bare run.</summary>
    public required string BareDirectory { get; init; }

    public required BoxSpec Spec { get; init; }

    /// <summary>A static C hello, compiled once on the host; the sandbox runs it from <c>/out</c> like a compiled artefact.</summary>
    public static Workload StaticC(string artifactDir) => new()
    {
        Name = "static C hello (gcc -O2 -static)",
        Key = "c",
        ExpectedStdout = "hello\n",
        BareCommand = [Path.Combine(artifactDir, "hello")],
        BareDirectory = artifactDir,
        Spec = new BoxSpec
        {
            Command = ["/out/hello"],
            Limits = ResourceLimits.RunDefaults,
            ReadOnlyOut = artifactDir,
        },
    };

    /// <summary>A Python hello, run the way the catalog runs Python (<c>python3 -B -S main.py</c>).</summary>
    public static Workload Python(string workDir) => new()
    {
        Name = "Python hello (python3 -B -S main.py)",
        Key = "python",
        ExpectedStdout = "hello\n",
        BareCommand = ["/usr/bin/python3", "-B", "-S", "main.py"],
        BareDirectory = workDir,
        Spec = new BoxSpec
        {
            Command = ["/usr/bin/python3", "-B", "-S", "main.py"],
            Limits = ResourceLimits.RunDefaults,
            Files = [new BoxFile("main.py", PythonSource)],
        },
    };

    public static ReadOnlyMemory<byte> PythonSource { get; } = Encoding.UTF8.GetBytes("print('hello')\n");

    public const string CSource = """
        #include <stdio.h>

        int main(void)
        {
            puts("hello");
            return 0;
        }

        """;

    /// <summary>Runs the program as a plain child process; returns the wall time seen by the caller.</summary>
    public async Task<TimeSpan> RunBareAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(BareCommand[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = BareDirectory,
        };
        info.Environment.Clear();
        foreach (var argument in BareCommand.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(info) ?? throw new BenchmarkException($"{Name}: bare process did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await stdout;
        var errors = await stderr;
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (process.ExitCode != 0 || output != ExpectedStdout)
        {
            throw new BenchmarkException($"{Name}: bare run exited {process.ExitCode} with stdout '{output.Trim()}' stderr '{errors.Trim()}'");
        }

        return elapsed;
    }

    /// <summary>
    /// Runs the program in a fresh box; returns the wall time seen by the caller, the engine's own
    /// wall time, and the CPU time charged to the box's cgroup (launcher, bwrap and program).
    /// </summary>
    public async Task<(TimeSpan Total, TimeSpan Engine, TimeSpan Cpu)> RunSandboxedAsync(SandboxEngine sandbox, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await sandbox.RunAsync(Spec, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var report = result.Report;
        var output = Encoding.UTF8.GetString(report.Stdout.Span);
        if (report.StopReason != StopReason.None || report.ExitCode != 0 || output != ExpectedStdout)
        {
            throw new BenchmarkException(
                $"{Name}: sandboxed run stopped {report.StopReason}, exit {report.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, " +
                $"stdout '{output.Trim()}' stderr '{Encoding.UTF8.GetString(report.Stderr.Span).Trim()}' {report.FailureDetail}");
        }

        return (elapsed, report.WallTime, report.CpuTime);
    }
}
