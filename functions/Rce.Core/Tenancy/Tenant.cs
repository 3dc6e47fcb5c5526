namespace Rce.Core.Tenancy;

/// <summary>A tenant: one LMS installation; it sees only its own submissions.</summary>
/// <param name="Name">Tenant name (1–63 of <c>[a-z0-9-]</c>, starting with a letter or digit).</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record Tenant(string Name, DateTimeOffset CreatedAt);
