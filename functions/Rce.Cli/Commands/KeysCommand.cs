using System.CommandLine;
using Azure;
using Microsoft.Extensions.Configuration;
using Rce.Core.Tenancy;
using Rce.Infrastructure.Tenancy;

namespace Rce.Cli.Commands;

/// <summary>
/// <c>rce keys create|list|revoke</c>: manages tenants and API keys directly in the local stack's
/// storage (<see cref="KeysStorage"/>); no existing key is needed. Exit codes: 0 done, 1 the
/// operation failed (one line on stderr), 2 bad input.
/// </summary>
/// <remarks>Threat: a key's plaintext is printed once, by <c>create</c>, on stdout only; nothing else ever prints a secret or the storage connection string.</remarks>
internal static class KeysCommand
{
    public const int Failed = 1;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var data = new Option<string?>("--data")
        {
            Description = "Azurite data folder when no AzureWebJobsStorage is set (default .rce/azurite-data in the checkout, as `rce up`).",
            Recursive = true,
        };
        return new Command("keys", "Create, list and revoke API keys and tenants in the local stack's storage.")
        {
            data,
            KeysCreateCommand.Create(stdout, stderr, data),
            KeysListCommand.Create(stdout, stderr, data),
            KeysRevokeCommand.Create(stderr, data),
        };
    }

    /// <summary>Prints a bad-input line; returns exit code 2.</summary>
    public static async Task<int> BadInputAsync(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync("rce: error: " + message).ConfigureAwait(false);
        return CliApp.BadInput;
    }

    /// <summary>Opens the storage, runs <paramref name="body"/> on the key store, and turns failures into one line and exit 1.</summary>
    public static async Task<int> WithStoreAsync(string? data, TextWriter stderr, Func<IApiKeyStore, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        string message;
        try
        {
            var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            var storage = await KeysStorage.OpenAsync(environment, UpCommand.FindRoot(), data, cancellationToken).ConfigureAwait(false);
            await using var stopped = storage.ConfigureAwait(false);
            await stderr.WriteLineAsync("rce: storage: " + storage.Description).ConfigureAwait(false);
            return await body(new TableApiKeyStore(storage.Account), cancellationToken).ConfigureAwait(false);
        }
        catch (KeysFailure e)
        {
            message = e.Message;
        }
        catch (Exception e) when (Storage(e) is { } failed)
        {
            // Status and code only: the service's message text may echo request data.
            message = failed.Status == 0 ? "storage is unreachable" : $"storage answered {failed.Status} {failed.ErrorCode}";
        }
        catch (InvalidOperationException e)
        {
            // The store's own refusals (a key id that exists); their messages carry no secret.
            message = e.Message;
        }

        await stderr.WriteLineAsync("rce: error: " + message).ConfigureAwait(false);
        return Failed;
    }

    private static RequestFailedException? Storage(Exception e) => e switch
    {
        RequestFailedException failed => failed,
        AggregateException { InnerExceptions.Count: > 0 } aggregate => Storage(aggregate.InnerExceptions[^1]),
        _ => null,
    };
}
