using System.Runtime.InteropServices;
using Rce.Sandbox.Native;

namespace Rce.Sandbox.Execution;

/// <summary>Reaps a box's namespace init when bwrap could not.</summary>
/// <remarks>
/// bwrap's outer process waits for the namespace init (<c>rce-init</c>, run with --as-pid-1)
/// itself; but when the outer process dies first (killed on the engine's last-resort path, or
/// with a runner that dies), the init is orphaned. The host's init reaps orphans, but some (this
/// project's CI guests among them) take seconds to, leaving zombies of slot uids behind. The sandbox
/// process makes itself a child subreaper, so orphans come to it, and reaps exactly the init whose
/// pid bwrap reported: a targeted <c>waitpid</c> never steals the exit status of a child that
/// <see cref="System.Diagnostics.Process"/> is tracking.
/// </remarks>
internal static class OrphanReaper
{
    private static readonly TimeSpan Patience = TimeSpan.FromMilliseconds(500);

    /// <summary>Makes this process the reaper of its descendants' orphans.</summary>
    public static bool BecomeSubreaper() => Libc.prctl(Libc.PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>
    /// Reaps zombie children of this process that run as a slot uid and that no
    /// <see cref="System.Diagnostics.Process"/> tracks (<paramref name="tracked"/>): orphans of a box whose
    /// owner died below us. Costs one scan of <c>/proc</c>; run it from a slow timer.
    /// </summary>
    public static int SweepZombies(int uidBase, int uidCount, Func<int, bool> tracked)
    {
        var self = Environment.ProcessId;
        var reaped = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) || tracked(pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ...", comm may hold spaces: parse after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] != "Z" || fields[1] != self.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    continue;
                }

                var uidLine = File.ReadLines(Path.Combine(dir, "status")).First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                var uid = int.Parse(uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
                if (uid >= uidBase && uid < uidBase + uidCount && Libc.waitpid(pid, out _, Libc.WNoHang) == pid)
                {
                    reaped++;
                }
            }
            catch (IOException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }

        return reaped;
    }

    /// <summary>Waits briefly for <paramref name="pid"/> to exit and reaps it; gives up quietly.</summary>
    public static async Task ReapAsync(int? pid)
    {
        if (pid is not > 0)
        {
            return;
        }

        var deadline = Environment.TickCount64 + (long)Patience.TotalMilliseconds;
        while (true)
        {
            var result = Libc.waitpid(pid.Value, out _, Libc.WNoHang);
            if (result == pid.Value || (result < 0 && Marshal.GetLastPInvokeError() == Libc.EChild) || Environment.TickCount64 > deadline)
            {
                return;
            }

            await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
