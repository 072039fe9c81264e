namespace ManufacturingOrchestration.Hosting;

/// <summary>Which claims of a principal say when the person authenticated (<see cref="ClaimsIdentities.FromPrincipal"/>).</summary>
public enum AuthenticationTimeSource
{
    /// <summary>
    /// The OpenID Connect <c>auth_time</c> claim alone: the time of the sign-in, which a token refresh keeps. The default,
    /// and the one a signature's re-authentication window can rely on.
    /// </summary>
    AuthTimeClaim,

    /// <summary>
    /// <c>auth_time</c>, else the token's <c>iat</c> (when it was issued). Only for an identity provider that issues a
    /// token at sign-in and never refreshes it: otherwise a refreshed token makes an old sign-in look fresh.
    /// </summary>
    AuthTimeOrIssuedAt,
}
