using System.Diagnostics.CodeAnalysis;

namespace Rce.Core.Tenancy;

/// <summary>The outcome of <see cref="ApiKeyAuthenticator.AuthenticateAsync"/>: a principal, or a failure reason.</summary>
public sealed class AuthenticationResult
{
    private static readonly AuthenticationResult[] Failures =
        [.. Enum.GetValues<AuthFailureReason>().Select(r => new AuthenticationResult(null, r))];

    private AuthenticationResult(ApiKeyPrincipal? principal, AuthFailureReason failure)
    {
        Principal = principal;
        Failure = failure;
    }

    /// <summary>Whether the request is authenticated (then <see cref="Principal"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(Principal))]
    public bool Succeeded => Principal is not null;

    /// <summary>The authenticated principal, or null.</summary>
    public ApiKeyPrincipal? Principal { get; }

    /// <summary>Why authentication failed (for logs only); <see cref="AuthFailureReason.None"/> on success.</summary>
    public AuthFailureReason Failure { get; }

    /// <summary>A success.</summary>
    /// <param name="principal">The principal.</param>
    /// <returns>The result.</returns>
    public static AuthenticationResult Success(ApiKeyPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return new AuthenticationResult(principal, AuthFailureReason.None);
    }

    /// <summary>A failure.</summary>
    /// <param name="reason">Why (not <see cref="AuthFailureReason.None"/>).</param>
    /// <returns>The result (a shared instance).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The reason is None or undefined.</exception>
    public static AuthenticationResult Fail(AuthFailureReason reason)
    {
        if (reason == AuthFailureReason.None || !Enum.IsDefined(reason))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "A failure needs a reason.");
        }

        return Failures[(int)reason];
    }
}
