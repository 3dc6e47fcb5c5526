using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Rce.Cli.Commands;

/// <summary>
/// <c>rce up</c>: starts the local stack in the foreground — today the runner, with a generated
/// token — prints its URL and a curl example, and stops everything it started on SIGINT or SIGTERM.
/// </summary>
/// <remarks>
/// Servers are supervised foreground children, never daemonised; stdin is never read. A second
/// <c>up</c> while one runs fails with one line naming the busy port.
/// </remarks>
internal static class UpCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var port = new Option<int>("--port") { Description = "Runner port on 127.0.0.1 (default 5080).", DefaultValueFactory = _ => 5080 };
        var command = new Command("up", "Start the local stack (the runner) in the foreground; Ctrl-C or SIGTERM stops it.") { port };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(port), stdout, stderr, ct));
        return command;
    }

    private static async Task<int> RunAsync(int port, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!PortIsFree(port))
        {
            await stderr.WriteLineAsync($"rce: error: port {port} is busy (is another `rce up` running?)").ConfigureAwait(false);
            return 1;
        }

        var runnerDll = FindRunner();
        if (runnerDll is null)
        {
            await stderr.WriteLineAsync("rce: error: the runner is not built; run ./rce up from the checkout").ConfigureAwait(false);
            return 1;
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var url = $"http://127.0.0.1:{port}";
        using var runner = StartRunner(runnerDll, url, token);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, cancellationToken);

        if (!await WaitReadyAsync(runner, url, linked.Token).ConfigureAwait(false))
        {
            await StopAsync(runner).ConfigureAwait(false);
            if (linked.IsCancellationRequested)
            {
                return 0;
            }

            await stderr.WriteLineAsync($"rce: error: the runner exited before it was ready (exit {(runner.HasExited ? runner.ExitCode : -1)})").ConfigureAwait(false);
            return 1;
        }

        await stdout.WriteLineAsync($"runner   {url}  (token {token})").ConfigureAwait(false);
        await stdout.WriteLineAsync($"health   {url}/health").ConfigureAwait(false);
        await stdout.WriteLineAsync($"try      curl -s {url}/v1/executions -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' -d '{{\"language\":\"python\",\"source\":\"print(6*7)\",\"stdin\":\"\"}}'").ConfigureAwait(false);
        await stdout.WriteLineAsync("ready    (Ctrl-C or SIGTERM stops everything)").ConfigureAwait(false);
        await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        try
        {
            await runner.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            await stderr.WriteLineAsync($"rce: error: the runner exited unexpectedly (exit {runner.ExitCode})").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            await StopAsync(runner).ConfigureAwait(false);
            return 0;
        }
    }

    private static Process StartRunner(string dll, string url, string token)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardInput = true };
        info.ArgumentList.Add(dll);
        info.Environment["Runner__Token"] = token;
        info.Environment["Runner__Urls"] = url;

        // Our stdout carries the URLs and the curl example; the runner's logs go to stderr.
        info.Environment["Logging__Console__LogToStandardErrorThreshold"] = "Trace";
        info.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        var process = Process.Start(info) ?? throw new InvalidOperationException("the runner did not start");
        process.StandardInput.Close();
        return process;
    }

    private static async Task<bool> WaitReadyAsync(Process runner, string url, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (!runner.HasExited && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var health = await client.GetAsync(new Uri(url + "/health"), cancellationToken).ConfigureAwait(false);
                if (health.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            try
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>SIGTERM, then wait for the exit (so the port is free when we return); SIGKILL after 10 s.</summary>
    private static async Task StopAsync(Process runner)
    {
        if (runner.HasExited)
        {
            return;
        }

        // SIGTERM lets the runner finish its boxes and stop cleanly.
        using (var kill = Process.Start("/usr/bin/kill", ["-TERM", runner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await runner.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            runner.Kill(entireProcessTree: true);
            await runner.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static bool PortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string? FindRunner()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RceFunctions.sln")))
            {
                var dll = Path.Combine(dir.FullName, "functions", "Rce.Runner", "bin", "Release", "net10.0", "Rce.Runner.dll");
                return File.Exists(dll) ? dll : null;
            }
        }

        return null;
    }
}
