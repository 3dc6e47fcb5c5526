namespace Rce.Core.Tenancy;

/// <summary>
/// Why a request was not authenticated. The HTTP layer answers every reason alike (401), so that a
/// caller learns nothing about which keys exist or were revoked; the reason is for logs only.
/// </summary>
public enum AuthFailureReason
{
    /// <summary>Authenticated: no failure.</summary>
    None = 0,

    /// <summary>No key was presented.</summary>
    Missing = 1,

    /// <summary>The presented text is not a well-formed key.</summary>
    Malformed = 2,

    /// <summary>No key has this key id.</summary>
    Unknown = 3,

    /// <summary>The key is right but revoked.</summary>
    Revoked = 4,

    /// <summary>The key id exists but the secret does not match it.</summary>
    WrongSecret = 5,
}
