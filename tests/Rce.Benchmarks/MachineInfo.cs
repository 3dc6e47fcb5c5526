using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Rce.Benchmarks;

/// <summary>What the numbers were measured on.</summary>
internal sealed record MachineInfo(string Cpu, int LogicalCpus, string Memory, string Kernel, string Os, string Bwrap, string Runtime)
{
    public static MachineInfo Read(string bwrapPath) => new(
        Cpu: Field("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        LogicalCpus: Environment.ProcessorCount,
        Memory: MemTotal(),
        Kernel: FirstLine("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString,
        Os: OsRelease() ?? "unknown",
        Bwrap: $"{Command(bwrapPath, "--version") ?? "unknown"} (`{bwrapPath}`)",
        Runtime: RuntimeInformation.FrameworkDescription);

    /// <summary>The 1, 5 and 15 minute load averages, as the kernel prints them.</summary>
    public static string LoadAverage()
    {
        var line = FirstLine("/proc/loadavg");
        return line is null ? "unknown" : string.Join(' ', line.Split(' ').Take(3));
    }

    private static string? Field(string file, string name)
    {
        try
        {
            return File.ReadLines(file)
                .Where(l => l.StartsWith(name, StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string MemTotal()
    {
        var value = Field("/proc/meminfo", "MemTotal");
        if (value is null || !long.TryParse(value.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
        {
            return "unknown";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{kib / 1024.0 / 1024.0:0.0} GiB");
    }

    private static string? OsRelease()
    {
        try
        {
            return File.ReadLines("/etc/os-release")
                .Where(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                .Select(l => l["PRETTY_NAME=".Length..].Trim('"'))
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? FirstLine(string file)
    {
        try
        {
            return File.ReadLines(file).FirstOrDefault()?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static string? Command(string path, string argument)
    {
        try
        {
            var info = new ProcessStartInfo(path, argument) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
