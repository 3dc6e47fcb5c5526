using Xunit;

namespace Rce.Testing;

/// <summary>
/// Environment requirements of integration suites. A missing server or tool skips the test with a
/// reason on a developer machine and <b>fails</b> it when <c>CI=true</c>, so that a skipped suite
/// never passes for a green one.
/// </summary>
public static class Requires
{
    /// <summary>Whether this is a CI run.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (or, under CI, fails) unless <paramref name="condition"/> holds.</summary>
    public static void That(bool condition, string reason)
    {
        if (condition)
        {
            return;
        }

        if (InCi)
        {
            Assert.Fail("required by this suite under CI=true: " + reason);
        }

        Assert.Skip(reason);
    }

    /// <summary>Requires an executable at an absolute path.</summary>
    public static void Tool(string path, string package) =>
        That(File.Exists(path), $"{path} is missing (Debian package {package}; ./rce test installs it)");

    /// <summary>Requires root (cgroups, mounts and slot uids need it).</summary>
    public static void Root() =>
        That(Environment.UserName == "root", "the sandbox needs root to create cgroups and mounts");
}
