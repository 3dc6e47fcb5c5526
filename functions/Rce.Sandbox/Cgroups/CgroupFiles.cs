using System.Globalization;

namespace Rce.Sandbox.Cgroups;

/// <summary>Small helpers for cgroup control files: one value per write, keyed lines on read.</summary>
internal static class CgroupFiles
{
    public static void Write(string dir, string file, string value) =>
        File.WriteAllText(Path.Combine(dir, file), value);

    public static void Write(string dir, string file, long value) =>
        Write(dir, file, value.ToString(CultureInfo.InvariantCulture));

    public static long ReadLong(string dir, string file)
    {
        var text = File.ReadAllText(Path.Combine(dir, file)).Trim();
        return text == "max" ? long.MaxValue : long.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>Reads <c>key value</c> lines (memory.events, pids.events, cpu.stat, oom_control).</summary>
    public static long ReadKeyed(string dir, string file, string key)
    {
        var path = Path.Combine(dir, file);
        if (!File.Exists(path))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(path))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && line.AsSpan(0, space).SequenceEqual(key))
            {
                return long.Parse(line.AsSpan(space + 1), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public static IEnumerable<int> ReadPids(string dir)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(dir, "cgroup.procs"));
        }
        catch (IOException)
        {
            yield break;
        }

        foreach (var line in lines)
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>Removes an empty cgroup directory; retries briefly because a group is often
    /// still populated for a moment after its last task exits.</summary>
    public static bool TryRemove(string dir)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                if (!Directory.Exists(dir))
                {
                    return true;
                }

                Directory.Delete(dir);
                return true;
            }
            catch (IOException)
            {
                Thread.Sleep(1);
            }
        }

        return false;
    }
}
