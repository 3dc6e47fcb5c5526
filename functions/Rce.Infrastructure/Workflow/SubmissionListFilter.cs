using Azure.Data.Tables;
using Rce.Core.Submissions;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// The OData filter of a listing. Every value goes through <see cref="TableClient.CreateQueryFilter(FormattableString)"/>,
/// which quotes and escapes it. Threat: a tenant name or any other value pasted into the filter text
/// could otherwise close the string and widen the query to other tenants' rows.
/// </summary>
internal static class SubmissionListFilter
{
    /// <summary>The filter of <paramref name="query"/>: tenant equality, optional status OR-list, optional creation-time range.</summary>
    /// <param name="query">The query.</param>
    /// <returns>The filter text.</returns>
    public static string Build(SubmissionQuery query)
    {
        var clauses = new List<string> { TableClient.CreateQueryFilter($"Tenant eq {query.Tenant}") };
        if (query.Statuses is { Count: > 0 } statuses)
        {
            var alternatives = statuses.Distinct().Select(status => TableClient.CreateQueryFilter($"Status eq {status.ToString()}"));
            clauses.Add("(" + string.Join(" or ", alternatives) + ")");
        }

        if (query.CreatedFrom is { } from)
        {
            clauses.Add(TableClient.CreateQueryFilter($"CreatedTime ge {from}"));
        }

        if (query.CreatedTo is { } to)
        {
            clauses.Add(TableClient.CreateQueryFilter($"CreatedTime le {to}"));
        }

        return string.Join(" and ", clauses);
    }
}
