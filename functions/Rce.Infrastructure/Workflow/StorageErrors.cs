using Azure;
using Azure.Data.Tables.Models;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues.Models;

namespace Rce.Infrastructure.Workflow;

/// <summary>Classifies the storage answers the workflow stores treat as outcomes rather than failures.</summary>
internal static class StorageErrors
{
    private static readonly string TableNotFound = TableErrorCode.TableNotFound.ToString();
    private static readonly string ContainerNotFound = BlobErrorCode.ContainerNotFound.ToString();
    private static readonly string QueueNotFound = QueueErrorCode.QueueNotFound.ToString();

    /// <summary>412: the row changed since it was read (another writer won the compare-and-set).</summary>
    public static bool IsConditionFailed(RequestFailedException error) => error.Status == 412;

    /// <summary>409: the key exists already (insert of an existing row).</summary>
    public static bool IsConflict(RequestFailedException error) => error.Status == 409;

    /// <summary>404 for any reason (row, blob, table, container or queue missing).</summary>
    public static bool IsNotFound(RequestFailedException error) => error.Status == 404;

    /// <summary>404 TableNotFound: the table was deleted since this process created it.</summary>
    public static bool IsTableNotFound(RequestFailedException error) => error.Status == 404 && Is(error, TableNotFound);

    /// <summary>404 ContainerNotFound.</summary>
    public static bool IsContainerNotFound(RequestFailedException error) => error.Status == 404 && Is(error, ContainerNotFound);

    /// <summary>404 QueueNotFound.</summary>
    public static bool IsQueueNotFound(RequestFailedException error) => error.Status == 404 && Is(error, QueueNotFound);

    /// <summary>Status and code for logs; never the service's message text (it may echo request data).</summary>
    public static string Describe(Exception error) => error switch
    {
        RequestFailedException storage => $"{storage.Status} {storage.ErrorCode}",
        AggregateException { InnerExceptions.Count: > 0 } aggregate => Describe(aggregate.InnerExceptions[^1]),
        _ => error.GetType().Name,
    };

    private static bool Is(RequestFailedException error, string code) =>
        string.Equals(error.ErrorCode, code, StringComparison.Ordinal);
}
