using System.Globalization;
using System.Security.Claims;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Hosting;

/// <summary>
/// Turns the user a host authenticated — ASP.NET Core's <c>HttpContext.User</c>, or the principal of a verified token —
/// into the <see cref="AuthenticatedIdentity"/> the orchestrator's signing and operator methods take. The actor is the
/// subject (<c>sub</c>, else <see cref="ClaimTypes.NameIdentifier"/>); the time of authentication is the OpenID Connect
/// <c>auth_time</c> claim (seconds since 1970) — the token's <c>iat</c> only where the host says its tokens are issued at
/// sign-in alone (<see cref="AuthenticationTimeSource.AuthTimeOrIssuedAt"/>); the method is the first <c>amr</c> value,
/// else the identity's authentication type.
/// </summary>
public static class ClaimsIdentities
{
    /// <summary>Maps an authenticated principal to the identity the orchestrator takes.</summary>
    /// <param name="principal">The principal the host authenticated.</param>
    /// <param name="timeSource">
    /// Which claims say when the person authenticated: <c>auth_time</c> alone (the default), or <c>auth_time</c> else
    /// <c>iat</c>. A token's <c>iat</c> says when it was issued, and a token refreshed without a new sign-in is issued
    /// anew: accepting it would let a signature pass the re-authentication window on a sign-in hours old.
    /// </param>
    /// <returns>The identity.</returns>
    /// <exception cref="ManufacturingOrchestrationException">
    /// The principal is not authenticated, or lacks a subject or a time of authentication
    /// (<see cref="ReasonCodes.ApprovalUnauthenticated"/>): the orchestrator never assumes who acts.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeSource"/> is not one of its values.</exception>
    public static AuthenticatedIdentity FromPrincipal(ClaimsPrincipal principal, AuthenticationTimeSource timeSource = AuthenticationTimeSource.AuthTimeClaim)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (timeSource is not (AuthenticationTimeSource.AuthTimeClaim or AuthenticationTimeSource.AuthTimeOrIssuedAt))
        {
            throw new ArgumentOutOfRangeException(nameof(timeSource), timeSource, "The source of the time of authentication must be one of AuthenticationTimeSource's values.");
        }

        var identity = principal.Identities.FirstOrDefault(i => i.IsAuthenticated)
            ?? throw Unauthenticated("The principal is not authenticated.");
        var subject = identity.FindFirst("sub")?.Value ?? identity.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        if (!Identifier.IsValid(subject, out var problem))
        {
            throw Unauthenticated($"The principal's subject (sub or NameIdentifier claim) {problem}.");
        }

        var time = identity.FindFirst("auth_time")?.Value
            ?? (timeSource == AuthenticationTimeSource.AuthTimeOrIssuedAt ? identity.FindFirst("iat")?.Value : null);
        if (!TryReadSeconds(time, out var seconds))
        {
            throw Unauthenticated(timeSource == AuthenticationTimeSource.AuthTimeOrIssuedAt
                ? $"The principal of '{subject}' carries no auth_time or iat claim in seconds since 1970, so when they authenticated is unknown."
                : $"The principal of '{subject}' carries no auth_time claim in seconds since 1970, so when they authenticated is unknown. A token's iat says when the token was issued, which a refresh renews without a sign-in; accept it (AuthenticationTimeSource.AuthTimeOrIssuedAt) only where tokens are issued at sign-in alone.");
        }

        var method = identity.FindFirst("amr")?.Value ?? identity.AuthenticationType;
        if (!Identifier.IsValid(method, out problem))
        {
            throw Unauthenticated($"The authentication method of '{subject}' (amr claim or authentication type) {problem}.");
        }

        return new AuthenticatedIdentity { Actor = new ActorId(subject), AuthenticatedAt = DateTimeOffset.FromUnixTimeSeconds(seconds), Method = method };
    }

    // A NumericDate may carry a fraction of a second (RFC 7519): the second it fell in.
    private static bool TryReadSeconds(string? text, out long seconds)
    {
        seconds = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        seconds = (long)decimal.Truncate(value);
        return true;
    }

    private static ManufacturingOrchestrationException Unauthenticated(string message) => new(ReasonCodes.ApprovalUnauthenticated, message);
}
