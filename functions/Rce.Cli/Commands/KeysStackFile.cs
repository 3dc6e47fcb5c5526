using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rce.Cli.Commands;

/// <summary>
/// <c>.rce/stack.json</c>: what a running <c>rce up</c> serves, for local clients (<c>rce keys</c>).
/// Written by <c>up</c> once every child answers, removed when it stops; mode 0600, because the
/// storage connection string carries the run's Azurite account key. Never print its content.
/// </summary>
/// <param name="Pid">The <c>rce up</c> process.</param>
/// <param name="DataFolder">Azurite's data folder (absolute).</param>
/// <param name="StorageConnectionString">The <c>AzureWebJobsStorage</c> the Functions app was given (a secret).</param>
/// <param name="Ports">The loopback ports of the stack.</param>
/// <remarks>
/// The file alone proves nothing (a killed <c>up</c> leaves it behind): a client believes it only
/// while the data folder's lock is held (<see cref="TryLockData"/>) and the process is alive.
/// </remarks>
internal sealed record KeysStackFile(int Pid, string DataFolder, string StorageConnectionString, StackPorts Ports)
{
    private const string LockFileName = "rce.lock";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Whether the process that wrote the file is still running.</summary>
    [JsonIgnore]
    public bool IsAlive => Directory.Exists($"/proc/{Pid}");

    /// <summary><c>&lt;root&gt;/.rce/stack.json</c>.</summary>
    public static string PathIn(string root) => Path.Combine(root, ".rce", "stack.json");

    /// <summary>Writes the file atomically (a reader sees the old file or the whole new one), created with mode 0600.</summary>
    public static void Write(string path, KeysStackFile state)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.Delete(temporary);

        // The mode is set at creation: there is no moment where the key is readable by others.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, state, Json);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads the file; null when it is missing or unreadable.</summary>
    public static KeysStackFile? TryRead(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<KeysStackFile>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Removes the file if <paramref name="pid"/> wrote it (a later <c>up</c>'s file is left alone).</summary>
    public static void DeleteIfOwned(string path, int pid)
    {
        if (TryRead(path) is { } state && state.Pid == pid)
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Takes the exclusive lock of a data folder (<c>&lt;data&gt;/rce.lock</c>, an advisory
    /// <c>flock</c> that the kernel releases when the holder exits, however it exits).
    /// </summary>
    /// <returns>The lock (dispose to release), or null when another process holds it.</returns>
    public static FileStream? TryLockData(string dataFolder)
    {
        Directory.CreateDirectory(dataFolder);
        try
        {
            // FileShare.None is an exclusive, non-blocking flock on Linux.
            return new FileStream(Path.Combine(dataFolder, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}

/// <summary>The loopback ports of a running stack.</summary>
internal sealed record StackPorts(int Functions, int Runner, int Blob, int Queue, int Table, int Redis);
