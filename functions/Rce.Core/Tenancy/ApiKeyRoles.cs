namespace Rce.Core.Tenancy;

/// <summary>What a key may do. <c>submit</c> creates submissions and batches, <c>read</c> reads them
/// and the management routes that only read, <c>admin</c> terminates, purges, restarts and manages keys.</summary>
[Flags]
public enum ApiKeyRoles
{
    /// <summary>No role: the key authenticates but may do nothing.</summary>
    None = 0,

    /// <summary>Create submissions and batches.</summary>
    Submit = 1,

    /// <summary>Read submissions, batches, instances and queue statistics.</summary>
    Read = 2,

    /// <summary>Terminate, purge, restart instances; manage keys.</summary>
    Admin = 4,
}
