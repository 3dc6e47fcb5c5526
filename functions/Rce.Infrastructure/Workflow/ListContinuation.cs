using System.Buffers.Text;
using System.Text;

namespace Rce.Infrastructure.Workflow;

/// <summary>
/// The continuation token of a listing: "resume after this index entry", as <c>i1.</c> + the
/// base64url of the entry's RowKey. Opaque to clients (the <c>i1.</c> version lets the format change).
/// </summary>
/// <remarks>
/// Threat: the token comes back from the client and may be forged. It only moves the start inside
/// the partition of the caller's own tenant, which the store takes from the query, never from the
/// token; so a forged or another tenant's token can skip rows but never reveal any. It is parsed
/// strictly and then passed as a quoted filter value, so it cannot change the filter's shape.
/// </remarks>
internal static class ListContinuation
{
    private const string Version = "i1.";

    /// <summary>The token that resumes after <paramref name="rowKey"/>.</summary>
    /// <param name="rowKey">The last index entry the page examined.</param>
    /// <returns>The token.</returns>
    public static string Encode(string rowKey) => Version + Base64Url.EncodeToString(Encoding.ASCII.GetBytes(rowKey));

    /// <summary>The RowKey a token resumes after.</summary>
    /// <param name="token">A token from <see cref="Encode"/>.</param>
    /// <returns>The RowKey.</returns>
    /// <exception cref="FormatException">Not a token of this store (the caller's fault: a 400).</exception>
    public static string Decode(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.StartsWith(Version, StringComparison.Ordinal) && token.Length <= 512)
        {
            try
            {
                var rowKey = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(token.AsSpan(Version.Length)));
                if (SubmissionIndexKeys.TryParse(rowKey, out _, out _))
                {
                    return rowKey;
                }
            }
            catch (FormatException)
            {
                // Not base64url: falls through to the one error below.
            }
        }

        throw new FormatException("Not a continuation token of this listing.");
    }
}
