using Rce.Sandbox.Slots;
using Rce.Testing;

namespace Rce.Sandbox.Tests.Unit;

/// <summary>Each slot's pinned network namespace: made once, reused, distinct per slot, replaced when discarded.</summary>
public sealed class SlotNetworksTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("rce-netns-");
    private readonly SlotNetworks _networks;

    public SlotNetworksTests()
    {
        _networks = new SlotNetworks(Path.Combine(AppContext.BaseDirectory, "rce-setup"), _root.FullName);
    }

    [Fact]
    public void Ensure_PinsOneNamespacePerSlot_AndReusesIt()
    {
        Requires.Root();
        var first = _networks.Ensure(0);
        var again = _networks.Ensure(0);
        var other = _networks.Ensure(1);
        Assert.Equal(first, again);
        Assert.Equal(Inode(first), Inode(again));
        Assert.NotEqual(Inode(first), Inode(other));
        Assert.NotEqual(Inode("/proc/self/ns/net"), Inode(first));
    }

    [Fact]
    public void Discard_MakesTheNextEnsurePinAFreshNamespace()
    {
        Requires.Root();
        var before = Inode(_networks.Ensure(3));
        _networks.Discard(3);
        Assert.False(File.Exists(Path.Combine(_root.FullName, "netns", "3")));
        Assert.NotEqual(before, Inode(_networks.Ensure(3)));
    }

    [Fact]
    public void Ensure_RepinsAPlainFileLeftByAReboot()
    {
        Requires.Root();
        Directory.CreateDirectory(Path.Combine(_root.FullName, "netns"));
        var stale = Path.Combine(_root.FullName, "netns", "5");
        File.WriteAllText(stale, string.Empty);
        Assert.Equal(stale, _networks.Ensure(5));
        Assert.NotEqual(Inode("/proc/self/ns/net"), Inode(stale));
        Assert.True(new FileInfo(stale).Length == 0);
    }

    public void Dispose()
    {
        foreach (var pin in Directory.Exists(Path.Combine(_root.FullName, "netns")) ? Directory.GetFiles(Path.Combine(_root.FullName, "netns")) : [])
        {
            _ = Native.Libc.umount2(pin, Native.Libc.MntDetach);
        }

        _root.Delete(recursive: true);
    }

    /// <summary>The inode of what the path resolves to: for a pinned namespace, the namespace's id.</summary>
    private static string Inode(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-L", "-c", "%i", path]) { RedirectStandardOutput = true })!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        Assert.Equal(0, stat.ExitCode);
        return inode;
    }
}
