using System.Diagnostics.CodeAnalysis;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Workflows;

/// <summary>
/// What a workflow step sees and produces while it handles one event of one partition: the event, the partition's
/// state, facts gathered so far, the decisions, and the commands, audit entries, follow-up events and timers it plans.
/// Everything planned is committed atomically with the new state after the last step; nothing touches an external
/// system during a step except read-only adapter queries (enrichment).
/// </summary>
/// <remarks>A context belongs to one partition worker and one event; it is not thread-safe. Once the workflow's steps have
/// returned, what would change the step (planning, auditing, facts, decisions, approvals, follow-ups, timers) throws
/// <see cref="InvalidOperationException"/>: a context kept past its step would otherwise plan what is never committed.</remarks>
public sealed class StepContext
{
    // Created on first use: most steps plan a few commands and nothing else, and one context is made per workflow run.
    private List<object>? _decisions;
    private List<PlannedCommand>? _commands;
    private List<AuditDraft>? _audit;
    private List<EventEnvelope>? _followUps;
    private List<DurableTimer>? _timers;
    private List<string>? _cancelledTimers;
    private List<string>? _explanations;
    private readonly ApprovalOptions _approvals;
    private readonly AdapterSet _adapters;
    private readonly OrchestrationTelemetry? _telemetry;
    // A step context holds a handful of facts and planned kinds: a list searched in order costs less than a dictionary.
    private List<(string Name, Type Type, object Value)>? _facts;
    private List<(string Step, string Kind, int Count)>? _occurrences;
    private string? _correlationId;
    private List<SiteId>? _withdrawnApprovalSites;

    private bool _finished;

    internal StepContext(EventEnvelope envelope, EventKey eventKey, PartitionState state, WorkflowDefinition workflow, AdapterSet adapters, TimeProvider time, ApprovalOptions approvals, OrchestrationTelemetry? telemetry = null)
    {
        _telemetry = telemetry;
        _approvals = approvals;
        Event = envelope;
        EventKey = eventKey;
        State = state;
        Workflow = workflow;
        _adapters = adapters;
        Time = time;
        Now = time.GetUtcNow();
        CurrentStep = string.Empty;
    }

    /// <summary>The event being handled.</summary>
    public EventEnvelope Event { get; }

    /// <summary>
    /// For a redecision (the event decided again after a target refused one of its commands as stale): the commands the
    /// earlier decisions carried out, as (workflow, step, kind, occurrence); planning one of them again only audits it.
    /// </summary>
    internal HashSet<(string Workflow, string Step, string Kind, int Occurrence)>? AlreadyDone { get; init; }

    /// <summary>The event's identity.</summary>
    public EventKey EventKey { get; }

    /// <summary>The workflow running.</summary>
    public WorkflowDefinition Workflow { get; }

    /// <summary>The step running.</summary>
    public string CurrentStep { get; internal set; }

    /// <summary>The partition's state; a step that transitions the aggregate sets the new state here.</summary>
    public PartitionState State { get; set; }

    /// <summary>
    /// Asks a read-only query (enrichment) of the adapter the event's site routes it to. A failure is not the step's to
    /// handle: a transient one leaves the event pending behind a durable retry (the key keeps its order, as when the
    /// first-touch ERP read fails), a permanent one dead-letters the event naming the query. Queries carry no
    /// idempotency key; a retried event asks them again.
    /// </summary>
    /// <typeparam name="TResult">What the query returns.</typeparam>
    /// <param name="query">The query, such as <see cref="GetOpenAllocationsQuery"/> or one of your own registered with <see cref="OperationRegistry.AddQuery{TQuery, TResult}"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="AdapterQueryException">The query failed (let it propagate: the orchestrator classifies and retries it).</exception>
    /// <exception cref="InvalidOperationException">The workflow declares its operations and not this query's.</exception>
    public ValueTask<TResult> QueryAsync<TResult>(AdapterQuery<TResult> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        _adapters.Operations.TryGet(query.GetType(), out var operation);
        if (operation is not null)
        {
            EnsureDeclared(operation.Kind);
        }

        return AskAsync(_adapters, _telemetry, operation?.Kind ?? query.GetType().Name, query, Event.Site, cancellationToken);
    }

    /// <summary>Asks a query of the adapter a site routes it to, under a span of its own when the orchestrator is traced.</summary>
    internal static ValueTask<TResult> AskAsync<TResult>(AdapterSet adapters, OrchestrationTelemetry? telemetry, string operation, AdapterQuery<TResult> query, SiteId? site, CancellationToken cancellationToken) =>
        telemetry is { IsTracing: true }
            ? TracedAsync(adapters, telemetry, operation, query, site, cancellationToken)
            : adapters.QueryAsync(query, site, cancellationToken);

    /// <summary>
    /// Asks a query under its own span, ending it with the outcome. An async method of its own, so the span is the
    /// current one only for the query (an adapter's HTTP call becomes its child) and never leaks into the caller's flow.
    /// </summary>
    private static async ValueTask<TResult> TracedAsync<TResult>(AdapterSet adapters, OrchestrationTelemetry telemetry, string operation, AdapterQuery<TResult> query, SiteId? site, CancellationToken cancellationToken)
    {
        var activity = telemetry.StartQuery(operation, site);
        try
        {
            var result = await adapters.QueryAsync(query, site, cancellationToken).ConfigureAwait(false);
            OrchestrationTelemetry.End(activity, "succeeded");
            return result;
        }
        catch (AdapterQueryException failed)
        {
            OrchestrationTelemetry.End(activity, failed.IsTransient ? "transient_failure" : "permanent_failure", failed.Message);
            throw;
        }
        catch
        {
            OrchestrationTelemetry.End(activity, "cancelled");
            throw;
        }
    }

    /// <summary>Whether an operation is carried out for the event's site: for a step that uses an optional operation only when it is composed.</summary>
    /// <param name="operation">The command or query kind, such as <c>mes.get-consumers</c>.</param>
    /// <returns><see langword="true"/> when an adapter composed for the site supports it.</returns>
    public bool Supports(string operation) => _adapters.Supports(operation, Event.Site);

    /// <summary>The orchestrator's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The time the step started, from <see cref="Time"/>.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The correlation id of the business case: the event's, else its source and id.</summary>
    public string CorrelationId => _correlationId ??= Event.CorrelationId ?? EventKey.ToString();

    /// <summary>The decisions made so far (typed decision objects from the rules).</summary>
    public IReadOnlyList<object> Decisions => _decisions ?? (IReadOnlyList<object>)[];

    /// <summary>The answered approval, while the workflow's <see cref="WorkflowStepPhase.OnApproved"/> or <see cref="WorkflowStepPhase.OnRefused"/> steps run.</summary>
    public ApprovalOutcome? Approval { get; internal set; }

    /// <summary>Whether a step stopped the workflow (a rejection, or <see cref="Stop"/>).</summary>
    public bool IsStopped { get; private set; }

    /// <summary>The rejection, when a transition was rejected.</summary>
    public TransitionRejectionRecord? Rejection { get; private set; }

    internal IReadOnlyList<PlannedCommand> Commands => _commands ?? (IReadOnlyList<PlannedCommand>)[];

    internal IReadOnlyList<AuditDraft> AuditDrafts => _audit ?? (IReadOnlyList<AuditDraft>)[];

    /// <summary>The sites of the approvals this context withdrew (for the waiting-approvals instrument).</summary>
    internal IReadOnlyList<SiteId> WithdrawnApprovalSites => _withdrawnApprovalSites ?? [];

    internal IReadOnlyList<EventEnvelope> FollowUps => _followUps ?? (IReadOnlyList<EventEnvelope>)[];

    internal IReadOnlyList<DurableTimer> Timers => _timers ?? (IReadOnlyList<DurableTimer>)[];

    internal IReadOnlyList<string> CancelledTimers => _cancelledTimers ?? (IReadOnlyList<string>)[];

    internal IReadOnlyList<string> Explanations => _explanations ?? (IReadOnlyList<string>)[];

    /// <summary>Stores a fact for later steps, replacing the fact the key named before.</summary>
    /// <typeparam name="T">The fact type.</typeparam>
    /// <param name="key">The key (its name and type together identify the fact).</param>
    /// <param name="value">The fact.</param>
    /// <exception cref="ArgumentException"><paramref name="key"/> is the <see langword="default"/> key, which has no name.</exception>
    public void SetFact<T>(FactKey<T> key, T value)
        where T : notnull
    {
        ThrowIfFinished();
        var (name, type) = Slot(key);
        var facts = _facts ??= new List<(string Name, Type Type, object Value)>(4);
        var index = IndexOfFact(facts, name, type);
        if (index < 0)
        {
            facts.Add((name, type, value));
        }
        else
        {
            facts[index] = (name, type, value);
        }
    }

    /// <summary>Reads a fact stored by an earlier step.</summary>
    /// <typeparam name="T">The fact type.</typeparam>
    /// <param name="key">The key.</param>
    /// <returns>The fact, or the default of <typeparamref name="T"/> when no step stored it.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is the <see langword="default"/> key, which has no name.</exception>
    public T? GetFact<T>(FactKey<T> key) => TryGetFact(key, out var value) ? value : default;

    /// <summary>Reads a fact stored by an earlier step, saying whether there was one.</summary>
    /// <typeparam name="T">The fact type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The fact, when stored; otherwise the default of <typeparamref name="T"/>.</param>
    /// <returns><see langword="true"/> when a step stored the fact.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is the <see langword="default"/> key, which has no name.</exception>
    public bool TryGetFact<T>(FactKey<T> key, [MaybeNullWhen(false)] out T value)
    {
        var (name, type) = Slot(key);
        if (_facts is { } facts && IndexOfFact(facts, name, type) is var index and >= 0)
        {
            value = (T)facts[index].Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Records decisions and their explanation (for the audit trail).</summary>
    /// <param name="decisions">The decisions.</param>
    /// <param name="explanation">Why: rules fired, rule-set version, facts matched.</param>
    public void AddDecisions(IEnumerable<object> decisions, string? explanation)
    {
        ThrowIfFinished();
        ArgumentNullException.ThrowIfNull(decisions);
        if (_decisions is null)
        {
            _decisions = new List<object>(decisions);
        }
        else
        {
            _decisions.AddRange(decisions);
        }

        if (!string.IsNullOrEmpty(explanation))
        {
            (_explanations ??= new List<string>(1)).Add(explanation);
        }
    }

    /// <summary>
    /// Plans an adapter command. The idempotency key is derived from the event, the current step and the command
    /// kind, so a retry or a replay after a crash sends the same key. When the event is decided again after a target
    /// refused one of its commands as stale, a command the first decision already carried out is audited, not sent twice.
    /// </summary>
    /// <typeparam name="TCommand">The command type.</typeparam>
    /// <param name="kind">The command kind (a <see cref="CommandKinds"/> constant, or your own registered with <see cref="OperationRegistry.AddCommand{TCommand}"/>); must match the command's own kind.</param>
    /// <param name="create">Creates the command from its context.</param>
    /// <param name="compensation">Creates the compensating command, when the step's effect can be undone.</param>
    /// <returns>The planned command.</returns>
    /// <exception cref="InvalidOperationException">The workflow declares its operations and not this kind, the command's kind is not <paramref name="kind"/>, or <paramref name="create"/> or <paramref name="compensation"/> returned <see langword="null"/>.</exception>
    public TCommand Plan<TCommand>(string kind, Func<CommandContext, TCommand> create, Func<CommandContext, AdapterCommand>? compensation = null)
        where TCommand : AdapterCommand
    {
        ThrowIfFinished();
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(create);
        EnsureDeclared(kind);
        var occurrence = NextOccurrence(kind);
        var key = IdempotencyKeys.Derive(EventKey.Source, EventKey.Id, CurrentStep, kind, occurrence);
        var context = new CommandContext { IdempotencyKey = key, CorrelationId = CorrelationId, CausationId = EventKey.Id, Site = Event.Site };
        var command = create(context) ?? throw new InvalidOperationException($"Step '{CurrentStep}' created no '{kind}' command: the create function returned null.");
        if (!string.Equals(command.Kind, kind, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Step '{CurrentStep}' planned a '{command.Kind}' command under kind '{kind}'.");
        }

        if (AlreadyDone is { } done && done.Contains((Workflow.Id, CurrentStep, kind, occurrence)))
        {
            (_audit ??= []).Add(new AuditDraft("already-done", $"{kind} of step '{CurrentStep}' was carried out when the event was first decided; it is not sent again.", null));
            return command;
        }

        AdapterCommand? compensating = null;
        if (compensation is not null)
        {
            var compensationKey = IdempotencyKeys.Derive(EventKey.Source, EventKey.Id, CurrentStep + ":compensate", kind, occurrence);
            compensating = compensation(context with { IdempotencyKey = compensationKey })
                ?? throw new InvalidOperationException($"Step '{CurrentStep}' created no compensation for its '{kind}' command: the compensation function returned null (pass no compensation when the effect cannot be undone).");
        }

        // Refused here, by name, when the type is not a registered command: nothing unregistered reaches the outbox.
        var payload = CommandPayload.Of(command, _adapters.Operations);
        var compensationPayload = compensating is null ? null : CommandPayload.Of(compensating, _adapters.Operations);
        (_commands ??= []).Add(new PlannedCommand(command, payload, CurrentStep, compensating, compensationPayload));
        return command;
    }

    private void EnsureDeclared(string operation)
    {
        if (!Workflow.MayUse(operation))
        {
            throw new InvalidOperationException($"Step '{CurrentStep}' of {Workflow.Id} uses '{operation}', which the workflow does not declare: add it to Requires(...) or UsesIfAvailable(...).");
        }
    }

    /// <summary>Adds an audit entry to the partition's chain (in addition to the one the engine writes per event).</summary>
    /// <param name="action">What happened.</param>
    /// <param name="reason">Why.</param>
    /// <param name="actor">Who, when a person acted; the workflow otherwise.</param>
    public void Audit(string action, string reason, string? actor = null)
    {
        ThrowIfFinished();
        ArgumentException.ThrowIfNullOrEmpty(action);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        (_audit ??= []).Add(new AuditDraft(action, reason, actor));
    }

    /// <summary>Rejects the event's transition: it is audited with its reason code and no command is executed.</summary>
    /// <param name="reasonCode">The reason code.</param>
    /// <param name="message">The message.</param>
    /// <param name="currentState">The state the aggregate was in.</param>
    /// <param name="permittedTriggers">What would have been permitted.</param>
    public void Reject(ReasonCode reasonCode, string message, string currentState, IReadOnlyList<string> permittedTriggers)
    {
        ThrowIfFinished();
        ArgumentNullException.ThrowIfNull(permittedTriggers);
        Rejection = new TransitionRejectionRecord
        {
            ReasonCode = reasonCode,
            Message = message,
            CurrentState = currentState,
            PermittedTriggers = permittedTriggers,
            Step = CurrentStep,
        };
        _commands?.Clear();
        IsStopped = true;
    }

    /// <summary>
    /// Makes the workflow wait for a person: records a pending approval in the partition's state (it survives restarts),
    /// schedules its SLA timer and audits the request. The workflow's <see cref="WorkflowBuilder.OnApproved"/> steps
    /// run when the required, distinct signers (never the requester) have approved; its
    /// <see cref="WorkflowBuilder.OnRefused"/> steps when one refuses.
    /// </summary>
    /// <param name="request">What must be approved, by whom, and the data needed to act on the answer.</param>
    /// <returns>The request id that <see cref="ApprovalGiven.RequestId"/> / <see cref="ApprovalRefused.RequestId"/> must name.</returns>
    public string RequestApproval(ApprovalRequest request)
    {
        ThrowIfFinished();
        ArgumentNullException.ThrowIfNull(request);
        var occurrence = NextOccurrence("approval|" + request.Gate);
        var requestId = IdempotencyKeys.Derive(EventKey.Source, EventKey.Id, CurrentStep, "approval:" + request.Gate, occurrence);
        foreach (var instance in State.Instances)
        {
            if (string.Equals(instance.Id, requestId, StringComparison.Ordinal))
            {
                return requestId;
            }
        }

        var dueAt = Now + _approvals.DeadlineFor(Workflow.Name, request.Site);
        var pending = new PendingApproval
        {
            RequestId = requestId,
            Role = request.Role,
            Site = request.Site,
            Subject = request.Subject,
            ReasonCode = request.ReasonCode,
            Gate = request.Gate,
            Requester = request.Requester,
            ExcludedSigners = request.ExcludedSigners,
            RequiredSignatures = Math.Max(request.MinimumSignatures, _approvals.SignaturesFor(request.Gate, request.Site)),
            JustificationRequired = request.JustificationRequired,
            RequestedAt = Now,
            DueAt = dueAt,
            Payload = request.Payload,
        };
        State = State with
        {
            Instances =
            [
                .. State.Instances,
                new WorkflowInstanceState
                {
                    Id = requestId,
                    Workflow = Workflow.Name,
                    Version = Workflow.Version,
                    Fingerprint = Workflow.Fingerprint,
                    StartedBy = EventKey,
                    CorrelationId = CorrelationId,
                    WaitingFor = ApprovalRequest.WaitingFor,
                    Since = Now,
                    Data = ApprovalStore.Write(pending),
                },
            ],
        };
        AddTimer(new DurableTimer { Id = ApprovalStore.SlaTimerId(requestId, 1), PartitionKey = State.Key, DueAt = dueAt, Purpose = ApprovalStore.SlaPurpose, Data = ApprovalStore.WriteTimer(requestId, 1) });
        Audit("approval-requested", $"{request.ReasonCode.Code}: {request.Subject} — needs {pending.RequiredSignatures} signature(s) by {request.Role} at {request.Site}, due {dueAt:O} (request {requestId})");
        return requestId;
    }

    /// <summary>
    /// The approvals this workflow (any version of it) is waiting for on this partition, oldest first: for a step that
    /// must decide whether a new event makes one of them moot (see <see cref="WithdrawApproval"/>).
    /// </summary>
    public IReadOnlyList<PendingApproval> PendingApprovals
    {
        get
        {
            List<PendingApproval>? pending = null;
            foreach (var instance in State.Instances)
            {
                if (IsOwnApproval(instance))
                {
                    (pending ??= []).Add(ApprovalStore.Read(instance, State.Key));
                }
            }

            return pending is null ? [] : pending;
        }
    }

    /// <summary>
    /// Withdraws an approval this workflow requested and that no answer may act on any more (for example, a newer count
    /// supersedes the count it was raised for): the request stops waiting, so operator queries no longer list it, its
    /// SLA timers are cancelled and the withdrawal is audited with <paramref name="reasonCode"/>. A later answer to it is
    /// refused with the same reason code and runs none of the workflow's approval steps. Call it after the steps that may
    /// reject the event: a rejected event commits no state, so the request would stay waiting.
    /// </summary>
    /// <param name="requestId">The request id (<see cref="PendingApproval.RequestId"/>).</param>
    /// <param name="reasonCode">Why it is withdrawn.</param>
    /// <param name="reason">Why, for people.</param>
    /// <returns><see langword="true"/> when the request was waiting for this workflow and is now withdrawn; otherwise nothing changes.</returns>
    public bool WithdrawApproval(string requestId, ReasonCode reasonCode, string reason)
    {
        ThrowIfFinished();
        ArgumentException.ThrowIfNullOrEmpty(requestId);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        WorkflowInstanceState? waiting = null;
        foreach (var instance in State.Instances)
        {
            if (string.Equals(instance.Id, requestId, StringComparison.Ordinal) && IsOwnApproval(instance))
            {
                waiting = instance;
                break;
            }
        }

        if (waiting is null)
        {
            return false;
        }

        var pending = ApprovalStore.Read(waiting, State.Key);
        State = ApprovalStore.Withdraw(State, waiting, new WithdrawnApproval { RequestId = requestId, ReasonCode = reasonCode, Reason = reason, At = Now });
        foreach (var timer in ApprovalStore.SlaTimerIds(pending))
        {
            CancelStoredTimer(timer);
        }

        (_withdrawnApprovalSites ??= []).Add(pending.Site);
        Audit("approval-withdrawn", $"{reasonCode.Code}: {reason} — {pending.Subject} no longer waits for {pending.Role} at {pending.Site} (request {requestId})");
        return true;
    }

    /// <summary>Stops the workflow after the current step; what was planned so far is still committed.</summary>
    public void Stop()
    {
        ThrowIfFinished();
        IsStopped = true;
    }

    /// <summary>
    /// Emits a follow-up event to another partition (cross-key work, such as containing other work orders); it is
    /// accepted into the inbox atomically with this step and de-duplicated on its source and id.
    /// </summary>
    /// <param name="followUp">The event; give it a deterministic id derived from this event so replays do not duplicate it.</param>
    /// <exception cref="ArgumentException"><paramref name="followUp"/> is an event intake refuses from anyone but the
    /// orchestrator: an approval answer or the signature source (a signer signs through
    /// <see cref="Orchestrator.SignApprovalAsync"/>), a <see cref="EventTypes.TimerElapsed"/> event or the timer source (only
    /// the orchestrator fires a workflow's timer; schedule one with <see cref="ScheduleTimer"/>), or a reserved attribute.</exception>
    public void Emit(EventEnvelope followUp)
    {
        ThrowIfFinished();
        ArgumentNullException.ThrowIfNull(followUp);
        if (Authority.RefuseAtIntake(followUp) is { } refused)
        {
            throw new ArgumentException($"Step '{CurrentStep}' emitted an event the orchestrator refuses from a step as from intake ({followUp.Type} from {followUp.Source}): {refused.ReasonCode.Code} at {refused.Path}: {refused.Message}", nameof(followUp));
        }

        (_followUps ??= []).Add(followUp with { CausationId = followUp.CausationId ?? EventKey.Id, CorrelationId = followUp.CorrelationId ?? CorrelationId });
    }

    /// <summary>
    /// Schedules a durable timer of this workflow for this partition ("if no inspection result within 48 h, escalate"),
    /// committed with the step. When the clock passes <paramref name="dueAt"/>, the orchestrator removes the timer and,
    /// in the same commit, records a <see cref="EventTypes.TimerElapsed"/> event in the partition: the workflow's
    /// <see cref="WorkflowBuilder.OnTimer"/> steps for <paramref name="purpose"/> (and any workflow triggered by
    /// <see cref="EventTypes.TimerElapsed"/>) then run once for it, in order with the partition's other events. The
    /// timer survives restarts; a time already past fires at once.
    /// </summary>
    /// <param name="id">The timer's id within this workflow and partition (identifier rules); scheduling the same id again replaces it.</param>
    /// <param name="dueAt">When it fires.</param>
    /// <param name="purpose">What it is for: the <see cref="WorkflowBuilder.OnTimer"/> steps it runs (identifier rules; not one of the engine's own timer purposes <c>retry</c>, <c>query-retry</c>, <c>step-deadline</c>, <c>sla</c>).</param>
    /// <param name="data">The workflow's own data for the timer step (for example JSON text), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> or <paramref name="purpose"/> breaks the identifier rules, or <paramref name="purpose"/> is reserved for the engine's own timers.</exception>
    public void ScheduleTimer(string id, DateTimeOffset dueAt, string purpose, string? data = null)
    {
        ThrowIfFinished();
        WorkflowTimers.ThrowIfInvalidId(id, nameof(id));
        WorkflowTimers.ThrowIfInvalidPurpose(purpose, nameof(purpose));
        AddTimer(WorkflowTimers.Create(this, id, dueAt, purpose, data));
    }

    /// <summary>Cancels a durable timer this workflow scheduled for this partition; a timer that already fired or was never scheduled is left as it is.</summary>
    /// <param name="id">The timer's id, as it was scheduled.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> breaks the identifier rules.</exception>
    public void CancelTimer(string id)
    {
        ThrowIfFinished();
        WorkflowTimers.ThrowIfInvalidId(id, nameof(id));
        CancelStoredTimer(WorkflowTimers.StoredId(Workflow.Name, State.Key, id));
    }

    /// <summary>
    /// Marks the context finished once its workflow's steps ran and the engine read what they planned: a step that kept
    /// the context (a background task, a closure) and plans, audits or schedules later would do so into lists no one
    /// reads again, so such a call throws instead of being lost.
    /// </summary>
    internal void Finish() => _finished = true;

    private void ThrowIfFinished([System.Runtime.CompilerServices.CallerMemberName] string? member = null)
    {
        if (_finished)
        {
            throw new InvalidOperationException($"The steps of workflow '{Workflow.Name}' for event {EventKey.Id} finished: {member} on their context after that would be lost. Call it from within a step, before the step returns (await what the step waits for).");
        }
    }

    /// <summary>Schedules one of the engine's own timers, as stored.</summary>
    internal void AddTimer(DurableTimer timer) => (_timers ??= []).Add(timer);

    /// <summary>Cancels a timer by its stored id.</summary>
    internal void CancelStoredTimer(string storedId) => (_cancelledTimers ??= []).Add(storedId);

    /// <summary>Where a key's fact is kept: its name and type, so keys that share a name but not a type never meet.</summary>
    private static (string Name, Type Type) Slot<T>(FactKey<T> key) =>
        (key.Name ?? throw new ArgumentException("The default fact key has no name; create keys with a name.", nameof(key)), typeof(T));

    private static int IndexOfFact(List<(string Name, Type Type, object Value)> facts, string name, Type type)
    {
        for (var i = 0; i < facts.Count; i++)
        {
            var fact = facts[i];
            if (fact.Type == type && string.Equals(fact.Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>How many times the current step planned <paramref name="kind"/> before (counted up for the next time).</summary>
    private int NextOccurrence(string kind)
    {
        var occurrences = _occurrences ??= new List<(string Step, string Kind, int Count)>(2);
        var step = CurrentStep;
        for (var i = 0; i < occurrences.Count; i++)
        {
            var (s, k, count) = occurrences[i];
            if (string.Equals(s, step, StringComparison.Ordinal) && string.Equals(k, kind, StringComparison.Ordinal))
            {
                occurrences[i] = (s, k, count + 1);
                return count;
            }
        }

        occurrences.Add((step, kind, 1));
        return 0;
    }

    private bool IsOwnApproval(WorkflowInstanceState instance) =>
        ApprovalStore.IsWaitingRequest(instance) && string.Equals(instance.Workflow, Workflow.Name, StringComparison.Ordinal);
}

/// <summary>A rejected transition as recorded in the audit trail.</summary>
public sealed record TransitionRejectionRecord
{
    /// <summary>The reason code.</summary>
    public required ReasonCode ReasonCode { get; init; }

    /// <summary>The message.</summary>
    public required string Message { get; init; }

    /// <summary>The state the aggregate was in.</summary>
    public required string CurrentState { get; init; }

    /// <summary>The triggers that were permitted.</summary>
    public required IReadOnlyList<string> PermittedTriggers { get; init; }

    /// <summary>The step that rejected.</summary>
    public required string Step { get; init; }
}

internal sealed record PlannedCommand(AdapterCommand Command, CommandPayload Payload, string Step, AdapterCommand? Compensation, CommandPayload? CompensationPayload)
{
    /// <summary>The trace context of the step that planned it.</summary>
    public string? TraceParent { get; init; } = OrchestrationTelemetry.CurrentTraceParent();
}

internal sealed record AuditDraft(string Action, string Reason, string? Actor);
