using System.Globalization;
using System.Runtime.InteropServices;

namespace Rce.Benchmarks;

/// <summary>CPU time of other processes (<c>/proc/PID/stat</c>) and of the whole machine (<c>/proc/stat</c>).</summary>
internal static partial class ProcessCpu
{
    private const int ScClkTck = 2;

    private static readonly double TicksPerSecond = ClockTicks();

    /// <summary>User + system CPU time of process <paramref name="pid"/> (all its threads) so far; zero when it is gone.</summary>
    public static TimeSpan Of(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
        // Counted from the state (field 3): utime is field 14, stime field 15.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>Busy CPU time of the whole machine so far (every CPU: user, nice, system, irq, softirq, steal).</summary>
    public static TimeSpan MachineBusy()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v.Length > 7 ? v[7] : 0);
        return TimeSpan.FromSeconds(busy / TicksPerSecond);
    }

    /// <summary>The pid of the first process whose command line holds every one of <paramref name="parts"/> as an argument (or as the file name of one); null if none.</summary>
    public static int? Find(params string[] parts)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                if (parts.All(p => arguments.Any(a => a == p || a.EndsWith("/" + p, StringComparison.Ordinal))))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    /// <summary>The pid of the first process whose whole command line (arguments joined by spaces) contains every one of <paramref name="parts"/>; null if none.</summary>
    /// <remarks>For servers that rewrite their process title, such as redis-server (<c>redis-server 127.0.0.1:PORT</c>).</remarks>
    public static int? FindContaining(params string[] parts)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var line = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (parts.All(p => line.Contains(p, StringComparison.Ordinal)))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    private static double ClockTicks()
    {
        var ticks = sysconf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }

    [LibraryImport("libc")]
    private static partial long sysconf(int name);
}
