using System.Diagnostics;
using Rce.Sandbox.Tests.Support;
using Rce.Testing;

namespace Rce.Sandbox.Tests.Containment;

/// <summary>When the process that owns a box dies, the box dies with it, and the next start sweeps the rest.</summary>
public sealed class ParentDeathTests(SandboxFixture fixture)
{
    [Fact]
    public async Task OwnerKilled_BoxDiesAndNextStartSweepsWhatIsLeft()
    {
        var sandbox = fixture.Sandbox;
        var cli = Path.Combine(RepoPaths.Root, "functions", "Rce.Cli", "bin", "Release", "net10.0", "rce.dll");
        Requires.That(File.Exists(cli), "the Release CLI is built by ./rce");
        var dir = Directory.CreateTempSubdirectory("rce-orphan-");
        var source = Path.Combine(dir.FullName, "sleepy.py");
        await File.WriteAllTextAsync(source, "import time\nprint('started', flush=True)\ntime.sleep(60)\n", TestContext.Current.CancellationToken);

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { cli, "run", source, "--time-limit", "30s", "--wall-time-limit", "60s" })
        {
            info.ArgumentList.Add(a);
        }

        // Same state root, uid range and cgroup name as the fixture, so that this sandbox sweeps it.
        info.Environment["Sandbox__StateRoot"] = SandboxFixture.Options.StateRoot;
        info.Environment["Sandbox__UidBase"] = SandboxFixture.Options.UidBase.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["Sandbox__CgroupName"] = SandboxFixture.Options.CgroupName;
        using var owner = Process.Start(info)!;

        // Find this owner's box by its program, then its name from bwrap's command line.
        var deadline = Stopwatch.StartNew();
        string? box = null;
        while (box is null)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the box never started");
            box = BoxOf("sleepy.py");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        owner.Kill();
        await owner.WaitForExitAsync(TestContext.Current.CancellationToken);

        // PR_SET_PDEATHSIG + --die-with-parent: the program dies with its owner.
        deadline.Restart();
        while (ProcessesMentioning(box).Count > 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), "box processes outlived their owner: " + string.Join("; ", ProcessesMentioning(box)));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        // The mounts and cgroups stay until a new owner of the slot sweeps them at start.
        var boxDir = Path.Combine(sandbox.BoxesRoot, box);
        var cgroups = sandbox.Capabilities.CgroupParents.Select(p => Path.Combine(p, box)).ToList();
        Assert.True(Directory.Exists(boxDir));
        Assert.All(cgroups, c => Assert.True(Directory.Exists(c), c));
        using (Sandbox.Create(SandboxFixture.Options))
        {
        }

        Assert.False(Directory.Exists(boxDir), "box not swept");
        Assert.All(cgroups, c => Assert.False(Directory.Exists(c), c + " not swept"));
    }

    private static string? BoxOf(string program)
    {
        foreach (var cmdline in CommandLines())
        {
            if (cmdline.Contains(program, StringComparison.Ordinal) && cmdline.Contains("bwrap", StringComparison.Ordinal))
            {
                var match = System.Text.RegularExpressions.Regex.Match(cmdline, "/boxes/([0-9]+-[0-9a-f]+)/box ");
                if (match.Success)
                {
                    return match.Groups[1].Value;
                }
            }
        }

        return null;
    }

    private static List<string> ProcessesMentioning(string text) => [.. CommandLines().Where(c => c.Contains(text, StringComparison.Ordinal))];

    private static IEnumerable<string> CommandLines()
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            string cmdline;
            try
            {
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            yield return cmdline;
        }
    }
}
