namespace Rce.Sandbox.Tests.Unit;

/// <summary>Which helper and bubblewrap executables a sandbox uses.</summary>
public sealed class SandboxOptionsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rce-options-");

    [Fact]
    public void Helpers_AreTakenFromBesideTheLauncher()
    {
        var options = new SandboxOptions { LauncherPath = Path.Combine(_dir.FullName, "rce-launch") };
        Assert.Equal(Path.Combine(_dir.FullName, "rce-init"), options.EffectiveInitPath);
        Assert.Equal(Path.Combine(_dir.FullName, "rce-setup"), options.EffectiveSetupPath);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "rce-launch"), new SandboxOptions { LauncherPath = string.Empty }.EffectiveLauncherPath);
    }

    [Fact]
    public void Bwrap_IsTheStaticBuildBesideTheLauncher_ElseDebians_UnlessSet()
    {
        var options = new SandboxOptions { LauncherPath = Path.Combine(_dir.FullName, "rce-launch") };
        Assert.Equal("/usr/bin/bwrap", options.EffectiveBwrapPath);

        File.WriteAllText(Path.Combine(_dir.FullName, "rce-bwrap"), string.Empty);
        Assert.Equal(Path.Combine(_dir.FullName, "rce-bwrap"), options.EffectiveBwrapPath);

        options.BwrapPath = "/opt/bwrap";
        Assert.Equal("/opt/bwrap", options.EffectiveBwrapPath);
        options.BwrapPath = string.Empty;
        Assert.Equal(Path.Combine(_dir.FullName, "rce-bwrap"), options.EffectiveBwrapPath);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
