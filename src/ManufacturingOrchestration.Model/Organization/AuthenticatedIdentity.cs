namespace ManufacturingOrchestration.Model;

/// <summary>
/// A person or system account the host has authenticated: who, when and how. Signatures, approvals, delegations,
/// reassignments and operator actions take this, never a name inside a payload: the host builds it from its own
/// authentication (ASP.NET Core's authenticated user, a verified token) at the moment the person acts. The roles the
/// actor holds come from the actor directory, at the site the action concerns.
/// </summary>
/// <remarks>
/// A signature binds the signer's identity to the record (21 CFR Part 11 §11.200): the orchestrator refuses a signature
/// whose authentication is older than the configured re-authentication window, and records the time and method of
/// authentication with it.
/// </remarks>
public sealed record AuthenticatedIdentity
{
    /// <summary>The authenticated actor, as the actor directory knows it.</summary>
    public required ActorId Actor { get; init; }

    /// <summary>When the actor last proved who they are (entered credentials, presented a token issued then).</summary>
    public required DateTimeOffset AuthenticatedAt { get; init; }

    /// <summary>How: a short name of the authentication method such as <c>pwd</c>, <c>otp</c>, <c>smartcard</c> or <c>oidc</c> (an identifier).</summary>
    public required string Method { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Actor} (authenticated by {Method} at {AuthenticatedAt:O})";
}
