using System.Diagnostics.CodeAnalysis;

namespace Rce.Core.Tenancy;

/// <summary>
/// The text form of <see cref="ApiKeyRoles"/>: a comma-separated list of <c>submit</c>, <c>read</c>
/// and <c>admin</c>. Parsing ignores case and spaces around names; formatting is lowercase, in that
/// fixed order, so that one set of roles has one text.
/// </summary>
public static class ApiKeyRolesText
{
    /// <summary>Every role, as text.</summary>
    public const string AllRoles = "submit,read,admin";

    /// <summary>Every defined role flag.</summary>
    public const ApiKeyRoles Known = ApiKeyRoles.Submit | ApiKeyRoles.Read | ApiKeyRoles.Admin;

    private const int MaxEchoedLength = 20;

    private static readonly (string Name, ApiKeyRoles Role)[] Names =
        [("submit", ApiKeyRoles.Submit), ("read", ApiKeyRoles.Read), ("admin", ApiKeyRoles.Admin)];

    /// <summary>Parses a list such as <c>Submit, read</c>. At least one role; repeats are allowed.</summary>
    /// <param name="text">The list.</param>
    /// <param name="roles">The roles, when valid.</param>
    /// <param name="error">One line saying what is wrong, when invalid.</param>
    /// <returns>Whether the list is valid.</returns>
    public static bool TryParse(string? text, out ApiKeyRoles roles, [NotNullWhen(false)] out string? error)
    {
        roles = ApiKeyRoles.None;
        var parsed = ApiKeyRoles.None;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"no role given (roles: {AllRoles})";
            return false;
        }

        foreach (var part in text.Split(','))
        {
            var name = part.Trim();
            var match = Array.FindIndex(Names, n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));
            if (match < 0)
            {
                error = name.Length == 0 ? $"empty role in the list (roles: {AllRoles})" : $"unknown role {Echo(name)} (roles: {AllRoles})";
                return false;
            }

            parsed |= Names[match].Role;
        }

        roles = parsed;
        error = null;
        return true;
    }

    /// <summary>Formats roles as <c>submit,read,admin</c> (the set ones, in that order); <see cref="ApiKeyRoles.None"/> is the empty string.</summary>
    /// <param name="roles">The roles; unknown flags are left out.</param>
    /// <returns>The list.</returns>
    public static string Format(ApiKeyRoles roles) =>
        string.Join(',', Names.Where(n => (roles & n.Role) != 0).Select(n => n.Name));

    // The name is echoed only when it is short and plain, so that an error line stays one harmless line.
    private static string Echo(string name) =>
        name.Length <= MaxEchoedLength && name.All(char.IsAsciiLetterOrDigit) ? $"'{name}'" : "(not shown)";
}
