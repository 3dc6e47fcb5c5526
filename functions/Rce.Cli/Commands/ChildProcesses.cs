using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rce.Cli.Commands;

/// <summary>The children of <c>rce up</c> (and the Azurite of <c>rce keys</c>): started supervised, waited for, stopped.</summary>
internal static class ChildProcesses
{
    // Runs "$@" in the background and waits for it. Every second it compares its own parent with the
    // one it started under: a different one means whoever started it died without stopping it, and
    // the child is stopped (TERM, then waited for). A TERM or INT to the shell is passed on to the
    // child and waited for, so that the caller's stop still means "the port is free". dash-compatible.
    private const string Watchdog =
        "up=$PPID; \"$@\" & child=$!; "
        + "trap 'kill -TERM \"$child\" 2>/dev/null; wait \"$child\"; exit $?' TERM INT; "
        + "while kill -0 \"$child\" 2>/dev/null; do "
        + "read -r _ _ _ parent _ < /proc/$$/stat; "
        + "if [ \"$parent\" != \"$up\" ]; then kill -TERM \"$child\" 2>/dev/null; break; fi; "
        + "sleep 1 & wait $!; done; wait \"$child\"";

    /// <summary>
    /// Starts <paramref name="file"/> as a supervised foreground child: stdin closed, stdout to
    /// <paramref name="output"/>, stderr inherited. With <paramref name="watchParent"/>, it runs under
    /// a small shell (<see cref="Watchdog"/>) that stops it when this process is gone without
    /// stopping it (a SIGKILL), so no server outlives <c>rce up</c>; a SIGTERM to the returned
    /// process is passed on to the child and waited for.
    /// </summary>
    internal static Process Start(string file, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, Action<string> output, bool watchParent = true)
    {
        var info = new ProcessStartInfo(watchParent ? "/bin/sh" : file) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        // Our stdout carries the URLs and the curl example; the children's logs go to stderr.
        info.Environment["Logging__Console__LogToStandardErrorThreshold"] = "Trace";
        if (watchParent)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(Watchdog);
            info.ArgumentList.Add("rce-child");

            // dash drops the variables whose names are not shell names, among them every setting
            // with a dot (Logging__LogLevel__Rce.Core): env sets them again for the child. They are
            // then on its command line, which other local users can read; our own settings with
            // secrets (tokens, connection strings) have no dot and stay in the environment.
            var unshellable = info.Environment.Where(e => e.Value is not null && !IsShellName(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
            if (unshellable.Count > 0)
            {
                info.ArgumentList.Add("/usr/bin/env");
                foreach (var (key, value) in unshellable)
                {
                    info.ArgumentList.Add(key + "=" + value);
                }
            }

            info.ArgumentList.Add(file);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException(file + " did not start");
        process.StandardInput.Close(); // never reads our stdin

        // A child's stdout (Azurite prints there even when silent) never reaches our stdout, which is the URLs only.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output(e.Data);
            }
        };
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>Whether a POSIX shell keeps a variable of this name: letters, digits and underscores, not starting with a digit.</summary>
    internal static bool IsShellName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    internal static async Task<bool> WaitReadyAsync(Process runner, string url, CancellationToken cancellationToken, bool anyAnswer = false)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (!runner.HasExited && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var health = await client.GetAsync(new Uri(url), cancellationToken).ConfigureAwait(false);
                if (health.IsSuccessStatusCode || anyAnswer)
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
    internal static async Task StopAsync(Process runner)
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

    /// <summary>Whether nothing listens on <paramref name="port"/> of 127.0.0.1 (it can be bound now).</summary>
    internal static bool PortIsFree(int port)
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
}
