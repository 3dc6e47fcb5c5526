using System.Net;

namespace Rce.Benchmarks;

/// <summary>
/// The Functions app (<c>Rce.Functions.dll</c>) as a child process in self-hosted mode (no
/// <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>): the HTTP API and the queue listeners in one process, as
/// <c>./rce up</c> runs it. Its environment comes from <see cref="PipelineStack"/>.
/// </summary>
internal sealed class FunctionsProcess : IAsyncDisposable
{
    private readonly DotnetChild _child;

    private FunctionsProcess(DotnetChild child) => _child = child;

    /// <summary>Time from starting the process until <c>GET /api/health/live</c> answered 200.</summary>
    public TimeSpan Startup { get; private set; }

    /// <summary>The app's process id (its CPU time is read from <c>/proc</c>).</summary>
    public int ProcessId => _child.ProcessId;

    /// <summary>The app: <paramref name="configured"/>, or the Release build in the checkout this benchmark was built from.</summary>
    public static string Locate(string? configured) => CheckoutBuild.Locate(configured, "Rce.Functions", "the Functions app", "--functions-dll");

    /// <summary>Starts the app with exactly <paramref name="environment"/> added to ours, and waits until <paramref name="ready"/> answers 200 through <paramref name="client"/>.</summary>
    public static async Task<FunctionsProcess> StartAsync(string dll, IReadOnlyDictionary<string, string> environment, HttpClient client, Uri ready, TimeSpan timeout)
    {
        var app = new FunctionsProcess(DotnetChild.Start(dll, "the Functions app", environment));
        try
        {
            app.Startup = await app._child.WaitReadyAsync(
                async () =>
                {
                    using var response = await client.GetAsync(ready);
                    return response.StatusCode == HttpStatusCode.OK ? null : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                },
                timeout);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the app the way a service manager does (SIGTERM: listeners drain), killing it if it does not exit.</summary>
    public ValueTask DisposeAsync() => _child.DisposeAsync();
}
