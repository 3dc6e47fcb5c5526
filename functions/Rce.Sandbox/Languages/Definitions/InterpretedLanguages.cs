namespace Rce.Sandbox.Languages.Definitions;

/// <summary>Python, JavaScript and Bash: no compile step; a syntax error is a runtime error.</summary>
internal static class InterpretedLanguages
{
    public static LanguageDefinition Python { get; } = new()
    {
        Id = "python",
        Name = "Python 3",
        Extensions = [".py"],
        DefaultFileName = "main.py",
        Packages = ["python3"],
        RequiredPaths = ["/usr/bin/python3"],
        VersionCommand = ["/usr/bin/python3", "--version"],
        Run = ctx => ["/usr/bin/python3", "-B", "-S", ctx.MainFile, .. ctx.Options],
        Environment = _ => LanguageEnvironment.With(("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONIOENCODING", "utf-8")),
        OutOfMemoryMarkers = ["MemoryError"],
        SelfTestSource = "import sys\nsys.stdout.write(sys.stdin.readline())\n",
    };

    public static LanguageDefinition JavaScript { get; } = new()
    {
        Id = "javascript",
        Name = "JavaScript (Node.js)",
        Extensions = [".js", ".mjs"],
        DefaultFileName = "main.js",
        RequiredPaths = ["/usr/bin/node"],
        VersionCommand = ["/usr/bin/node", "--version"],
        Run = ctx => ["/usr/bin/node", "--max-old-space-size=" + LanguageEnvironment.HeapMiB(ctx.Limits, 0.7), "--stack-size=4000", ctx.MainFile, .. ctx.Options],
        Environment = _ => LanguageEnvironment.With(("UV_THREADPOOL_SIZE", "2"), ("NODE_OPTIONS", string.Empty)),
        AdjustRunLimits = l => l with { Processes = Math.Max(l.Processes, 64) },
        OutOfMemoryMarkers = ["JavaScript heap out of memory", "Allocation failed - process out of memory"],
        SelfTestSource = "process.stdin.on('data', d => process.stdout.write(d));\n",
    };

    public static LanguageDefinition Bash { get; } = new()
    {
        Id = "bash",
        Name = "Bash",
        Extensions = [".sh"],
        DefaultFileName = "main.sh",
        Packages = ["bash"],
        RequiredPaths = ["/usr/bin/bash"],
        VersionCommand = ["/usr/bin/bash", "-c", "echo $BASH_VERSION"],
        Run = ctx => ["/usr/bin/bash", ctx.MainFile, .. ctx.Options],
        SelfTestSource = "read -r line\nprintf '%s\\n' \"$line\"\n",
    };
}
