using System.Diagnostics.CodeAnalysis;

namespace Rce.Core.Tenancy;

/// <summary>
/// The rule for tenant names: 1–63 characters of <c>[a-z0-9-]</c>, starting with a letter or digit.
/// </summary>
/// <remarks>
/// Tenant names become table keys, blob folders, Redis key parts and log fields: the narrow alphabet
/// keeps them safe in all of these (no <c>/</c>, <c>#</c>, <c>?</c>, braces, quotes or control
/// characters) and unambiguous (lowercase only, so <c>Acme</c> and <c>acme</c> cannot be two tenants).
/// </remarks>
public static class TenantName
{
    /// <summary>Longest name.</summary>
    public const int MaxLength = 63;

    private const string Rule = "a tenant name is 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit";

    /// <summary>Whether <paramref name="name"/> follows the rule.</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || name[0] == '-')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks <paramref name="name"/> and says what is wrong (without echoing it).</summary>
    /// <param name="name">The name.</param>
    /// <param name="error">One line stating the rule, when invalid.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool TryValidate(string? name, [NotNullWhen(false)] out string? error)
    {
        error = IsValid(name) ? null : Rule;
        return error is null;
    }
}
