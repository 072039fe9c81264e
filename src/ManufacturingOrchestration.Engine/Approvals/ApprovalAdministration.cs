using System.Globalization;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>Delegation and reassignment of waiting approvals: each checked against the actor directory and audited.</summary>
internal static class ApprovalAdministration
{
    public static async ValueTask<Staged> DelegateAsync(OrchestratorRuntime runtime, KeyRuntime key, string requestId, Actor delegator, ActorId to, string reason, CancellationToken ct)
    {
        if (RefusedReason(key, reason) is { } refusedReason)
        {
            return refusedReason;
        }

        if (Find(key, requestId, out var unreadable) is not { } found)
        {
            return unreadable ?? Refused(key, ReasonCodes.ReferenceUnknown, $"No approval request '{requestId}' is waiting on {key.State.Key}.");
        }

        var (instance, pending) = found;
        var authority = runtime.Options.Settings.Approvals;
        var from = delegator.Id;
        if (delegator.IsSystem || !authority.HasAuthority(delegator, pending.Role, pending.Site))
        {
            return Refused(key, ReasonCodes.RoleNotHeld, $"'{from}' does not hold the {pending.Role} role at {pending.Site} and cannot delegate it.");
        }

        Actor deputy;
        try
        {
            if (await Authority.FindActorAsync(runtime, to, ct).ConfigureAwait(false) is not { IsSystem: false } person)
            {
                return Refused(key, ReasonCodes.ActorUnknown, $"'{to}' is not a person known to the actor directory.");
            }

            deputy = person;
            if (!authority.HasAuthority(deputy, pending.Role, pending.Site))
            {
                return Refused(key, ReasonCodes.AuthorityLowered, $"'{to}' does not hold the {pending.Role} role (or one with at least its authority) at {pending.Site}: delegating to them would lower the authority the request needs.");
            }

            // The person, as the directory knows them: a name it resolves under another spelling is the same person.
            if (pending.Requester is { } requester && await Authority.IsSamePersonAsync(runtime, requester, deputy, ct).ConfigureAwait(false))
            {
                return Refused(key, ReasonCodes.SelfApproval, $"'{to}' requested this approval and cannot be delegated to sign it.");
            }

            foreach (var excluded in pending.ExcludedSigners)
            {
                if (await Authority.IsSamePersonAsync(runtime, excluded, deputy, ct).ConfigureAwait(false))
                {
                    return Refused(key, ReasonCodes.SecondApproverRequired, $"'{to}' signed an earlier approval of this decision and cannot be delegated to sign this one.");
                }
            }
        }
        catch (ActorDirectoryException ex)
        {
            return Refused(key, ReasonCodes.ActorDirectoryUnavailable, ex.Message);
        }

        var now = runtime.Time.GetUtcNow();
        var updated = pending with { Delegations = [.. pending.Delegations, new ApprovalDelegation { From = from, To = deputy.Id, At = now, Reason = reason }] };
        return Commit(runtime, key, instance, updated, from.Value, "approval-delegated", $"{from} delegated signing {pending.Subject} ({pending.Role} at {pending.Site}) to {deputy.Id}: {reason} (request {requestId})");
    }

    public static ValueTask<Staged> ReassignAsync(OrchestratorRuntime runtime, KeyRuntime key, string requestId, Role role, Actor actor, string reason, CancellationToken ct)
    {
        _ = ct;
        if (RefusedReason(key, reason) is { } refusedReason)
        {
            return new(refusedReason);
        }

        if (Find(key, requestId, out var unreadable) is not { } found)
        {
            return new(unreadable ?? Refused(key, ReasonCodes.ReferenceUnknown, $"No approval request '{requestId}' is waiting on {key.State.Key}."));
        }

        var (instance, pending) = found;
        var authority = runtime.Options.Settings.Approvals;
        var by = actor.Id;
        if (actor.IsSystem || !(authority.HasAuthority(actor, pending.Role, pending.Site) || actor.HoldsRole(Role.OrchestrationOperator, pending.Site)))
        {
            return new(Refused(key, ReasonCodes.RoleNotHeld, $"'{by}' may not reassign a request for {pending.Role} at {pending.Site}."));
        }

        if (!authority.Satisfies(role, pending.Role))
        {
            return new(Refused(key, ReasonCodes.AuthorityLowered, $"{role} does not carry the authority of {pending.Role}: a request may be reassigned to the same role or a superior one, never lowered."));
        }

        // A new round of signing: its signatures are recorded under ids of their own, so the signers of the cleared round may sign again.
        var updated = pending with { Role = role, Signatures = [], SignatureRound = pending.SignatureRound + 1 };
        return new(Commit(runtime, key, instance, updated, by.Value, "approval-reassigned", $"{by} reassigned {pending.Subject} from {pending.Role} to {role} at {pending.Site}: {reason} (request {requestId}; earlier signatures cleared)"));
    }

    /// <summary>
    /// Checks a signature against the request it answers, in the partition's worker: the signer's authentication and
    /// authority. A refusal is recorded in the audit trail (an attempt to sign is part of the record); the accepted
    /// request and the signature checked against it are handed to <paramref name="accepted"/>.
    /// </summary>
    public static async ValueTask<Staged> CheckSignatureAsync(OrchestratorRuntime runtime, KeyRuntime key, ApprovalAnswer answer, AuthenticatedIdentity signer, Action<PendingApproval, ElectronicSignature> accepted, CancellationToken ct)
    {
        if (Find(key, answer.RequestId, out var unreadable) is not { } found)
        {
            if (unreadable is not null)
            {
                // Nothing is recorded on top of a request that cannot be read: whoever repairs it sees it as it was.
                return unreadable;
            }

            if (key.State.Version == 0)
            {
                // No record to sign exists: nothing is written, or any caller could create partitions (and their audit
                // trails) for keys nothing ever touched by answering requests that were never made.
                return Refused(key, ReasonCodes.ReferenceUnknown, $"No approval request '{answer.RequestId}' is waiting on {key.State.Key}: nothing is recorded for it.");
            }

            // A request withdrawn by its workflow (a count superseded by a recount) or never made: the attempt is recorded.
            var unknown = new EventKey(Authority.SignatureSource, answer.RequestId);
            return ApprovalStore.FindWithdrawn(key.State, answer.RequestId) is { } withdrawn
                ? RefusedAndAudited(runtime, key, unknown, null, null, signer.Actor.Value, withdrawn.ReasonCode, string.Create(CultureInfo.InvariantCulture, $"approval request '{answer.RequestId}' was withdrawn at {withdrawn.At:O} ({withdrawn.Reason}); the {answer.Meaning} changes nothing."))
                : RefusedAndAudited(runtime, key, unknown, null, null, signer.Actor.Value, ReasonCodes.ReferenceUnknown, $"No approval request '{answer.RequestId}' is waiting on {key.State.Key}.");
        }

        var (instance, pending) = found;
        var workflow = runtime.Workflows.Find(instance.Workflow, instance.Version);
        var (actor, code, message) = await Authority.ResolveAsync(runtime, signer, signing: true, ct).ConfigureAwait(false);
        if (actor is null && code == ReasonCodes.ActorDirectoryUnavailable)
        {
            // The host's directory failed, not the signature: nothing is recorded, the signer signs again.
            return Refused(key, code, message);
        }

        if (actor is null)
        {
            return RefusedAndAudited(runtime, key, instance.StartedBy, instance.CorrelationId, workflow, signer.Actor.Value, code, message);
        }

        if (ApprovalProcessor.StaleRound(pending, actor.Id, answer.Meaning, answer.SignatureRound) is { } stale)
        {
            return RefusedAndAudited(runtime, key, instance.StartedBy, instance.CorrelationId, workflow, signer.Actor.Value, ReasonCodes.SignatureStale, stale);
        }

        var signature = Signature(answer, actor.Id, signer, pending.Role, runtime.Time.GetUtcNow());
        (ReasonCode Code, string Message)? refusal;
        try
        {
            refusal = await runtime.Approvals.CheckSignerAsync(pending, signature, ct).ConfigureAwait(false);
        }
        catch (ActorDirectoryException ex)
        {
            // The host's directory failed, not the signature: nothing is recorded, the signer signs again.
            return Refused(key, ReasonCodes.ActorDirectoryUnavailable, ex.Message);
        }

        if (refusal is { } problem)
        {
            return RefusedAndAudited(runtime, key, instance.StartedBy, instance.CorrelationId, workflow, signer.Actor.Value, problem.Code, problem.Message);
        }

        accepted(pending, signature);
        return new Staged(key) { Result = OperatorActionResult.Done($"{answer.Meaning} of {pending.Subject} signed by {signature.Signer} as {pending.Role} at {pending.Site} (request {pending.RequestId}).") };
    }

    /// <summary>
    /// The electronic signature of an answer: bound to the authenticated signer as the actor directory knows them
    /// (<paramref name="actor"/>), in the request's role, with the time and method of authentication.
    /// </summary>
    private static ElectronicSignature Signature(ApprovalAnswer answer, ActorId actor, AuthenticatedIdentity signer, Role role, DateTimeOffset now) => new()
    {
        Signer = actor,
        Role = role,
        Meaning = answer.Meaning,
        SignedAt = now,
        Reason = answer.Reason,
        Justification = answer.Justification,
        AuthenticatedAt = signer.AuthenticatedAt,
        AuthenticationMethod = signer.Method,
    };

    /// <summary>The requests a partition waits for.</summary>
    /// <exception cref="ManufacturingOrchestrationException">
    /// <see cref="ReasonCodes.StoreDataUnreadable"/>: a stored request cannot be read back (the message names it and the partition).
    /// </exception>
    public static IReadOnlyList<PendingApproval> Pending(PartitionState state) =>
        state.Instances.Where(ApprovalStore.IsWaitingRequest).Select(i => ApprovalStore.Read(i, state.Key)).ToArray();

    /// <summary>
    /// The waiting request, or <see langword="null"/>: none waits under the id, or — with <paramref name="unreadable"/>,
    /// the refusal (<see cref="ReasonCodes.StoreDataUnreadable"/>) naming it — the stored request cannot be read back.
    /// </summary>
    private static (WorkflowInstanceState Instance, PendingApproval Pending)? Find(KeyRuntime key, string requestId, out Staged? unreadable)
    {
        unreadable = null;
        foreach (var instance in key.State.Instances)
        {
            if (instance.Id == requestId && ApprovalStore.IsWaitingRequest(instance))
            {
                try
                {
                    return (instance, ApprovalStore.Read(instance, key.State.Key));
                }
                catch (ManufacturingOrchestrationException ex) when (ex.ReasonCode == ReasonCodes.StoreDataUnreadable)
                {
                    unreadable = Refused(key, ReasonCodes.StoreDataUnreadable, ex.Message);
                    return null;
                }
            }
        }

        return null;
    }

    /// <summary>The reason is recorded in the audit trail: the free-text rules of the model apply, as to a signature's reason.</summary>
    private static Staged? RefusedReason(KeyRuntime key, string? reason) =>
        FreeText.IsValid(reason, out var problem)
            ? null
            : Refused(key, string.IsNullOrWhiteSpace(reason) ? ReasonCodes.Required : ReasonCodes.InvalidText, $"The reason {problem}.");

    private static Staged Refused(KeyRuntime key, ReasonCode reason, string message) =>
        new(key) { Result = OperatorActionResult.Refused(reason, message) };

    private static Staged RefusedAndAudited(OrchestratorRuntime runtime, KeyRuntime key, EventKey startedBy, string? correlationId, Workflows.WorkflowDefinition? workflow, string actor, ReasonCode code, string message)
    {
        var state = key.State;
        var step = new StepBuilder(state, startedBy, correlationId, runtime.Time.GetUtcNow());
        step.AddAudit(actor, "approval-refused-invalid", $"{code.Code}: {message}", null, workflow, null, null);
        var newState = state with { Version = state.Version + 1, AuditHead = step.Head };
        return new Staged(key)
        {
            Commit = new StepCommit { PartitionKey = state.Key, ExpectedVersion = state.Version, NewState = newState, Audit = step.Audit },
            NewState = newState,
            Result = OperatorActionResult.Refused(code, message),
        };
    }

    private static Staged Commit(OrchestratorRuntime runtime, KeyRuntime key, WorkflowInstanceState instance, PendingApproval updated, string actor, string action, string reason)
    {
        var state = key.State;
        var step = new StepBuilder(state, instance.StartedBy, instance.CorrelationId, runtime.Time.GetUtcNow());
        step.AddAudit(actor, action, reason, null, runtime.Workflows.Find(instance.Workflow, instance.Version), null, null);
        var newState = state with
        {
            Version = state.Version + 1,
            AuditHead = step.Head,
            Instances = state.InstancesReplacing(instance, instance with { Data = ApprovalStore.Write(updated) }),
        };
        return new Staged(key)
        {
            Commit = new StepCommit { PartitionKey = state.Key, ExpectedVersion = state.Version, NewState = newState, Audit = step.Audit },
            NewState = newState,
            Result = OperatorActionResult.Done(reason),
        };
    }
}
