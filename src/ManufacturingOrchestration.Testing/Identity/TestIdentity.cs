using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// Identities for tests and samples, standing in for the host's authentication: who signs or acts is still checked
/// against the actor directory, and a signature against the re-authentication window, exactly as in production.
/// </summary>
public static class TestIdentity
{
    /// <summary>The authentication method recorded for test identities.</summary>
    public const string Method = "test";

    /// <summary>An identity for <paramref name="actor"/>, authenticated at the clock's current time.</summary>
    /// <param name="actor">The actor.</param>
    /// <param name="timeProvider">The clock the orchestrator runs on.</param>
    /// <returns>The identity.</returns>
    public static AuthenticatedIdentity For(ActorId actor, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        return new AuthenticatedIdentity { Actor = actor, AuthenticatedAt = timeProvider.GetUtcNow(), Method = Method };
    }

    /// <summary>An identity for <paramref name="actor"/>, authenticated at a given time (to test an old or a future authentication).</summary>
    /// <param name="actor">The actor.</param>
    /// <param name="authenticatedAt">When the actor authenticated.</param>
    /// <returns>The identity.</returns>
    public static AuthenticatedIdentity At(ActorId actor, DateTimeOffset authenticatedAt) =>
        new() { Actor = actor, AuthenticatedAt = authenticatedAt, Method = Method };
}
