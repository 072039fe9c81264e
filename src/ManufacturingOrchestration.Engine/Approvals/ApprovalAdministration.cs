using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>Delegation and reassignment of waiting approvals: each checked against the actor directory and audited.</summary>
internal static class ApprovalAdministration
{
    public static async ValueTask<Staged> DelegateAsync(OrchestratorRuntime runtime, KeyRuntime key, string requestId, ActorId from, ActorId to, string reason, CancellationToken ct)
    {
        if (RefusedReason(key, reason) is { } refusedReason)
        {
            return refusedReason;
        }

        if (Find(key, requestId) is not { } found)
        {
            return Refused(key, ReasonCodes.ReferenceUnknown, $"No approval request '{requestId}' is waiting on {key.State.Key}.");
        }

        var (instance, pending) = found;
        var delegator = await runtime.Options.Actors.FindAsync(from, ct).ConfigureAwait(false);
        if (delegator is null || !delegator.HoldsRole(pending.Role, pending.Site))
        {
            return Refused(key, ReasonCodes.RoleNotHeld, $"'{from}' does not hold the {pending.Role} role at {pending.Site} and cannot delegate it.");
        }

        if (await runtime.Options.Actors.FindAsync(to, ct).ConfigureAwait(false) is not { IsSystem: false })
        {
            return Refused(key, ReasonCodes.ActorUnknown, $"'{to}' is not a person known to the actor directory.");
        }

        if (pending.Requester == to)
        {
            return Refused(key, ReasonCodes.SelfApproval, $"'{to}' requested this approval and cannot be delegated to sign it.");
        }

        if (pending.ExcludedSigners.Contains(to))
        {
            return Refused(key, ReasonCodes.SecondApproverRequired, $"'{to}' signed an earlier approval of this decision and cannot be delegated to sign this one.");
        }

        var now = runtime.Time.GetUtcNow();
        var updated = pending with { Delegations = [.. pending.Delegations, new ApprovalDelegation { From = from, To = to, At = now, Reason = reason }] };
        return Commit(runtime, key, instance, updated, from.Value, "approval-delegated", $"{from} delegated signing {pending.Subject} ({pending.Role} at {pending.Site}) to {to}: {reason} (request {requestId})");
    }

    public static async ValueTask<Staged> ReassignAsync(OrchestratorRuntime runtime, KeyRuntime key, string requestId, Role role, ActorId by, string reason, CancellationToken ct)
    {
        if (RefusedReason(key, reason) is { } refusedReason)
        {
            return refusedReason;
        }

        if (Find(key, requestId) is not { } found)
        {
            return Refused(key, ReasonCodes.ReferenceUnknown, $"No approval request '{requestId}' is waiting on {key.State.Key}.");
        }

        var (instance, pending) = found;
        var actor = await runtime.Options.Actors.FindAsync(by, ct).ConfigureAwait(false);
        if (actor is null || !(actor.HoldsRole(pending.Role, pending.Site) || actor.HoldsRole(Role.OrchestrationOperator, pending.Site)))
        {
            return Refused(key, ReasonCodes.RoleNotHeld, $"'{by}' may not reassign a request for {pending.Role} at {pending.Site}.");
        }

        var updated = pending with { Role = role, Signatures = [] };
        return Commit(runtime, key, instance, updated, by.Value, "approval-reassigned", $"{by} reassigned {pending.Subject} from {pending.Role} to {role} at {pending.Site}: {reason} (request {requestId}; earlier signatures cleared)");
    }

    public static IReadOnlyList<PendingApproval> Pending(PartitionState state) =>
        state.Instances.Where(ApprovalStore.IsWaitingRequest).Select(i => ApprovalStore.Read(i.Data!)).ToArray();

    private static (WorkflowInstanceState Instance, PendingApproval Pending)? Find(KeyRuntime key, string requestId)
    {
        foreach (var instance in key.State.Instances)
        {
            if (instance.Id == requestId && ApprovalStore.IsWaitingRequest(instance))
            {
                return (instance, ApprovalStore.Read(instance.Data!));
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
