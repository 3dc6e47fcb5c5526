using System.Globalization;

namespace Rce.Sandbox.Launch;

/// <summary>Builds the launcher's and bwrap's argument vectors for one box.</summary>
/// <remarks>
/// Everything here is visible inside the box as <c>/proc/1/cmdline</c> and in
/// <c>/proc/self/mountinfo</c>: only neutral paths (<c>/run/rce/…</c>) and the program's own
/// environment appear, never a secret or a host-identifying path.
/// </remarks>
internal static class BwrapArguments
{
    /// <summary>uid and gid of the program inside the box (non-zero by design).</summary>
    public const int InsideId = 1000;

    public static IEnumerable<string> Launcher(int uid, IReadOnlyList<string> cgroups, string netns, Rce.Core.Limits.ResourceLimits limits, string statusFile, string seccompFile, string bwrap)
    {
        yield return "--uid";
        yield return Num(uid);
        yield return "--gid";
        yield return Num(uid);
        yield return "--ppid";
        yield return Num(Environment.ProcessId);
        foreach (var cgroup in cgroups)
        {
            yield return "--cgroup";
            yield return cgroup;
        }

        // The slot's own network namespace, in place of bwrap --unshare-net (see SlotNetworks).
        yield return "--netns";
        yield return netns;

        // RLIMIT_CPU is only a backstop: the parent polls the whole tree's CPU time.
        yield return "--cpu";
        yield return Num((long)Math.Ceiling(limits.CpuTime.TotalSeconds) + 1);
        yield return "--fsize";
        yield return Num(limits.FileSizeBytes);
        yield return "--nofile";
        yield return Num(limits.OpenFiles);
        yield return "--stack";
        yield return Num(limits.StackBytes);
        yield return "--status";
        yield return statusFile;
        yield return "--seccomp-file";
        yield return seccompFile;
        yield return "--";
        yield return bwrap;
    }

    /// <param name="spec">What to run.</param>
    /// <param name="box">The box's host directories.</param>
    /// <param name="initFile">Host path of <c>rce-init</c>, bound read-only at <see cref="InitProgram.InsidePath"/>.</param>
    public static IEnumerable<string> Bwrap(BoxSpec spec, Boxes.Box box, string initFile)
    {
        string[] fixedArgs =
        [
            "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try",
            // rce-init is the namespace's pid 1 instead of bwrap's reaper (a fork of bwrap, twice the
            // cost); the command is its child, never pid 1 itself (see rce-init.c for why).
            "--disable-userns", "--as-pid-1", "--die-with-parent", "--new-session", "--hostname", "box",
            "--uid", Num(InsideId), "--gid", Num(InsideId), "--cap-drop", "ALL",
            "--ro-bind", "/usr", "/usr", "--ro-bind", initFile, InitProgram.InsidePath,
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin",
        ];
        foreach (var a in fixedArgs)
        {
            yield return a;
        }

        foreach (var path in spec.ReadOnlyBinds)
        {
            yield return "--ro-bind";
            yield return path;
            yield return path;
        }

        string[] mounts =
        [
            "--proc", "/proc", "--dev", "/dev",
            "--bind", box.WorkDir, "/box", "--bind", box.TmpDir, "/tmp", "--bind", box.ShmDir, "/dev/shm",
        ];
        foreach (var a in mounts)
        {
            yield return a;
        }

        if (spec.CollectOutTo is not null)
        {
            yield return "--bind";
            yield return box.OutDir;
            yield return "/out";
        }
        else if (spec.ReadOnlyOut is not null)
        {
            yield return "--ro-bind";
            yield return spec.ReadOnlyOut;
            yield return "/out";
        }

        // The root and /dev that bwrap builds are writable tmpfs without a size limit: make them
        // read-only (device nodes stay usable; /dev/shm is its own, limited mount).
        yield return "--remount-ro";
        yield return "/dev";
        yield return "--remount-ro";
        yield return "/";
        yield return "--chdir";
        yield return "/box";
        yield return "--clearenv";
        foreach (var (key, value) in spec.Environment)
        {
            yield return "--setenv";
            yield return key;
            yield return value;
        }

        yield return "--seccomp";
        yield return "10";
        yield return "--json-status-fd";
        yield return "11";
        yield return "--";
        yield return InitProgram.InsidePath;
        foreach (var a in spec.Command)
        {
            yield return a;
        }
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
