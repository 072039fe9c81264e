using System.Globalization;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>
/// Where authority comes from: an identity the host authenticated, never a name in a payload. Approval answers reach a
/// partition only as events from the orchestrator's own signature channel, written by
/// <see cref="Orchestrator.SignApprovalAsync"/>; intake refuses approval answers and that channel's source from
/// anywhere else.
/// </summary>
internal static class Authority
{
    /// <summary>The source of the approval answers the orchestrator writes for authenticated signers; reserved.</summary>
    public const string SignatureSource = "urn:manufacturing-orchestration:e-signatures";

    /// <summary>The source of the events that tell workflows their own timers came due (<see cref="TimerElapsed"/>); reserved.</summary>
    public const string TimerSource = "urn:manufacturing-orchestration:timers";

    /// <summary>How far in the future an authentication time may lie (clock skew between the host's identity provider and this clock).</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>Why an event from intake (typed, JSON, file drop, a transport) may not be accepted, or <see langword="null"/>.</summary>
    public static ValidationError? RefuseAtIntake(EventEnvelope envelope)
    {
        if (envelope.Data is ApprovalGiven or ApprovalRefused)
        {
            return new ValidationError(
                "$.data.signature",
                ReasonCodes.ApprovalUnauthenticated,
                $"An approval answer ({envelope.Type}) names its signer in the payload, which proves nothing: the signer signs through Orchestrator.SignApprovalAsync with the identity the host authenticated.");
        }

        if (string.Equals(envelope.Source, SignatureSource, StringComparison.Ordinal))
        {
            return new ValidationError("$.source", ReasonCodes.ApprovalUnauthenticated, $"The source '{SignatureSource}' is reserved for the signatures the orchestrator records itself.");
        }

        if (envelope.Data is TimerElapsed)
        {
            return new ValidationError("$.type", ReasonCodes.ReservedAttribute, $"The event type '{EventTypes.TimerElapsed}' is reserved for the orchestrator, which records it when a workflow's own durable timer comes due.");
        }

        if (string.Equals(envelope.Source, TimerSource, StringComparison.Ordinal))
        {
            return new ValidationError("$.source", ReasonCodes.ReservedAttribute, $"The source '{TimerSource}' is reserved for the timers the orchestrator fires itself.");
        }

        if (Execution.Redecisions.CarriesReservedAttribute(envelope))
        {
            return new ValidationError(
                "$." + Execution.Redecisions.AttemptExtension,
                ReasonCodes.ReservedAttribute,
                $"The extension attributes '{Execution.Redecisions.AttemptExtension}' and '{Execution.Redecisions.OriginalExtension}' are reserved for the events the orchestrator decides again itself.");
        }

        return null;
    }

    /// <summary>
    /// The id of the event that records a signature: one per request, signer, role, meaning and signature of a round of
    /// signing. The same answer sent twice within a round is a duplicate; a reassignment starts a new round, in which a
    /// signer of an earlier round signs under a new id.
    /// </summary>
    public static string SignatureEventId(PendingApproval pending, ActorId signer, SignatureMeaning meaning)
    {
        // The first round's ids name no round: the ids of signatures of requests never reassigned stay what stores already
        // hold, so an answer sent again is still recognised as a duplicate. Meanings are enum names, which hold no '@'.
        var kind = pending.SignatureRound == 0 ? meaning.ToString() : string.Create(CultureInfo.InvariantCulture, $"{meaning}@round-{pending.SignatureRound}");
        return IdempotencyKeys.Derive(SignatureSource, pending.RequestId, signer.Value + "/" + pending.Role.Name, kind, pending.Signatures.Count);
    }

    /// <summary>Whether an approval answer came from the signature channel.</summary>
    public static bool IsAuthenticatedAnswer(EventEnvelope envelope) => string.Equals(envelope.Source, SignatureSource, StringComparison.Ordinal);

    /// <summary>
    /// Checks an authenticated identity: a well-formed method, an authentication time not in the future (beyond the
    /// allowed skew) and — for a signature — within the re-authentication window, and an actor the directory knows.
    /// </summary>
    /// <returns>The actor, or the refusal.</returns>
    public static async ValueTask<(Actor? Actor, ReasonCode Code, string Message)> ResolveAsync(OrchestratorRuntime runtime, AuthenticatedIdentity identity, bool signing, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (!Identifier.IsValid(identity.Method, out var problem))
        {
            return (null, ReasonCodes.ApprovalUnauthenticated, $"The authentication method of '{identity.Actor}' {problem}.");
        }

        var now = runtime.Time.GetUtcNow();
        if (identity.AuthenticatedAt > now + AllowedClockSkew)
        {
            return (null, ReasonCodes.ApprovalUnauthenticated, string.Create(CultureInfo.InvariantCulture, $"'{identity.Actor}' is said to have authenticated at {identity.AuthenticatedAt:O}, after now ({now:O})."));
        }

        var window = runtime.Options.Settings.Approvals.ReauthenticationWindow;
        if (signing && now - identity.AuthenticatedAt > window)
        {
            return (null, ReasonCodes.ReauthenticationRequired, string.Create(CultureInfo.InvariantCulture, $"'{identity.Actor}' authenticated at {identity.AuthenticatedAt:O}, more than {window} before signing at {now:O}: authenticate again to sign."));
        }

        Actor? actor;
        try
        {
            actor = await FindActorAsync(runtime, identity.Actor, ct).ConfigureAwait(false);
        }
        catch (ActorDirectoryException ex)
        {
            return (null, ReasonCodes.ActorDirectoryUnavailable, ex.Message);
        }

        return actor is null
            ? (null, ReasonCodes.ActorUnknown, $"'{identity.Actor}' is not known to the actor directory.")
            : (actor, default, string.Empty);
    }

    /// <summary>Whether an actor named in a request (requester, earlier signer) is the person <paramref name="actor"/>, as the directory knows them.</summary>
    /// <exception cref="ActorDirectoryException">The host's actor directory failed.</exception>
    public static async ValueTask<bool> IsSamePersonAsync(OrchestratorRuntime runtime, ActorId named, Actor actor, CancellationToken ct) =>
        named == actor.Id || (await FindActorAsync(runtime, named, ct).ConfigureAwait(false))?.Id == actor.Id;

    /// <summary>
    /// Looks an actor up in the host's directory. The directory is the host's: its failure is not the engine's, and is
    /// thrown as <see cref="ActorDirectoryException"/> for the caller to answer with
    /// <see cref="ReasonCodes.ActorDirectoryUnavailable"/>; a cancellation of <paramref name="ct"/> stays a cancellation.
    /// </summary>
    public static async ValueTask<Actor?> FindActorAsync(OrchestratorRuntime runtime, ActorId actor, CancellationToken ct)
    {
        try
        {
            return await runtime.Options.Actors.FindAsync(actor, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new ActorDirectoryException(actor, ex);
        }
    }
}

/// <summary>The host's actor directory failed looking an actor up (<see cref="ReasonCodes.ActorDirectoryUnavailable"/>).</summary>
internal sealed class ActorDirectoryException(ActorId actor, Exception inner)
    : Exception($"The actor directory failed looking up '{actor}'; nothing of the action was applied, try it again ({inner.GetType().Name}: {inner.Message}).", inner)
{
    /// <summary>The actor being looked up.</summary>
    public ActorId Actor { get; } = actor;
}
