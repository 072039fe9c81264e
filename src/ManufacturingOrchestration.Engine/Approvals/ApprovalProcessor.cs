using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>
/// Executes approvals (policy lives in the rules): checks each answer against the actor directory and segregation of
/// duties, records it as an electronic signature in the audit chain, applies the two-person rule, resumes the waiting
/// workflow on the version it started with, and escalates requests whose SLA deadline passes.
/// </summary>
internal sealed class ApprovalProcessor
{
    private readonly OrchestratorRuntime _runtime;

    public ApprovalProcessor(OrchestratorRuntime runtime) => _runtime = runtime;

    public async ValueTask AnswerAsync(StepBuilder step, CancellationToken ct)
    {
        var (requestId, signature, approved) = step.Event!.Envelope.Data switch
        {
            ApprovalGiven given => (given.RequestId, given.Signature, true),
            ApprovalRefused refused => (refused.RequestId, refused.Signature, false),
            _ => throw new InvalidOperationException("Not an approval answer."),
        };
        var instance = step.State.Instances.FirstOrDefault(i => i.Id == requestId && ApprovalStore.IsWaitingRequest(i));
        if (instance is null)
        {
            if (ApprovalStore.FindWithdrawn(step.State, requestId) is { } withdrawn)
            {
                // Withdrawn by its workflow (such as a count superseded by a newer count): the answer changes nothing.
                step.AddAudit(signature.Signer.Value, "approval-refused-invalid", string.Create(CultureInfo.InvariantCulture, $"{withdrawn.ReasonCode.Code}: approval request '{requestId}' was withdrawn at {withdrawn.At:O} ({withdrawn.Reason}); the {signature.Meaning} changes nothing."), null, null, null, null);
                return;
            }

            Refuse(step, signature, ReasonCodes.ReferenceUnknown, $"No approval request '{requestId}' is waiting on {step.State.Key}.");
            return;
        }

        if (!Authority.IsAuthenticatedAnswer(step.Event.Envelope) || signature.AuthenticatedAt is null)
        {
            // Intake refuses approval answers from anywhere but the signature channel; one stored before that (or
            // written into the inbox behind the orchestrator's back) is a claim, not a signature.
            Refuse(step, signature, ReasonCodes.ApprovalUnauthenticated, $"The answer to request '{requestId}' did not come from an authenticated signer (source {step.Event.Envelope.Source}); it changes nothing.");
            return;
        }

        // A damaged request fails the step with store.data-unreadable naming it: the signature is dead-lettered, not lost.
        var pending = ApprovalStore.Read(instance, step.State.Key);
        var round = step.Event.Envelope.Data is ApprovalGiven { SignatureRound: var givenRound } ? givenRound : ((ApprovalRefused)step.Event.Envelope.Data).SignatureRound;
        if (StaleRound(pending, signature.Signer, signature.Meaning, round) is { } stale)
        {
            // Checked against an earlier round, then the request was reassigned before the signature reached it.
            Refuse(step, signature, ReasonCodes.SignatureStale, stale);
            return;
        }

        var refusal = await CheckSignerAsync(pending, signature, ct).ConfigureAwait(false);
        if (refusal is { } problem)
        {
            Refuse(step, signature, problem.Code, problem.Message);
            return;
        }

        var meaning = approved ? "approve" : "reject";
        var signed = pending with { Signatures = [.. pending.Signatures, signature] };
        step.AddAudit(signature.Signer.Value, "e-signature:" + meaning, Describe(signature, pending), null, null, null, null);

        var workflow = _runtime.Workflows.Find(instance.Workflow, instance.Version);
        if (approved && signed.Signatures.Count < signed.RequiredSignatures)
        {
            ReplaceInstance(step, instance, instance with { Data = ApprovalStore.Write(signed) });
            step.AddAudit("system:orchestrator", "approval-waiting", $"{signed.Signatures.Count} of {signed.RequiredSignatures} distinct signatures for {pending.Subject} (request {requestId}); {ReasonCodes.SecondApproverRequired.Code}", null, workflow, null, null);
            return;
        }

        RemoveInstance(step, instance, signed);
        _runtime.Telemetry.ApprovalAnswered(pending.Site, approved);
        if (workflow is null)
        {
            step.AddAudit("system:orchestrator", "approval-orphaned", $"Workflow {instance.Workflow}@{instance.Version} is no longer registered; request {requestId} closed without follow-up.", null, null, null, null);
            return;
        }

        var outcome = new ApprovalOutcome(signed, approved, signature);
        await _runtime.Steps.RunWorkflowAsync(step, workflow, approved ? WorkflowStepPhase.OnApproved : WorkflowStepPhase.OnRefused, outcome, ct).ConfigureAwait(false);
    }

    public ValueTask<Staged?> OnTimerAsync(KeyRuntime key, DurableTimer timer, CancellationToken ct)
    {
        if (!string.Equals(timer.Purpose, ApprovalStore.SlaPurpose, StringComparison.Ordinal))
        {
            return new ValueTask<Staged?>((Staged?)null);
        }

        // Data that cannot be read back fails the timer with store.data-unreadable: tried again, then removed and audited.
        var data = ApprovalStore.ReadTimer(timer);
        var state = key.State;
        var instance = state.Instances.FirstOrDefault(i => i.Id == data.RequestId);
        if (instance is null)
        {
            return new ValueTask<Staged?>((Staged?)null);
        }

        var pending = ApprovalStore.Read(instance, state.Key);
        var escalations = _runtime.Options.Settings.Approvals.Escalations;
        var now = _runtime.Time.GetUtcNow();
        var step = new StepBuilder(state, instance.StartedBy, instance.CorrelationId, now);
        var workflow = _runtime.Workflows.Find(instance.Workflow, instance.Version);
        var level = data.Level;
        var target = level <= escalations.Count ? escalations[level - 1] : null;
        step.AddAudit("system:orchestrator", "sla-breached", string.Create(CultureInfo.InvariantCulture, $"{ReasonCodes.SlaBreached.Code}: approval of {pending.Subject} by {pending.Role} at {pending.Site} was due {pending.DueAt:O}; escalation level {level}{(target is null ? string.Empty : $" to {target.Role}")} (request {pending.RequestId})"), null, workflow, null, null);
        _runtime.Telemetry.SlaBreached(pending.Site, instance.Workflow, level);
        if (target is not null)
        {
            var kind = CommandKinds.NotificationSend;
            var context = new CommandContext
            {
                IdempotencyKey = IdempotencyKeys.Derive("sla", pending.RequestId, "escalation", kind, level),
                CorrelationId = instance.CorrelationId ?? pending.RequestId,
                CausationId = pending.RequestId,
                Site = pending.Site,
            };
            step.AddCommand(
                new SendNotificationRequest
                {
                    Context = context,
                    Roles = [target.Role],
                    Site = pending.Site,
                    Severity = level > 1 ? NotificationSeverity.Alarm : NotificationSeverity.Alert,
                    Subject = $"Approval overdue: {pending.Subject}",
                    Body = string.Create(CultureInfo.InvariantCulture, $"Waiting for {pending.Role} at {pending.Site} since {pending.RequestedAt:O}; due {pending.DueAt:O}. Escalation level {level}."),
                    ReasonCode = ReasonCodes.SlaBreached,
                },
                "sla-escalation-" + level.ToString(CultureInfo.InvariantCulture),
                workflow?.Id ?? instance.Workflow,
                _runtime.Options.Adapters.Operations);
        }

        var updated = pending with { EscalationLevel = level };
        var instances = state.Instances.Select(i => i.Id == instance.Id ? instance with { Data = ApprovalStore.Write(updated) } : i).ToArray();
        step.State = state with { Instances = instances };
        if (level < escalations.Count)
        {
            var next = escalations[level];
            step.Timers.Add(new DurableTimer
            {
                Id = ApprovalStore.SlaTimerId(pending.RequestId, level + 1),
                PartitionKey = state.Key,
                DueAt = timer.DueAt + next.After,
                Purpose = ApprovalStore.SlaPurpose,
                Data = ApprovalStore.WriteTimer(pending.RequestId, level + 1),
            });
        }

        step.CancelledTimers.Add(timer.Id);
        var newState = step.State with { Version = state.Version + 1, AuditHead = step.Head, NextCommandOrdinal = step.NextOrdinal };
        var commands = step.Commands;
        var scheduled = step.Timers.Count > 0;
        return new ValueTask<Staged?>(new Staged(key)
        {
            Commit = new StepCommit
            {
                PartitionKey = state.Key,
                ExpectedVersion = state.Version,
                NewState = newState,
                NewCommands = commands,
                Audit = step.Audit,
                Timers = step.Timers,
                CancelledTimers = step.CancelledTimers,
            },
            NewState = newState,
            NewCommands = commands,
            OnApplied = () =>
            {
                if (scheduled)
                {
                    _runtime.TimerScheduled();
                }
            },
        });
    }

    /// <summary>
    /// Why a signature made for round <paramref name="round"/> of signing does not count in the request's current round,
    /// or <see langword="null"/>: it was made for it, or carries no round (recorded before rounds were carried).
    /// </summary>
    public static string? StaleRound(PendingApproval pending, ActorId signer, SignatureMeaning meaning, int? round) =>
        round is { } made && made != pending.SignatureRound
            ? string.Create(CultureInfo.InvariantCulture, $"The {meaning} of '{signer}' was made for round {made} of signing request '{pending.RequestId}', which was reassigned since (now round {pending.SignatureRound}): it counts for nothing; sign round {pending.SignatureRound}.")
            : null;

    /// <summary>
    /// Whether a signer may sign a request: a known person, not the requester nor an earlier signer, with the request's
    /// authority at its site, in its role, with a justification where one is needed.
    /// </summary>
    /// <exception cref="ActorDirectoryException">The host's actor directory failed.</exception>
    public async ValueTask<(ReasonCode Code, string Message)?> CheckSignerAsync(PendingApproval pending, ElectronicSignature signature, CancellationToken ct)
    {
        var actor = await Authority.FindActorAsync(_runtime, signature.Signer, ct).ConfigureAwait(false);
        if (actor is null)
        {
            return (ReasonCodes.ActorUnknown, $"Signer '{signature.Signer}' is not known to the actor directory.");
        }

        if (actor.IsSystem)
        {
            return (ReasonCodes.RoleNotHeld, $"'{signature.Signer}' is a system account and cannot sign.");
        }

        // Who signs is the person the directory found, not the name they were looked up by: a directory may find one
        // person under several names (case, aliases), and segregation of duties compares people.
        if (pending.Requester is { } requester && await Authority.IsSamePersonAsync(_runtime, requester, actor, ct).ConfigureAwait(false))
        {
            return (ReasonCodes.SelfApproval, $"'{signature.Signer}' requested this approval and cannot sign it (segregation of duties).");
        }

        foreach (var excluded in pending.ExcludedSigners)
        {
            if (await Authority.IsSamePersonAsync(_runtime, excluded, actor, ct).ConfigureAwait(false))
            {
                return (ReasonCodes.SecondApproverRequired, $"'{signature.Signer}' signed an earlier approval of this decision; each approval of the chain needs its own signer (segregation of duties).");
            }
        }

        foreach (var earlier in pending.Signatures)
        {
            if (await Authority.IsSamePersonAsync(_runtime, earlier.Signer, actor, ct).ConfigureAwait(false))
            {
                return (ReasonCodes.SecondApproverRequired, $"'{signature.Signer}' already signed; a distinct second signer is required.");
            }
        }

        if (!_runtime.Options.Settings.Approvals.HasAuthority(actor, pending.Role, pending.Site))
        {
            return (ReasonCodes.RoleNotHeld, $"'{signature.Signer}' does not hold the {pending.Role} role (or one with at least its authority) at {pending.Site}.");
        }

        if (signature.Role != pending.Role)
        {
            return (ReasonCodes.RoleNotHeld, $"The signature claims the {signature.Role} role; this request needs {pending.Role}.");
        }

        if (pending.JustificationRequired && signature.Meaning == SignatureMeaning.Approve && string.IsNullOrWhiteSpace(signature.Justification))
        {
            return (ReasonCodes.JustificationRequired, $"Approving {pending.Subject} needs a documented justification.");
        }

        return null;
    }

    private static void Refuse(StepBuilder step, ElectronicSignature signature, ReasonCode code, string message) =>
        step.AddAudit(signature.Signer.Value, "approval-refused-invalid", $"{code.Code}: {message}", null, null, null, null);

    private static string Describe(ElectronicSignature signature, PendingApproval pending) =>
        string.Create(CultureInfo.InvariantCulture, $"{signature.Meaning} of {pending.Subject} as {signature.Role} at {pending.Site}, signed {signature.SignedAt:O}{(signature.AuthenticatedAt is { } at ? $" (authenticated by {signature.AuthenticationMethod} at {at:O})" : string.Empty)}: {signature.Reason}{(signature.Justification is null ? string.Empty : "; justification: " + signature.Justification)} (request {pending.RequestId})");

    private static void ReplaceInstance(StepBuilder step, WorkflowInstanceState old, WorkflowInstanceState updated) =>
        step.State = step.State with { Instances = step.State.InstancesReplacing(old, updated) };

    private static void RemoveInstance(StepBuilder step, WorkflowInstanceState instance, PendingApproval pending)
    {
        step.State = step.State with { Instances = step.State.InstancesWithout(instance) };
        step.CancelledTimers.AddRange(ApprovalStore.SlaTimerIds(pending));
    }
}
