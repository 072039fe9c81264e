using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Execution;

/// <summary>
/// One step for one event of one key: out-of-order check → bootstrap a lot or order seen for the first time →
/// run every workflow the event type triggers (or, for an approval answer, the waiting workflow's approval steps) →
/// build the commit of new state, commands, audit, follow-ups and timers.
/// </summary>
internal sealed class StepProcessor
{
    private readonly OrchestratorRuntime _runtime;
    private readonly QueryRetries _queryRetries;

    public StepProcessor(OrchestratorRuntime runtime)
    {
        _runtime = runtime;
        _queryRetries = new QueryRetries(runtime);
    }

    public async ValueTask<Staged> ProcessEventAsync(KeyRuntime key, InboxEvent inboxEvent, CancellationToken ct)
    {
        var activity = _runtime.Telemetry.StartProcess(inboxEvent.Envelope, inboxEvent.PartitionKey);
        if (activity is null)
        {
            return await ProcessOrRetryAsync(key, inboxEvent, ct).ConfigureAwait(false);
        }

        string outcome = "processed";
        string? error = null;
        try
        {
            var staged = await ProcessOrRetryAsync(key, inboxEvent, ct).ConfigureAwait(false);
            if (staged.Commit?.ProcessedEvents.Count == 0)
            {
                outcome = staged.Commit.DeadLetters.Count > 0 ? "dead_lettered" : "retry_scheduled";
            }

            return staged;
        }
        catch (Exception ex)
        {
            outcome = "failed";
            error = $"{ex.GetType().Name}: {ex.Message}";
            throw;
        }
        finally
        {
            OrchestrationTelemetry.End(activity, outcome, error);
        }
    }

    private async ValueTask<Staged> ProcessOrRetryAsync(KeyRuntime key, InboxEvent inboxEvent, CancellationToken ct)
    {
        try
        {
            return await ProcessAsync(key, inboxEvent, ct).ConfigureAwait(false);
        }
        catch (AdapterQueryException failed)
        {
            // A query failed (the first-touch read or a step's): nothing of the step is kept. Transient: the event stays
            // pending behind a durable retry timer; permanent or exhausted: dead letter naming the query.
            return _queryRetries.OnFailure(key, inboxEvent, new QueryFailure
            {
                Query = failed.Operation,
                Subject = failed.Subject,
                IsTransient = failed.IsTransient,
                Reason = failed.ReasonCode,
                Message = failed.Failure.Message ?? failed.Message,
            });
        }
        catch (Approvals.ActorDirectoryException failed)
        {
            // The host's directory failed while an accepted signature was checked: a read like any query's, retried on
            // the same schedule with the key's later events behind it, not the signature's failure.
            return _queryRetries.OnFailure(key, inboxEvent, new QueryFailure
            {
                Query = ActorDirectoryQuery,
                Subject = failed.Actor.Value,
                IsTransient = true,
                Reason = ReasonCodes.ActorDirectoryUnavailable,
                Message = failed.InnerException?.Message ?? failed.Message,
            });
        }
    }

    /// <summary>What a query retry names when the host's actor directory failed (<see cref="Approvals.IActorDirectory.FindAsync"/>).</summary>
    private const string ActorDirectoryQuery = "actor-directory.find";

    private async ValueTask<Staged> ProcessAsync(KeyRuntime key, InboxEvent inboxEvent, CancellationToken ct)
    {
        var envelope = inboxEvent.Envelope;
        var step = new StepBuilder(key.State, inboxEvent, _runtime.Time.GetUtcNow());

        if (envelope.Sequence is { } sequence && step.State.LastSequenceBySource.TryGetValue(envelope.Source, out var last) && sequence <= last)
        {
            var digest = StateDigest.Describe(step.State);
            step.AddAudit("system:orchestrator", "out-of-order", string.Create(CultureInfo.InvariantCulture, $"{ReasonCodes.OutOfOrder.Code}: sequence {sequence} of {envelope.Source} arrived after {last}; not applied"), null, null, digest, digest);
            _runtime.Telemetry.OutOfOrder();
            return Finish(key, step, []);
        }

        if (envelope.Data is ApprovalGiven or ApprovalRefused)
        {
            await _runtime.Approvals.AnswerAsync(step, ct).ConfigureAwait(false);
            return Finish(key, step, []);
        }

        if (Redecisions.Read(envelope).Attempt > 0)
        {
            // Deciding again after a stale refusal: what the earlier decisions carried out is not sent twice.
            var done = new HashSet<(string Workflow, string Step, string Kind, int Occurrence)>();
            foreach (var earlier in Redecisions.EarlierDecisions(envelope))
            {
                IReadOnlyList<OutboxEntry> caused;
                try
                {
                    caused = await _runtime.Store.ReadCommandsCausedByAsync(earlier, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    throw new StepStoreException(ex);
                }

                Redecisions.AddDone(done, caused);
            }

            step.AlreadyDone = done;
        }

        if (_runtime.Options.Settings.BootstrapFromErp)
        {
            step.State = await BootstrapAsync(step.State, envelope, ct).ConfigureAwait(false);
        }

        // Audited before the workflows run; a query of theirs that fails again discards this step, recovery included.
        if (step.State.Instances.Count > 0 && QueryRetries.Find(step.State) is { } waiting && waiting.StartedBy == inboxEvent.Key)
        {
            _queryRetries.Recovered(step, waiting);
        }

        var workflows = _runtime.Workflows.ForEventType(envelope.Type);
        if (envelope.Data is TimerElapsed elapsed)
        {
            // A workflow's own timer came due: its timer steps run, then any workflow triggered by the event itself.
            return Finish(key, step, await RunTimerAsync(step, elapsed, workflows, ct).ConfigureAwait(false));
        }

        if (workflows.Count == 0)
        {
            step.AddAudit("system:orchestrator", "ignored", $"No workflow handles {envelope.Type}.", null, null, StateDigest.Describe(key.State), StateDigest.Describe(step.State));
        }

        // By index here and below: a foreach over an IReadOnlyList allocates its enumerator, on every event.
        for (var i = 0; i < workflows.Count; i++)
        {
            await RunWorkflowAsync(step, workflows[i], WorkflowStepPhase.OnEvent, null, ct).ConfigureAwait(false);
        }

        if (envelope.Sequence is { } applied)
        {
            var sequences = new Dictionary<string, long>(step.State.LastSequenceBySource, StringComparer.Ordinal) { [envelope.Source] = applied };
            step.State = step.State with { LastSequenceBySource = sequences };
        }

        return Finish(key, step, workflows);
    }

    /// <summary>
    /// Runs what a workflow's timer coming due runs: the <see cref="WorkflowStepPhase.OnTimer"/> steps of the workflow
    /// that scheduled it (the version that did while it is registered, else the latest) for the timer's purpose, and the
    /// workflows triggered by <see cref="EventTypes.TimerElapsed"/>. A timer nothing handles is audited as such.
    /// </summary>
    /// <returns>The workflows that ran.</returns>
    private async ValueTask<IReadOnlyList<WorkflowDefinition>> RunTimerAsync(StepBuilder step, TimerElapsed elapsed, IReadOnlyList<WorkflowDefinition> listeners, CancellationToken ct)
    {
        var owner = _runtime.Workflows.Find(elapsed.Workflow, elapsed.WorkflowVersion) ?? _runtime.Workflows.FindLatest(elapsed.Workflow);
        if (owner is not null && !HasTimerStep(owner, elapsed.Purpose))
        {
            owner = null;
        }

        if (owner is not null)
        {
            await RunWorkflowAsync(step, owner, WorkflowStepPhase.OnTimer, null, ct).ConfigureAwait(false);
        }

        for (var i = 0; i < listeners.Count; i++)
        {
            await RunWorkflowAsync(step, listeners[i], WorkflowStepPhase.OnEvent, null, ct).ConfigureAwait(false);
        }

        if (owner is null && listeners.Count == 0)
        {
            var digest = StateDigest.Describe(step.State);
            step.AddAudit(
                "system:orchestrator",
                "timer-unhandled",
                string.Create(CultureInfo.InvariantCulture, $"The timer '{elapsed.TimerId}' ({elapsed.Purpose}, due {elapsed.DueAt:O}) of {elapsed.Workflow}@{elapsed.WorkflowVersion} came due, but no registered version of {elapsed.Workflow} has an OnTimer step for '{elapsed.Purpose}' and no workflow is triggered by {EventTypes.TimerElapsed}."),
                null,
                null,
                digest,
                digest);
        }

        return owner is null ? listeners : [owner, .. listeners];
    }

    private static bool HasTimerStep(WorkflowDefinition workflow, string purpose)
    {
        var steps = workflow.Steps;
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].Phase == WorkflowStepPhase.OnTimer && string.Equals(steps[i].TimerPurpose, purpose, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Runs a workflow's steps of one phase over the step's state and collects what they plan.</summary>
    public async ValueTask RunWorkflowAsync(StepBuilder step, WorkflowDefinition workflow, WorkflowStepPhase phase, ApprovalOutcome? approval, CancellationToken ct)
    {
        var inboxEvent = step.Event ?? throw new InvalidOperationException("Workflows run for events only.");
        var telemetry = _runtime.Telemetry;
        var context = new StepContext(inboxEvent.Envelope, inboxEvent.Key, step.State, workflow, _runtime.Options.Adapters, _runtime.Time, _runtime.Options.Settings.Approvals, telemetry) { Approval = approval, AlreadyDone = step.AlreadyDone };
        var steps = workflow.Steps;
        for (var n = 0; n < steps.Count; n++)
        {
            var workflowStep = steps[n];
            if (workflowStep.Phase != phase)
            {
                continue;
            }

            context.CurrentStep = workflowStep.Name;
            var activity = telemetry.StartStep(workflow, workflowStep);
            try
            {
                var run = workflowStep.Run(context, ct);
                if (!run.IsCompletedSuccessfully)
                {
                    await run.ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (activity is not null)
            {
                OrchestrationTelemetry.End(activity, "failed", $"{ex.GetType().Name}: {ex.Message}");
                activity = null;
                throw;
            }
            finally
            {
                OrchestrationTelemetry.End(activity, context.IsStopped ? "stopped" : "completed");
            }

            if (context.IsStopped)
            {
                break;
            }
        }

        context.Finish();
        var actor = workflow.Actor;
        var explanation = context.Explanations.Count switch
        {
            0 => null,
            1 => context.Explanations[0],
            _ => string.Join('\n', context.Explanations),
        };
        if (context.Rejection is { } rejection)
        {
            var reason = $"{rejection.ReasonCode}: {rejection.Message} (state {rejection.CurrentState}; permitted: {string.Join(", ", rejection.PermittedTriggers)})";
            var digest = StateDigest.Describe(step.State);
            step.AddAudit(actor, "transition-rejected", reason, explanation, workflow, digest, digest);
            _runtime.Telemetry.TransitionRejected(workflow.Name);
        }
        else
        {
            var action = phase switch
            {
                WorkflowStepPhase.OnApproved => "approved-steps",
                WorkflowStepPhase.OnRefused => "refused-steps",
                WorkflowStepPhase.OnTimer => "timer-steps",
                _ => "processed",
            };
            step.AddAudit(actor, action, Summarize(inboxEvent.Envelope.Type, context), explanation, workflow, StateDigest.Describe(step.State), StateDigest.Describe(context.State));
            step.State = context.State;
            step.WithdrawnApprovals.AddRange(context.WithdrawnApprovalSites);
            var commands = context.Commands;
            if (commands.Count > 0)
            {
                // The outbox entries go into a list of the size they need (most steps plan one or two commands).
                step.Commands.EnsureCapacity(step.Commands.Count + commands.Count);
                for (var i = 0; i < commands.Count; i++)
                {
                    step.AddCommand(commands[i], workflow.Id);
                }
            }

            var followUps = context.FollowUps;
            for (var i = 0; i < followUps.Count; i++)
            {
                var followUp = followUps[i];
                step.FollowUps.Add(new InboxEvent { Key = new EventKey(followUp.Source, followUp.Id), PartitionKey = followUp.EffectivePartitionKey, AcceptedAt = step.Now, Envelope = followUp });
            }

            step.Timers.AddRange(context.Timers);
            step.CancelledTimers.AddRange(context.CancelledTimers);
            if (phase is WorkflowStepPhase.OnEvent or WorkflowStepPhase.OnTimer && context.Commands.Count > 0 && workflow.Deadline is { } deadline)
            {
                var site = inboxEvent.Envelope.Site;
                var within = site is { } s && _runtime.Options.Settings.Approvals.SiteStepDeadlines.TryGetValue(s, out var bySite) ? bySite : deadline.Within;
                step.Timers.Add(StepDeadlines.Timer(step.State.Key, inboxEvent.Key, workflow, site, step.Now + within));
            }
        }

        var drafts = context.AuditDrafts;
        for (var i = 0; i < drafts.Count; i++)
        {
            var draft = drafts[i];
            step.AddAudit(draft.Actor ?? actor, draft.Action, draft.Reason, null, workflow, null, null);
        }
    }

    private Staged Finish(KeyRuntime key, StepBuilder step, IReadOnlyList<WorkflowDefinition> workflows)
    {
        var inboxEvent = step.Event!;
        if (step.State.Instances.Count > 0)
        {
            // Whatever way the event ends, a bootstrap retry waiting for it is over.
            step.State = QueryRetries.Without(step.State, inboxEvent.Key);
        }

        var newState = step.State with { Version = key.State.Version + 1, AuditHead = step.Head, NextCommandOrdinal = step.NextOrdinal };
        var commit = new StepCommit
        {
            PartitionKey = newState.Key,
            ExpectedVersion = key.State.Version,
            NewState = newState,
            ProcessedEvents = [inboxEvent.Key],
            NewCommands = step.Commands,
            Audit = step.Audit,
            FollowUpEvents = step.FollowUps,
            Timers = step.Timers,
            CancelledTimers = step.CancelledTimers,
        };
        var acceptedAt = inboxEvent.AcceptedAt;
        var followUps = step.FollowUps;
        var timers = step.Timers;
        // Requests added = the change in waiting approvals plus those withdrawn in this step (an answered approval is
        // counted down by the approval processor itself, so a negative change adds nothing here).
        var withdrawn = step.WithdrawnApprovals;
        var approvalsAdded = WaitingApprovals(newState) - WaitingApprovals(key.State) + withdrawn.Count;
        return new Staged(key)
        {
            Commit = commit,
            NewState = newState,
            NewCommands = step.Commands,
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

                for (var i = 0; i < approvalsAdded; i++)
                {
                    _runtime.Telemetry.ApprovalRequested(inboxEvent.Envelope.Site?.Value ?? string.Empty);
                }

                foreach (var site in withdrawn)
                {
                    _runtime.Telemetry.ApprovalWithdrawn(site);
                }
            },
        };
    }

    private static int WaitingApprovals(PartitionState state)
    {
        var count = 0;
        var instances = state.Instances;
        for (var i = 0; i < instances.Count; i++)
        {
            if (ApprovalStore.IsWaitingRequest(instances[i]))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Loads a lot or order seen for the first time from the ERP composed for the event's site (nothing is read when no
    /// ERP adapter there supports the query). An answer of "unknown" leaves the state as it is (the workflows decide
    /// what that means); a failure throws <see cref="AdapterQueryException"/>, retried like a step's query.
    /// </summary>
    private async ValueTask<PartitionState> BootstrapAsync(PartitionState state, EventEnvelope envelope, CancellationToken ct)
    {
        var adapters = _runtime.Options.Adapters;
        var payload = envelope.Data;
        if (state.Lot is null && LotOf(payload) is { } lot && adapters.Supports(QueryKinds.ErpGetLot, envelope.Site))
        {
            var fetched = await Bootstrap(Read(QueryKinds.ErpGetLot, new GetLotQuery(lot), envelope.Site, ct), "lot " + lot.Value).ConfigureAwait(false);
            return fetched is null ? state : state with { Lot = fetched };
        }

        if (state.Order is null && state.Lot is null && payload is ProductionConfirmed confirmed && adapters.Supports(QueryKinds.ErpGetProductionOrder, envelope.Site))
        {
            var order = await Bootstrap(Read(QueryKinds.ErpGetProductionOrder, new GetProductionOrderQuery(confirmed.Order), envelope.Site, ct), "order " + confirmed.Order.Value).ConfigureAwait(false);
            return order is null ? state : state with { Order = order };
        }

        return state;
    }

    /// <summary>Asks a first-touch read of the site's ERP, under a span of its own when traced.</summary>
    private ValueTask<T> Read<T>(string operation, AdapterQuery<T> query, SiteId? site, CancellationToken ct) =>
        StepContext.AskAsync(_runtime.Options.Adapters, _runtime.Telemetry, operation, query, site, ct);

    /// <summary>Awaits a first-touch read, naming what it read in a failure (the lot or order rather than the query record).</summary>
    private static async ValueTask<T> Bootstrap<T>(ValueTask<T> read, string subject)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (AdapterQueryException failed)
        {
            throw new AdapterQueryException(failed.Operation, failed.Failure, failed.InnerException, subject);
        }
    }

    /// <summary>
    /// The lot an event is about, when the engine reads it from the ERP on first touch. Not for a receipt, consumption or
    /// movement: each is the record of a posting the ERP already made, so the ERP's lot read now includes it and applying
    /// the event to it would count it twice; the workflows handling them read the lot themselves.
    /// </summary>
    private static LotId? LotOf(EventPayload payload) => payload switch
    {
        InspectionPassed p => p.Lot,
        InspectionFailed p => p.Lot,
        MrbDispositionDecided p => p.Lot,
        LotReleased p => p.Lot,
        CycleCountRecorded p => p.Count.Lot,
        LotContainmentRequested p => p.Lot,
        _ => null,
    };

    /// <summary>
    /// Step summaries repeat (a workflow has few combinations of event type, decisions and commands) and every audit
    /// record keeps one: each text is held once, for the process's lifetime, up to this many.
    /// </summary>
    private static readonly SharedTexts Summaries = new(4_096);

    private static string Summarize(string eventType, StepContext context)
    {
        if (context.Decisions.Count == 0 && context.Commands.Count == 0)
        {
            return eventType;
        }

        var sb = TextBuilders.Acquire();
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

        return TextBuilders.ToSharedStringAndRelease(sb, Summaries);
    }
}

/// <summary>What one step of one key accumulates before it is committed: state, audit chain, commands, follow-ups, timers.</summary>
internal sealed class StepBuilder
{
    public StepBuilder(PartitionState state, InboxEvent inboxEvent, DateTimeOffset now)
        : this(state, inboxEvent.Key, inboxEvent.Envelope.CorrelationId, now)
    {
        Event = inboxEvent;
    }

    public StepBuilder(PartitionState state, EventKey eventKey, string? correlationId, DateTimeOffset now)
    {
        State = state;
        EventKey = eventKey;
        CorrelationId = correlationId;
        Now = now;
        Head = state.AuditHead;
        NextOrdinal = state.NextCommandOrdinal;
    }

    public PartitionState State { get; set; }

    /// <summary>The event being processed; <see langword="null"/> for timer-driven steps.</summary>
    public InboxEvent? Event { get; }

    public EventKey EventKey { get; }

    public string? CorrelationId { get; }

    public DateTimeOffset Now { get; }

    public AuditHead Head { get; private set; }

    public long NextOrdinal { get; private set; }

    public List<AuditRecord> Audit { get; } = new(2);

    public List<OutboxEntry> Commands { get; } = [];

    public List<InboxEvent> FollowUps { get; } = [];

    public List<DurableTimer> Timers { get; } = [];

    public List<string> CancelledTimers { get; } = [];

    /// <summary>The sites of the pending approvals the step's workflows withdrew.</summary>
    public List<SiteId> WithdrawnApprovals { get; } = [];

    /// <summary>For a redecision: the commands earlier decisions of the event carried out, which are not planned again.</summary>
    public HashSet<(string Workflow, string Step, string Kind, int Occurrence)>? AlreadyDone { get; set; }

    public void AddAudit(string actor, string action, string reason, string? explanation, WorkflowDefinition? workflow, string? before, string? after)
    {
        var content = new AuditContent
        {
            PartitionKey = State.Key,
            RecordedAt = Now,
            Actor = actor,
            Action = action,
            Reason = reason,
            Explanation = explanation,
            Workflow = workflow?.Name,
            WorkflowVersion = workflow?.Version,
            WorkflowFingerprint = workflow?.Fingerprint,
            Event = EventKey,
            CorrelationId = CorrelationId,
            Before = before,
            After = after,
        };
        Audit.Add(AuditHashes.Chain(Head, content, out var head));
        Head = head;
    }

    /// <summary>Adds a command the engine itself plans (an escalation), with no compensation.</summary>
    public void AddCommand(Adapters.AdapterCommand command, string stepName, string workflowId, Adapters.OperationRegistry operations) =>
        AddCommand(new PlannedCommand(command, CommandPayload.Of(command, operations), stepName, null, null), workflowId);

    public void AddCommand(PlannedCommand planned, string workflowId)
    {
        var command = planned.Command;
        Commands.Add(new OutboxEntry
        {
            IdempotencyKey = command.Context.IdempotencyKey,
            PartitionKey = State.Key,
            Ordinal = NextOrdinal++,
            Kind = command.Kind,
            Payload = planned.Payload,
            CorrelationId = command.Context.CorrelationId,
            CausedBy = EventKey,
            Step = planned.Step,
            Workflow = workflowId,
            CreatedAt = Now,
            Compensation = planned.Compensation is { } compensation ? new CompensationPlan { Kind = compensation.Kind, Payload = planned.CompensationPayload! } : null,
            TraceParent = planned.TraceParent,
        });
    }
}

/// <summary>
/// A store call a step makes failed: the store, not the workflow, so the event stays pending and its key reads it again
/// after a short wait, as after a failed commit, instead of being dead-lettered as a failed step. Stores throw exceptions
/// of any type (a workflow may throw the same ones), so it is the call that failed that tells the two apart.
/// </summary>
internal sealed class StepStoreException : Exception
{
    public StepStoreException(Exception storeFailure)
        : base($"The store failed during the step: {storeFailure.GetType().Name}: {storeFailure.Message}", storeFailure)
    {
    }
}
