using Azure;
using Azure.Data.Tables;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// One table of the workflow, created when first used (once per process) and again, once, if it
/// disappears while the process runs (an operator or a test reset deleted it).
/// </summary>
internal sealed class StorageTable
{
    private readonly CreateOnce _created;

    /// <summary>Wraps the table <paramref name="name"/> of <paramref name="service"/>.</summary>
    /// <param name="service">The table service.</param>
    /// <param name="name">The table name.</param>
    public StorageTable(TableServiceClient service, string name)
    {
        Client = service.GetTableClient(name);
        _created = new CreateOnce(async ct => await Client.CreateIfNotExistsAsync(ct).ConfigureAwait(false));
    }

    /// <summary>The table client.</summary>
    public TableClient Client { get; }

    /// <summary>
    /// Runs <paramref name="operation"/> once the table exists; on 404 TableNotFound recreates it and
    /// runs the operation once more. The operation must be safe to run twice after that 404 (it did
    /// nothing the first time: the table was not there).
    /// </summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="operation">The table call(s); lazy queries must be consumed inside it.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The operation's result.</returns>
    public async Task<T> RunAsync<T>(Func<TableClient, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await operation(Client, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException error) when (StorageErrors.IsTableNotFound(error))
        {
            _created.Reset();
            await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
            return await operation(Client, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><see cref="RunAsync{T}"/> for an operation without a result.</summary>
    /// <param name="operation">The table call(s).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>A task.</returns>
    public Task RunAsync(Func<TableClient, CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        RunAsync<bool>(
            async (table, ct) =>
            {
                await operation(table, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
}
