using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rce.Testing;

namespace Rce.Functions.Tests.Contract;

/// <summary>
/// The published package is what the Functions host runs (design §2, custom-handler reference §1):
/// <c>dotnet publish functions/Rce.Functions -c Release -o DIR</c> must give host.json at the root,
/// a folder per function with the repository's function.json, the executable host.json names, with
/// its execute bit, self-contained for linux-x64, and no local settings or test assets.
/// </summary>
public sealed class PublishLayoutTests(PublishedPackage package) : IClassFixture<PublishedPackage>
{
    private static readonly string[] LocalOnly = ["local.settings.json", "local.settings.sample.json"];

    [Fact]
    public void Publish_HostJson_IsTheRepositoryOneAtTheRoot()
    {
        var dir = package.Require();

        Assert.Equal(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "host.json")), File.ReadAllBytes(Path.Combine(dir, "host.json")));
    }

    [Fact]
    public void Publish_DefaultExecutablePath_ExistsAndIsExecutable()
    {
        var dir = package.Require();
        var (executable, workingDirectory) = CustomHandler(dir);

        // The host resolves a relative path against the working directory (the app root when empty);
        // if that file does not exist it runs the value as a command from PATH, which would not be ours.
        var path = Path.Combine(dir, workingDirectory, executable);
        Assert.True(File.Exists(path), $"host.json names '{executable}', which the package does not contain");
        var mode = File.GetUnixFileMode(path);
        Assert.True(mode.HasFlag(UnixFileMode.UserExecute) && mode.HasFlag(UnixFileMode.GroupExecute) && mode.HasFlag(UnixFileMode.OtherExecute), $"{executable} is {mode}, not executable by all");

        // An ELF apphost, not a script or a managed dll the host cannot exec.
        Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(path).AsSpan(0, 4).ToArray());
    }

    [Fact]
    public void Publish_IsSelfContainedForLinuxX64()
    {
        var dir = package.Require();

        // Self-contained: the runtime travels with the package (the "custom" Flex image has no .NET 10).
        using var runtimeConfig = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "Rce.Functions.runtimeconfig.json")));
        var options = runtimeConfig.RootElement.GetProperty("runtimeOptions");
        Assert.True(options.TryGetProperty("includedFrameworks", out var included), "runtimeconfig names frameworks to resolve: framework-dependent");
        Assert.Contains(included.EnumerateArray(), f => f.GetProperty("name").GetString() == "Microsoft.AspNetCore.App");
        foreach (var native in new[] { "libcoreclr.so", "libhostfxr.so", "libclrjit.so", "System.Private.CoreLib.dll", "Microsoft.AspNetCore.dll" })
        {
            Assert.True(File.Exists(Path.Combine(dir, native)), $"{native} is missing from the package");
        }

        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "Rce.Functions.deps.json")));
        Assert.Equal(".NETCoreApp,Version=v10.0/linux-x64", deps.RootElement.GetProperty("runtimeTarget").GetProperty("name").GetString());
    }

    [Fact]
    public void Publish_EveryFunctionFolder_IsPresentWithIdenticalFunctionJson()
    {
        var dir = package.Require();
        var expected = Directory.GetDirectories(Path.Combine(RepoPaths.Root, "functions"))
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .ToDictionary(d => Path.GetFileName(d)!, d => Path.Combine(d, "function.json"), StringComparer.Ordinal);
        Assert.True(expected.Count >= 20, $"only {expected.Count} function folders in the repository");

        foreach (var (name, source) in expected)
        {
            var published = Path.Combine(dir, name!, "function.json");
            Assert.True(File.Exists(published), $"{name}/function.json is missing from the package");
            Assert.True(File.ReadAllBytes(source).AsSpan().SequenceEqual(File.ReadAllBytes(published)), $"{name}/function.json differs from the repository's");
        }

        // Nothing else looks like a function to the host (a stale folder would be a function without a route).
        var extra = Directory.GetDirectories(dir)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(Path.GetFileName)
            .Where(name => !expected.ContainsKey(name!))
            .ToList();
        Assert.Empty(extra);
    }

    [Fact]
    public void Publish_HasNoLocalSettingsNorTestAssets()
    {
        var dir = package.Require();
        var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).ToList();

        Assert.DoesNotContain(files, f => LocalOnly.Contains(Path.GetFileName(f), StringComparer.OrdinalIgnoreCase));
        Assert.DoesNotContain(files, f => f.Contains("Tests", StringComparison.Ordinal) || f.StartsWith("xunit", StringComparison.OrdinalIgnoreCase)
            || f.StartsWith("testhost", StringComparison.OrdinalIgnoreCase) || f.StartsWith("Microsoft.TestPlatform", StringComparison.Ordinal)
            || f.StartsWith("Microsoft.AspNetCore.Mvc.Testing", StringComparison.Ordinal) || f.StartsWith("Rce.Testing", StringComparison.Ordinal));

        // The handler never references the sandbox or the runner (design §6), so neither may ship with it.
        Assert.DoesNotContain(files, f => f.StartsWith("Rce.Sandbox", StringComparison.Ordinal) || f.StartsWith("Rce.Runner", StringComparison.Ordinal) || f is "rce-launch" or "rce-init" or "rce-setup" or "rce-bwrap");
        Assert.DoesNotContain(files, f => f.EndsWith(".xml", StringComparison.Ordinal) && f.StartsWith("Rce.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublishedExecutable_InHostedMode_AnswersOnTheCustomHandlerPort()
    {
        var dir = package.Require();
        var ct = TestContext.Current.CancellationToken;
        var (executable, workingDirectory) = CustomHandler(dir);
        var port = LoopbackPorts.Free();

        // As the Functions host starts it: the app root as working directory, the port in the
        // environment, the app settings as environment variables. Hosted mode does no storage I/O
        // at start, so no Azurite is needed for this.
        var info = new ProcessStartInfo(Path.Combine(dir, workingDirectory, executable))
        {
            WorkingDirectory = Path.Combine(dir, workingDirectory),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["FUNCTIONS_CUSTOMHANDLER_WORKER_ID"] = Guid.NewGuid().ToString();
        info.Environment["FUNCTIONS_APP_ROOT_PATH"] = dir;
        foreach (var (key, value) in PublishedPackage.MinimalSettings)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            var started = Stopwatch.StartNew();
            HttpResponseMessage? live = null;
            // The host gives a handler 60 s to listen; a published package should need a few.
            while (live is null && started.Elapsed < TimeSpan.FromSeconds(30))
            {
                Assert.False(process.HasExited, $"the published executable exited with {(process.HasExited ? process.ExitCode : 0)}:\n{output}");
                try
                {
                    live = await http.GetAsync("/api/health/live", ct);
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100, ct);
                }
            }

            Assert.True(live is not null, $"nothing listened on 127.0.0.1:{port} within 30 s:\n{output}");
            using (live)
            {
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            }

            using var root = await http.GetAsync("/", ct);
            Assert.True(root.IsSuccessStatusCode, $"GET / answered {(int)root.StatusCode}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static (string Executable, string WorkingDirectory) CustomHandler(string dir)
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "host.json")));
        var description = host.RootElement.GetProperty("customHandler").GetProperty("description");
        var workingDirectory = description.TryGetProperty("workingDirectory", out var wd) ? wd.GetString() ?? string.Empty : string.Empty;
        return (description.GetProperty("defaultExecutablePath").GetString()!, workingDirectory);
    }
}

/// <summary>
/// One <c>dotnet publish</c> of the Functions app per test class, into a fresh temporary folder.
/// Intermediate files go to a per-checkout cache under the temp folder (<c>--artifacts-path</c>), so
/// that a RID-specific restore never rewrites the checkout's obj/ folders (which other builds share)
/// and a second run is incremental (about 6 s instead of 25–45 s cold).
/// </summary>
public sealed class PublishedPackage : IAsyncLifetime
{
    /// <summary>Settings the executable needs to start (validated at start-up); no server behind them.</summary>
    public static readonly IReadOnlyDictionary<string, string> MinimalSettings = new Dictionary<string, string>
    {
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["Runners__Endpoints__0__BaseUrl"] = "http://127.0.0.1:9",
        ["Runners__Endpoints__0__Token"] = "publish-layout-token-0123456789",
        ["Redis__ConnectionString"] = "127.0.0.1:9",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private static readonly TimeSpan PublishBound = TimeSpan.FromMinutes(5);
    private string? _directory;
    private string? _failure;

    /// <summary>The published package, or a failure with dotnet's output.</summary>
    public string Require()
    {
        Assert.True(_failure is null, _failure);
        return _directory!;
    }

    public async ValueTask InitializeAsync()
    {
        var cacheRoot = Path.Combine(Path.GetTempPath(), "rce-publish-tests");
        var checkout = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RepoPaths.Root)))[..12];
        var artifacts = Path.Combine(cacheRoot, "artifacts-" + checkout);
        var output = Path.Combine(cacheRoot, "package-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(cacheRoot);

        // One publish per checkout at a time: the artifacts cache is not safe for concurrent builds.
        await using var gate = await ExclusiveFile.AcquireAsync(Path.Combine(cacheRoot, $"artifacts-{checkout}.lock"), PublishBound);
        var result = await ExternalCommand.RunAsync(
            "dotnet",
            ["publish", Path.Combine(RepoPaths.Root, "functions", "Rce.Functions"), "-c", "Release", "-o", output, "--artifacts-path", artifacts, "-nologo", "-v:q", "-clp:ErrorsOnly"],
            RepoPaths.Root,
            PublishBound);
        if (result.ExitCode != 0)
        {
            _failure = $"dotnet publish exited with {result.ExitCode} after {result.Duration.TotalSeconds:F0} s:\n{result.Output}";
            return;
        }

        _directory = output;
    }

    public ValueTask DisposeAsync()
    {
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>An exclusive lock on a file, held while the handle is open (released when the process dies, too).</summary>
internal sealed class ExclusiveFile : IAsyncDisposable
{
    private readonly FileStream _stream;

    private ExclusiveFile(FileStream stream) => _stream = stream;

    public static async Task<ExclusiveFile> AcquireAsync(string path, TimeSpan bound)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new ExclusiveFile(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (waited.Elapsed < bound)
            {
                await Task.Delay(250);
            }
        }
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}

/// <summary>Runs a command line tool (dotnet, bicep) to completion under a bound; its output is kept for failure messages.</summary>
public static class ExternalCommand
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Duration)
    {
        public string Output => (Stdout + "\n" + Stderr).Trim();
    }

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan bound)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The test host may run under `dotnet test`, whose MSBuild variables would steer a nested build.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";

        var started = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"{fileName} did not finish within {bound.TotalSeconds:F0} s:\n{await stdout}\n{await stderr}");
        }

        return new Result(process.ExitCode, await stdout, await stderr, started.Elapsed);
    }
}
