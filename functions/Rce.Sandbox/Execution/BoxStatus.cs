using System.Text.Json;

namespace Rce.Sandbox.Execution;

/// <summary>bwrap's <c>--json-status-fd</c> record: did the program start, and how did it end.</summary>
/// <remarks>
/// Without a <c>child-pid</c> line the program never started: the failure is the sandbox's (IE),
/// never the program's, however bwrap's own exit code looks.
/// </remarks>
internal readonly record struct BoxStatus(bool Started, int? ExitCode, int? ChildPid)
{
    public static BoxStatus Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException)
        {
            return default;
        }

        var started = false;
        int? exit = null;
        int? child = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("child-pid", out var pid))
                {
                    started = true;
                    child = pid.GetInt32();
                }

                if (doc.RootElement.TryGetProperty("exit-code", out var code))
                {
                    exit = code.GetInt32();
                }
            }
            catch (JsonException)
            {
            }
        }

        return new BoxStatus(started, exit, child);
    }
}
