using System.Globalization;
using System.Security.Claims;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Hosting;

/// <summary>
/// Turns the user a host authenticated — ASP.NET Core's <c>HttpContext.User</c>, or the principal of a verified token —
/// into the <see cref="AuthenticatedIdentity"/> the orchestrator's signing and operator methods take. The actor is the
/// subject (<c>sub</c>, else <see cref="ClaimTypes.NameIdentifier"/>); the time of authentication is the OpenID Connect
/// <c>auth_time</c> claim (seconds since 1970), else the token's <c>iat</c>; the method is the first <c>amr</c> value, else
/// the identity's authentication type.
/// </summary>
public static class ClaimsIdentities
{
    /// <summary>Maps an authenticated principal to the identity the orchestrator takes.</summary>
    /// <param name="principal">The principal the host authenticated.</param>
    /// <returns>The identity.</returns>
    /// <exception cref="ManufacturingOrchestrationException">
    /// The principal is not authenticated, or lacks a subject or a time of authentication
    /// (<see cref="ReasonCodes.ApprovalUnauthenticated"/>): the orchestrator never assumes who acts.
    /// </exception>
    public static AuthenticatedIdentity FromPrincipal(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var identity = principal.Identities.FirstOrDefault(i => i.IsAuthenticated)
            ?? throw Unauthenticated("The principal is not authenticated.");
        var subject = identity.FindFirst("sub")?.Value ?? identity.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        if (!Identifier.IsValid(subject, out var problem))
        {
            throw Unauthenticated($"The principal's subject (sub or NameIdentifier claim) {problem}.");
        }

        var time = identity.FindFirst("auth_time")?.Value ?? identity.FindFirst("iat")?.Value;
        if (!long.TryParse(time, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw Unauthenticated($"The principal of '{subject}' carries no auth_time or iat claim in seconds since 1970, so when they authenticated is unknown.");
        }

        var method = identity.FindFirst("amr")?.Value ?? identity.AuthenticationType;
        if (!Identifier.IsValid(method, out problem))
        {
            throw Unauthenticated($"The authentication method of '{subject}' (amr claim or authentication type) {problem}.");
        }

        return new AuthenticatedIdentity { Actor = new ActorId(subject), AuthenticatedAt = DateTimeOffset.FromUnixTimeSeconds(seconds), Method = method };
    }

    private static ManufacturingOrchestrationException Unauthenticated(string message) => new(ReasonCodes.ApprovalUnauthenticated, message);
}
