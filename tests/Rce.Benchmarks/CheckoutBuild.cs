namespace Rce.Benchmarks;

/// <summary>Finds a service's Release build: the path given on the command line, or the build in the checkout this benchmark was built from.</summary>
internal static class CheckoutBuild
{
    /// <param name="configured">The path from the command line, if any.</param>
    /// <param name="project">The project folder under <c>functions/</c> (also the dll's name).</param>
    /// <param name="what">What it is, for error messages ("the runner").</param>
    /// <param name="option">The option that overrides it ("--runner-dll").</param>
    public static string Locate(string? configured, string project, string what, string option)
    {
        if (configured is not null)
        {
            return File.Exists(configured) ? Path.GetFullPath(configured) : throw new BenchmarkException($"no {what} at {configured}");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RceFunctions.sln")))
            {
                var dll = Path.Combine(dir.FullName, "functions", project, "bin", "Release", "net10.0", project + ".dll");
                return File.Exists(dll) ? dll : throw new BenchmarkException($"{what} is not built: {dll} is missing (dotnet build functions/{project} -c Release)");
            }
        }

        throw new BenchmarkException($"cannot find the checkout (RceFunctions.sln) above the benchmark; pass {option}");
    }
}
