namespace Rce.Testing;

/// <summary>Locates the repository root from a test's output directory.</summary>
public static class RepoPaths
{
    /// <summary>The directory holding RceFunctions.sln.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RceFunctions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("RceFunctions.sln not found above " + AppContext.BaseDirectory);
    }
}
