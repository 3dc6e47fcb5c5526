using System.Reflection;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using Rce.Testing;

namespace Rce.Architecture.Tests;

/// <summary>The dependency rules of design §6, checked on project files and on built assemblies.</summary>
public sealed class DependencyRulesTests
{
    /// <summary>Which of our projects each project may reference. Dependencies point inward to Rce.Core.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Rce.Core"] = [],
        ["Rce.Sandbox"] = ["Rce.Core"],
        ["Rce.Infrastructure"] = ["Rce.Core"],
        ["Rce.Runner"] = ["Rce.Core", "Rce.Sandbox"],
        ["Rce.Functions"] = ["Rce.Core", "Rce.Infrastructure"],
        ["Rce.Cli"] = ["Rce.Core", "Rce.Sandbox", "Rce.Infrastructure"],
    };

    private static readonly string[] CoreForbiddenPackagePrefixes = ["Azure.", "StackExchange.Redis", "Microsoft.AspNetCore", "Microsoft.Azure"];

    public static TheoryData<string> Projects() => [.. Directory.GetDirectories(Path.Combine(RepoPaths.Root, "functions"), "Rce.*").Select(Path.GetFileName).OfType<string>()];

    [Theory]
    [MemberData(nameof(Projects))]
    public void ProjectReferences_FollowTheLayerRules(string project)
    {
        Assert.True(Allowed.TryGetValue(project, out var allowed), $"{project} has no dependency rule: add it to this test");
        var references = ProjectReferences(project);
        Assert.All(references, r => Assert.Contains(r, allowed));
    }

    [Fact]
    public void Core_HasNoInfrastructurePackages()
    {
        var packages = Csproj("Rce.Core").Descendants("PackageReference").Select(p => (string?)p.Attribute("Include") ?? string.Empty);
        Assert.DoesNotContain(packages, p => CoreForbiddenPackagePrefixes.Any(f => p.StartsWith(f, StringComparison.Ordinal)));
    }

    [Fact]
    public void CoreAssembly_ReferencesOnlyTheFramework()
    {
        var core = typeof(Rce.Core.Verdicts.Verdict).Assembly;
        var ours = core.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("Rce.", StringComparison.Ordinal) || a.Name.StartsWith("Azure", StringComparison.Ordinal) || a.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || a.Name.StartsWith("StackExchange", StringComparison.Ordinal));
        Assert.Empty(ours);
    }

    [Fact]
    public void CoreAssembly_CallsNoNativeApi()
    {
        var core = typeof(Rce.Core.Verdicts.Verdict).Assembly;
        var native = core.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<DllImportAttribute>() is not null || m.GetCustomAttribute<LibraryImportAttribute>() is not null);
        Assert.Empty(native);
    }

    [Fact]
    public void CliAssembly_NeverReferencesFunctions()
    {
        var cli = Assembly.Load("rce");
        Assert.DoesNotContain(cli.GetReferencedAssemblies(), a => a.Name == "Rce.Functions");
    }

    [Fact]
    public void Rules_AreCheckedAgainstRealProjects() =>
        Assert.Contains("Rce.Sandbox", ProjectReferences("Rce.Cli"));

    private static XDocument Csproj(string project) =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "functions", project, project + ".csproj"));

    private static List<string> ProjectReferences(string project) =>
        [.. Csproj(project).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(((string?)r.Attribute("Include") ?? string.Empty).Replace('\\', '/')))];
}
