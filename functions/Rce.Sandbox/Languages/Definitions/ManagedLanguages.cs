using System.Globalization;
using System.Text;
using Rce.Sandbox.Boxes;

namespace Rce.Sandbox.Languages.Definitions;

/// <summary>Java and C#: heap bound from the memory limit, processor count pinned, more threads.</summary>
internal static class ManagedLanguages
{
    private const string JavaHome = "/usr/lib/jvm/java-17-openjdk-amd64";

    public static LanguageDefinition Java { get; } = new()
    {
        Id = "java",
        Name = "Java (OpenJDK)",
        Extensions = [".java"],
        DefaultFileName = "Main.java",
        Packages = ["default-jdk-headless"],
        RequiredPaths = [JavaHome + "/bin/javac", JavaHome + "/bin/java", "/etc/java-17-openjdk"],
        VersionCommand = [JavaHome + "/bin/java", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-version"],

        // The JDK's conf/ is a link into /etc/java-17-openjdk.
        ReadOnlyBinds = ["/etc/java-17-openjdk"],
        Compile = ctx => [JavaHome + "/bin/javac", "-J-Xmx" + LanguageEnvironment.HeapMiB(ctx.Limits, 0.5) + "m", "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1", "-J-XX:ActiveProcessorCount=1", "-encoding", "UTF-8", "-d", "/out", .. ctx.Options, .. ctx.SourceFiles.Where(f => f.EndsWith(".java", StringComparison.Ordinal))],
        Run = ctx => [JavaHome + "/bin/java", "-Xmx" + LanguageEnvironment.HeapMiB(ctx.Limits, 0.7) + "m", "-Xss64m", "-XX:+UseSerialGC", "-XX:ActiveProcessorCount=1", "-XX:TieredStopAtLevel=1", "-cp", "/out", ctx.MainStem, .. ctx.Options],
        AdjustRunLimits = l => l with { Processes = Math.Max(l.Processes, 128) },
        AdjustCompileLimits = l => l with { Processes = Math.Max(l.Processes, 128) },
        OutOfMemoryMarkers = ["java.lang.OutOfMemoryError"],
        SelfTestSource = "import java.io.*;\npublic class Main { public static void main(String[] a) throws IOException { System.out.println(new BufferedReader(new InputStreamReader(System.in)).readLine()); } }\n",
        SelfTestFileName = "Main.java",
    };

    public static LanguageDefinition? CSharp { get; } = CreateCSharp();

    private static LanguageDefinition? CreateCSharp()
    {
        var root = "/usr/share/dotnet";
        var csc = Newest(Path.Combine(root, "sdk"), "Roslyn/bincore/csc.dll");
        var refs = Newest(Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref"), "ref");
        var runtime = Newest(Path.Combine(root, "shared", "Microsoft.NETCore.App"), string.Empty);
        if (csc is null || refs is null || runtime is null)
        {
            return null;
        }

        var refDir = Directory.GetDirectories(refs).FirstOrDefault() ?? refs;
        var references = Directory.GetFiles(refDir, "*.dll").Order(StringComparer.Ordinal).ToArray();
        var runtimeVersion = Path.GetFileName(runtime.TrimEnd('/'));
        var runtimeConfig = "{\"runtimeOptions\":{\"tfm\":\"net10.0\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\"" + runtimeVersion + "\"},\"configProperties\":{\"System.GC.Server\":false,\"System.Globalization.Invariant\":true}}}";

        return new LanguageDefinition
        {
            Id = "csharp",
            Name = "C# (.NET)",
            Extensions = [".cs"],
            DefaultFileName = "Main.cs",
            RequiredPaths = [root + "/dotnet", csc],
            VersionCommand = [root + "/dotnet", "--list-runtimes"],
            VersionLineContains = "Microsoft.NETCore.App",

            // Roslyn's compiler directly, with a response file: no MSBuild, no project, no restore.
            Compile = ctx => ["/usr/bin/sh", "-c", $"{root}/dotnet {csc} @/box/.rce/csc.rsp && cp /box/.rce/main.runtimeconfig.json /out/"],
            CompileSupportFiles = ctx =>
            [
                new BoxFile(".rce/csc.rsp", Encoding.UTF8.GetBytes(string.Join('\n',
                    new[] { "-nologo", "-optimize+", "-langversion:latest", "-nullable:enable", "-out:/out/main.dll", "-target:exe", "-deterministic" }
                        .Concat(references.Select(r => "-r:" + r))
                        .Concat(ctx.Options)
                        .Concat(ctx.SourceFiles.Where(f => f.EndsWith(".cs", StringComparison.Ordinal)).Select(f => "/box/" + f))))),
                new BoxFile(".rce/main.runtimeconfig.json", Encoding.UTF8.GetBytes(runtimeConfig)),
            ],
            Run = ctx => [root + "/dotnet", "/out/main.dll", .. ctx.Options],
            Environment = limits => LanguageEnvironment.With(
                ("DOTNET_CLI_TELEMETRY_OPTOUT", "1"), ("DOTNET_NOLOGO", "1"), ("DOTNET_EnableDiagnostics", "0"),
                ("DOTNET_gcServer", "0"), ("DOTNET_PROCESSOR_COUNT", "1"), ("DOTNET_TieredPGO", "0"),
                ("DOTNET_GCHeapHardLimit", "0x" + LanguageEnvironment.HeapBytes(limits).ToString("x", CultureInfo.InvariantCulture))),
            AdjustRunLimits = l => l with { Processes = Math.Max(l.Processes, 128) },
            AdjustCompileLimits = l => l with { Processes = Math.Max(l.Processes, 128) },
            // An unhandled OutOfMemoryException is reported by the runtime as just "Out of memory." (no type name).
            OutOfMemoryMarkers = ["System.OutOfMemoryException", "Out of memory."],
            SelfTestSource = "System.Console.WriteLine(System.Console.ReadLine());\n",
        };
    }

    private static string? Newest(string dir, string inner)
    {
        if (!Directory.Exists(dir))
        {
            return null;
        }

        return Directory.GetDirectories(dir)
            .Select(d => (Dir: d, Version: Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : null))
            .Where(x => x.Version is not null && Path.Exists(Path.Combine(x.Dir, inner)))
            .OrderByDescending(x => x.Version)
            .Select(x => Path.Combine(x.Dir, inner))
            .FirstOrDefault();
    }
}
