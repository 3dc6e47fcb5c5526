using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Rce.Sandbox.Cgroups;

namespace Rce.Sandbox.Probe;

/// <summary>Checks, once at start, everything the sandbox relies on; refuses rather than degrade.</summary>
internal static class CapabilityProbe
{
    public static SandboxCapabilities Run(SandboxOptions options, out ICgroupBackend? cgroups)
    {
        var problems = new List<string>();
        var warnings = new List<string>();
        cgroups = null;

        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            problems.Add("the sandbox needs Linux on x86_64");
            return new SandboxCapabilities { Problems = problems };
        }

        if (Environment.UserName != "root" && !IsRoot())
        {
            problems.Add("the runner must run as root to create cgroups, mount box tmpfs and drop to slot uids");
        }

        var bwrap = Version(options.EffectiveBwrapPath, "--version");
        if (bwrap is null)
        {
            problems.Add($"bubblewrap not found at {options.EffectiveBwrapPath} (Debian package bubblewrap; ./rce builds rce-bwrap from tools/bwrap)");
        }

        var launcher = Version(options.EffectiveLauncherPath, "--version");
        if (launcher is null)
        {
            problems.Add($"launcher not found at {options.EffectiveLauncherPath} (built by the Rce.Sandbox project; needs gcc)");
        }

        var setup = Version(options.EffectiveSetupPath, "--version");
        if (setup is null)
        {
            problems.Add($"rce-setup not found at {options.EffectiveSetupPath} (built with the launcher by the Rce.Sandbox project; needs gcc and libseccomp-dev)");
        }

        if (!File.Exists(options.EffectiveInitPath))
        {
            problems.Add($"rce-init not found at {options.EffectiveInitPath} (built with the launcher by the Rce.Sandbox project)");
        }

        var userns = ReadInt("/proc/sys/user/max_user_namespaces") is > 0 && ReadInt("/proc/sys/kernel/unprivileged_userns_clone") is null or 1;
        if (!userns)
        {
            problems.Add("unprivileged user namespaces are disabled (user.max_user_namespaces or kernel.unprivileged_userns_clone)");
        }

        var seccomp = File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Seccomp:", StringComparison.Ordinal));
        if (!seccomp)
        {
            problems.Add("the kernel offers no seccomp filters");
        }

        if (options.Slots > options.UidCount)
        {
            problems.Add($"{options.Slots} slots need as many uids but the range has {options.UidCount}");
        }

        var taken = UidsInUse(options.UidBase, options.UidCount);
        if (taken.Count > 0)
        {
            problems.Add($"uids reserved for slots are assigned in /etc/passwd: {string.Join(", ", taken)}");
        }

        try
        {
            cgroups = new CgroupDetector(options.CgroupName).Detect(out var reason);
            if (cgroups is null)
            {
                problems.Add(reason ?? "no usable cgroups");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add("cgroups cannot be created: " + ex.Message);
        }

        var bpf = ReadInt("/proc/sys/kernel/unprivileged_bpf_disabled");
        if (bpf is 0)
        {
            warnings.Add("kernel.unprivileged_bpf_disabled is 0 (seccomp denies bpf anyway)");
        }

        var perf = ReadInt("/proc/sys/kernel/perf_event_paranoid");
        if (perf is < 2)
        {
            warnings.Add("kernel.perf_event_paranoid is below 2 (seccomp denies perf_event_open anyway)");
        }

        return new SandboxCapabilities
        {
            BwrapVersion = bwrap?.Replace("bubblewrap ", string.Empty, StringComparison.Ordinal),
            LibseccompVersion = setup?.Split(' ').LastOrDefault(),
            CgroupVersion = cgroups?.Version,
            CgroupParents = cgroups?.Parents ?? [],
            UserNamespaces = userns,
            Seccomp = seccomp,
            UnprivilegedBpfDisabled = bpf,
            PerfEventParanoid = perf,
            Kernel = Environment.OSVersion.Version.ToString(),
            Problems = problems,
            Warnings = warnings,
        };
    }

    private static bool IsRoot() => File.ReadLines("/proc/self/status")
        .FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) == "0";

    private static List<int> UidsInUse(int start, int count)
    {
        var taken = new List<int>();
        if (!File.Exists("/etc/passwd"))
        {
            return taken;
        }

        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var fields = line.Split(':');
            if (fields.Length > 2 && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid >= start && uid < start + count)
            {
                taken.Add(uid);
            }
        }

        return taken;
    }

    private static int? ReadInt(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Version(string path, string flag)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var info = new ProcessStartInfo(path, flag) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(info);
            if (process is null)
            {
                return null;
            }

            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? text : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
