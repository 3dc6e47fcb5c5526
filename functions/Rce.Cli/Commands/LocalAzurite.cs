using System.Diagnostics;
using System.Security.Cryptography;

namespace Rce.Cli.Commands;

/// <summary>The local Azurite of <c>rce up</c> and <c>rce keys</c>: where it is installed, its account key, its connection string, its start.</summary>
internal static class LocalAzurite
{
    /// <summary><c>&lt;root&gt;/.rce/azurite/node_modules/azurite/dist/src/azurite.js</c> (installed by ./rce).</summary>
    internal static string Script(string root) => Path.Combine(root, ".rce", "azurite", "node_modules", "azurite", "dist", "src", "azurite.js");

    /// <summary>
    /// A fresh account key per run, given to Azurite (AZURITE_ACCOUNTS) and to its clients: no key
    /// lives in the repository, and the data folder does not depend on it.
    /// </summary>
    internal static string NewAccountKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));

    /// <summary>The connection string of a local Azurite. A secret (it carries the account key): never print it.</summary>
    internal static string ConnectionString(string accountKey, int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={accountKey};"
        + $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";

    /// <summary>Starts Azurite over <paramref name="data"/> on loopback ports, as a child that exits when this process dies.</summary>
    internal static Process Start(string script, string data, string accountKey, int blobPort, int queuePort, int tablePort, Action<string> output) =>
        ChildProcesses.Start("node", ["--import", ParentWatchdog, script, "--disableTelemetry", "--skipApiVersionCheck", "--silent", "--location", data,
            "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", $"{blobPort}", "--queuePort", $"{queuePort}", "--tablePort", $"{tablePort}"],
            new Dictionary<string, string> { ["AZURITE_ACCOUNTS"] = $"devstoreaccount1:{accountKey}" }, output, watchParent: false);

    // Exits node once it is re-parented (we died without stopping it, e.g. SIGKILL): an orphaned
    // Azurite would keep writing the data folder after its lock was released.
    private const string ParentWatchdog =
        "data:text/javascript,const p=process.ppid;setInterval(()=>{if(process.ppid!==p)process.exit(1)},1000).unref()";
}
