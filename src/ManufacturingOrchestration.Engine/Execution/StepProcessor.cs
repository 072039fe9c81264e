using System.Globalization;
using System.Text;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// One step for one event of one key: out-of-order check → bootstrap a lot or order seen for the first time →
/// run every workflow the event type triggers → build the commit of new state, commands, audit, follow-ups and timers.
/// </summary>
internal sealed class StepProcessor
{
    private readonly OrchestratorRuntime _runtime;

    public StepProcessor(OrchestratorRuntime runtime) => _runtime = runtime;

    public async ValueTask<Staged> ProcessEventAsync(KeyRuntime key, InboxEvent inboxEvent, CancellationToken ct)
    {
        var envelope = inboxEvent.Envelope;
        var before = key.State;
        var state = before;
        var now = _runtime.Time.GetUtcNow();
        var audit = new List<AuditRecord>(2);
        var head = state.AuditHead;

        if (envelope.Sequence is { } sequence && state.LastSequenceBySource.TryGetValue(envelope.Source, out var last) && sequence <= last)
        {
            audit.Add(Chain(ref head, state, now, "system:orchestrator", "out-of-order", string.Create(CultureInfo.InvariantCulture, $"{ReasonCodes.OutOfOrder.Code}: sequence {sequence} of {envelope.Source} arrived after {last}; not applied"), null, null, inboxEvent, StateDigest.Describe(state), StateDigest.Describe(state)));
            _runtime.Telemetry.OutOfOrder();
            return Finish(key, inboxEvent, state, audit, head, [], [], [], [], []);
        }

        if (_runtime.Options.BootstrapFromErp)
        {
            state = await BootstrapAsync(state, envelope.Data, ct).ConfigureAwait(false);
        }

        var workflows = _runtime.Workflows.ForEventType(envelope.Type);
        var commands = new List<OutboxEntry>();
        var followUps = new List<InboxEvent>();
        var timers = new List<DurableTimer>();
        var cancelled = new List<string>();
        var ordinal = state.NextCommandOrdinal;
        if (workflows.Count == 0)
        {
            audit.Add(Chain(ref head, state, now, "system:orchestrator", "ignored", $"No workflow handles {envelope.Type}.", null, null, inboxEvent, StateDigest.Describe(before), StateDigest.Describe(state)));
        }

        foreach (var workflow in workflows)
        {
            var context = new StepContext(envelope, inboxEvent.Key, state, workflow, _runtime.Options.Adapters, _runtime.Time);
            foreach (var step in workflow.Steps)
            {
                context.CurrentStep = step.Name;
                var run = step.Run(context, ct);
                if (!run.IsCompletedSuccessfully)
                {
                    await run.ConfigureAwait(false);
                }

                if (context.IsStopped)
                {
                    break;
                }
            }

            var actor = "system:" + workflow.Name;
            var explanation = context.Explanations.Count switch
            {
                0 => null,
                1 => context.Explanations[0],
                _ => string.Join('\n', context.Explanations),
            };
            if (context.Rejection is { } rejection)
            {
                var reason = $"{rejection.ReasonCode}: {rejection.Message} (state {rejection.CurrentState}; permitted: {string.Join(", ", rejection.PermittedTriggers)})";
                audit.Add(Chain(ref head, state, now, actor, "transition-rejected", reason, explanation, workflow, inboxEvent, StateDigest.Describe(state), StateDigest.Describe(state)));
                _runtime.Telemetry.TransitionRejected(workflow.Name);
            }
            else
            {
                var newState = context.State;
                audit.Add(Chain(ref head, state, now, actor, "processed", Summarize(envelope.Type, context), explanation, workflow, inboxEvent, StateDigest.Describe(state), StateDigest.Describe(newState)));
                state = newState;
                foreach (var planned in context.Commands)
                {
                    commands.Add(new OutboxEntry
                    {
                        IdempotencyKey = planned.Command.Context.IdempotencyKey,
                        PartitionKey = state.Key,
                        Ordinal = ordinal++,
                        Kind = planned.Command.Kind,
                        Request = planned.Command,
                        CorrelationId = planned.Command.Context.CorrelationId,
                        CausedBy = inboxEvent.Key,
                        Step = planned.Step,
                        Workflow = workflow.Id,
                        CreatedAt = now,
                        Compensation = planned.Compensation is { } compensation ? new CompensationPlan { Kind = compensation.Kind, Request = compensation } : null,
                    });
                }

                foreach (var followUp in context.FollowUps)
                {
                    followUps.Add(new InboxEvent { Key = new EventKey(followUp.Source, followUp.Id), PartitionKey = followUp.EffectivePartitionKey, AcceptedAt = now, Envelope = followUp });
                }

                timers.AddRange(context.Timers);
                cancelled.AddRange(context.CancelledTimers);
            }

            foreach (var draft in context.AuditDrafts)
            {
                audit.Add(Chain(ref head, state, now, draft.Actor ?? actor, draft.Action, draft.Reason, null, workflow, inboxEvent, null, null));
            }
        }

        if (envelope.Sequence is { } applied)
        {
            var sequences = new Dictionary<string, long>(state.LastSequenceBySource, StringComparer.Ordinal) { [envelope.Source] = applied };
            state = state with { LastSequenceBySource = sequences };
        }

        state = state with { NextCommandOrdinal = ordinal };
        return Finish(key, inboxEvent, state, audit, head, commands, followUps, timers, cancelled, workflows);
    }

    private Staged Finish(KeyRuntime key, InboxEvent inboxEvent, PartitionState state, List<AuditRecord> audit, AuditHead head, List<OutboxEntry> commands, List<InboxEvent> followUps, List<DurableTimer> timers, List<string> cancelled, IReadOnlyList<WorkflowDefinition> workflows)
    {
        var newState = state with { Version = key.State.Version + 1, AuditHead = head };
        var commit = new StepCommit
        {
            PartitionKey = newState.Key,
            ExpectedVersion = key.State.Version,
            NewState = newState,
            ProcessedEvents = [inboxEvent.Key],
            NewCommands = commands,
            Audit = audit,
            FollowUpEvents = followUps,
            Timers = timers,
            CancelledTimers = cancelled,
        };
        var acceptedAt = inboxEvent.AcceptedAt;
        return new Staged(key)
        {
            Commit = commit,
            NewState = newState,
            NewCommands = commands,
            ProcessedPosition = inboxEvent.Position,
            OnApplied = () =>
            {
                _runtime.Telemetry.EventProcessed(inboxEvent.Envelope, workflows, acceptedAt);
                if (followUps.Count > 0)
                {
                    _runtime.Scan(followUps);
                }

                if (timers.Count > 0)
                {
                    _runtime.TimerScheduled();
                }
            },
        };
    }

    private async ValueTask<PartitionState> BootstrapAsync(PartitionState state, EventPayload payload, CancellationToken ct)
    {
        if (_runtime.Options.Adapters.Erp is not { } erp)
        {
            return state;
        }

        if (state.Lot is null && payload is not GoodsReceived && LotOf(payload) is { } lot)
        {
            var fetched = await erp.GetLotAsync(lot, ct).ConfigureAwait(false);
            return fetched is null ? state : state with { Lot = fetched };
        }

        if (state.Order is null && state.Lot is null && payload is ProductionConfirmed confirmed)
        {
            var order = await erp.GetProductionOrderAsync(confirmed.Order, ct).ConfigureAwait(false);
            return order is null ? state : state with { Order = order };
        }

        return state;
    }

    private static LotId? LotOf(EventPayload payload) => payload switch
    {
        InspectionPassed p => p.Lot,
        InspectionFailed p => p.Lot,
        MrbDispositionDecided p => p.Lot,
        LotReleased p => p.Lot,
        LotConsumed p => p.Lot,
        StockMoved p => p.Movement.Lot,
        CycleCountRecorded p => p.Count.Lot,
        _ => null,
    };

    private static string Summarize(string eventType, StepContext context)
    {
        if (context.Decisions.Count == 0 && context.Commands.Count == 0)
        {
            return eventType;
        }

        var sb = new StringBuilder(eventType.Length + 64);
        sb.Append(eventType);
        if (context.Decisions.Count > 0)
        {
            sb.Append(" → decided ");
            for (var i = 0; i < context.Decisions.Count; i++)
            {
                sb.Append(i == 0 ? string.Empty : ", ").Append(context.Decisions[i].GetType().Name);
            }
        }

        if (context.Commands.Count > 0)
        {
            sb.Append(" → planned ");
            for (var i = 0; i < context.Commands.Count; i++)
            {
                sb.Append(i == 0 ? string.Empty : ", ").Append(context.Commands[i].Command.Kind);
            }
        }

        return sb.ToString();
    }

    private static AuditRecord Chain(ref AuditHead head, PartitionState state, DateTimeOffset now, string actor, string action, string reason, string? explanation, WorkflowDefinition? workflow, InboxEvent inboxEvent, string? before, string? after)
    {
        var draft = new AuditRecord
        {
            PartitionKey = state.Key,
            Sequence = 0,
            RecordedAt = now,
            Actor = actor,
            Action = action,
            Reason = reason,
            Explanation = explanation,
            Workflow = workflow?.Name,
            WorkflowVersion = workflow?.Version,
            WorkflowFingerprint = workflow?.Fingerprint,
            Event = inboxEvent.Key,
            CorrelationId = inboxEvent.Envelope.CorrelationId,
            Before = before,
            After = after,
            PreviousHash = string.Empty,
            Hash = string.Empty,
        };
        return AuditHashes.Chain(head, draft, out head);
    }
}
