using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Workflows;

/// <summary>
/// Builds an immutable <see cref="WorkflowDefinition"/>, validating as steps are added.
/// </summary>
/// <example>
/// <code>
/// var workflow = new WorkflowBuilder("incoming-inspection", version: 1)
///     .TriggeredBy(EventTypes.InspectionFailed)
///     .Step("decide", WorkflowStepKind.Decide, ctx => ctx.AddDecisions(rules.Decide(...)))
///     .OnDecision&lt;QuarantineLot&gt;("quarantine", (d, ctx) => ctx.Plan(...))
///     .Build();
/// </code>
/// </example>
public sealed class WorkflowBuilder
{
    private readonly string _name;
    private readonly int _version;
    private readonly List<string> _triggers = [];
    private readonly List<WorkflowStep> _steps = [];
    private readonly List<string> _required = [];
    private readonly List<string> _optional = [];
    private string? _description;
    private WorkflowDeadline? _deadline;

    /// <summary>Starts a workflow definition.</summary>
    /// <param name="name">The name: lower-case letters, digits and dashes.</param>
    /// <param name="version">The version, 1 or more.</param>
    public WorkflowBuilder(string name, int version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
            {
                throw new ArgumentException($"Workflow name '{name}' may only contain lower-case letters, digits, '-' and '.'.", nameof(name));
            }
        }

        _name = name;
        _version = version;
    }

    /// <summary>Sets the description.</summary>
    /// <param name="description">The description.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Describe(string description)
    {
        _description = description;
        return this;
    }

    /// <summary>
    /// Sets the step deadline: the commands an event plans must complete (retries included) within
    /// <paramref name="within"/> — overridable per site with <see cref="Approvals.ApprovalOptions.SiteStepDeadlines"/> —
    /// or the SLA is breached: audited, counted and <paramref name="escalateTo"/> alerted.
    /// </summary>
    /// <param name="within">The time allowed.</param>
    /// <param name="escalateTo">Who is alerted.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder WithDeadline(TimeSpan within, Role escalateTo)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(within, TimeSpan.Zero);
        _deadline = new WorkflowDeadline { Within = within, EscalateTo = escalateTo };
        return this;
    }

    /// <summary>
    /// Declares operations (command and query kinds) the workflow cannot do without. The orchestrator refuses to start
    /// when any of them has no adapter for some site it composes, naming each one — a missing connector is found at
    /// start-up, not when the first event dead-letters.
    /// </summary>
    /// <param name="operations">The kinds, such as <see cref="Adapters.CommandKinds.ErpChangeStockCategory"/> or <c>lims.record-sample</c>.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Requires(params string[] operations) => AddOperations(_required, operations);

    /// <summary>
    /// Declares operations the workflow uses only when they are composed (its steps ask <see cref="StepContext.Supports"/>
    /// first): documented and checked to be registered, but not required at start-up.
    /// </summary>
    /// <param name="operations">The kinds.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder UsesIfAvailable(params string[] operations) => AddOperations(_optional, operations);

    /// <summary>Adds event types that start the workflow.</summary>
    /// <param name="eventTypes">The event types.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder TriggeredBy(params string[] eventTypes)
    {
        ArgumentNullException.ThrowIfNull(eventTypes);
        foreach (var type in eventTypes)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(type);
            if (!_triggers.Contains(type, StringComparer.Ordinal))
            {
                _triggers.Add(type);
            }
        }

        return this;
    }

    /// <summary>Adds an asynchronous step.</summary>
    /// <param name="name">The step name, unique within the workflow.</param>
    /// <param name="kind">What it does.</param>
    /// <param name="run">The step.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Step(string name, WorkflowStepKind kind, Func<StepContext, CancellationToken, ValueTask> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Add(new WorkflowStep(ValidateStepName(name), kind, null, run));
    }

    /// <summary>Adds a synchronous step.</summary>
    /// <param name="name">The step name, unique within the workflow.</param>
    /// <param name="kind">What it does.</param>
    /// <param name="run">The step.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Step(string name, WorkflowStepKind kind, Action<StepContext> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Add(new WorkflowStep(ValidateStepName(name), kind, null, (ctx, _) =>
        {
            run(ctx);
            return ValueTask.CompletedTask;
        }));
    }

    /// <summary>
    /// Adds a step that maps every decision of type <typeparamref name="TDecision"/> (from the decide step) to
    /// transitions and commands. This is where a workflow says what a decision means for the systems.
    /// </summary>
    /// <typeparam name="TDecision">The decision type.</typeparam>
    /// <param name="name">The step name, unique within the workflow.</param>
    /// <param name="map">The mapping, called once per matching decision.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder OnDecision<TDecision>(string name, Action<TDecision, StepContext> map)
        where TDecision : class
    {
        ArgumentNullException.ThrowIfNull(map);
        return Add(new WorkflowStep(ValidateStepName(name), WorkflowStepKind.Plan, typeof(TDecision), (ctx, _) =>
        {
            var decisions = ctx.Decisions;
            for (var i = 0; i < decisions.Count && !ctx.IsStopped; i++)
            {
                if (decisions[i] is TDecision decision)
                {
                    map(decision, ctx);
                }
            }

            return ValueTask.CompletedTask;
        }));
    }

    /// <summary>
    /// Adds a step that runs when an approval this workflow requested (<see cref="StepContext.RequestApproval"/>) is
    /// given by the required signers. It runs on the workflow version the request was made under.
    /// </summary>
    /// <param name="name">The step name, unique within the workflow.</param>
    /// <param name="run">The step; the outcome carries the request, its signatures and the workflow's payload.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder OnApproved(string name, Action<ApprovalOutcome, StepContext> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Add(new WorkflowStep(ValidateStepName(name), WorkflowStepKind.Approve, null, (ctx, _) => RunOutcome(ctx, run), WorkflowStepPhase.OnApproved));
    }

    /// <summary>Adds a step on the refusal path: it runs when an approval this workflow requested is refused.</summary>
    /// <param name="name">The step name, unique within the workflow.</param>
    /// <param name="run">The step.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder OnRefused(string name, Action<ApprovalOutcome, StepContext> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Add(new WorkflowStep(ValidateStepName(name), WorkflowStepKind.Approve, null, (ctx, _) => RunOutcome(ctx, run), WorkflowStepPhase.OnRefused));
    }

    /// <summary>
    /// Adds a step that runs when a durable timer this workflow scheduled with <paramref name="purpose"/>
    /// (<see cref="StepContext.ScheduleTimer"/>) comes due. The orchestrator records the timer's coming due as a
    /// <see cref="EventTypes.TimerElapsed"/> event of the timer's partition, in the same commit that removes the timer,
    /// so the step runs once for it, in order with the partition's other events, also across restarts. It runs on the
    /// workflow version that scheduled the timer while that version is registered, else on the latest; the step's
    /// context carries that event (<see cref="StepContext.Event"/>: its site and correlation are those of the event that
    /// scheduled the timer) and plans, audits and schedules like any step.
    /// </summary>
    /// <param name="purpose">The purpose the step handles (identifier rules; not one of the engine's own timer purposes).</param>
    /// <param name="name">The step name, unique within the workflow.</param>
    /// <param name="run">The step; it receives the timer's id, purpose, due time and data.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> breaks the identifier rules or is reserved for the engine's own timers.</exception>
    public WorkflowBuilder OnTimer(string purpose, string name, Action<TimerElapsed, StepContext> run)
    {
        WorkflowTimers.ThrowIfInvalidPurpose(purpose, nameof(purpose));
        ArgumentNullException.ThrowIfNull(run);
        return Add(new WorkflowStep(
            ValidateStepName(name),
            WorkflowStepKind.Custom,
            null,
            (ctx, _) =>
            {
                if (ctx.Event.Data is TimerElapsed elapsed && string.Equals(elapsed.Purpose, purpose, StringComparison.Ordinal))
                {
                    run(elapsed, ctx);
                }

                return ValueTask.CompletedTask;
            },
            WorkflowStepPhase.OnTimer,
            purpose));
    }

    /// <summary>Builds the immutable definition.</summary>
    /// <returns>The definition.</returns>
    /// <exception cref="InvalidOperationException">The workflow has no trigger or no step.</exception>
    public WorkflowDefinition Build()
    {
        if (_triggers.Count == 0)
        {
            throw new InvalidOperationException($"Workflow '{_name}' needs at least one trigger event type.");
        }

        if (_steps.Count == 0)
        {
            throw new InvalidOperationException($"Workflow '{_name}' needs at least one step.");
        }

        return new WorkflowDefinition(_name, _version, _description, _triggers.ToArray(), _steps.ToArray(), _deadline)
        {
            RequiredOperations = _required.ToArray(),
            OptionalOperations = _optional.Except(_required, StringComparer.Ordinal).ToArray(),
        };
    }

    private WorkflowBuilder AddOperations(List<string> into, string[] operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var operation in operations)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(operation, nameof(operations));
            if (!into.Contains(operation, StringComparer.Ordinal))
            {
                into.Add(operation);
            }
        }

        return this;
    }

    private static ValueTask RunOutcome(StepContext ctx, Action<ApprovalOutcome, StepContext> run)
    {
        if (ctx.Approval is { } outcome)
        {
            run(outcome, ctx);
        }

        return ValueTask.CompletedTask;
    }

    private WorkflowBuilder Add(WorkflowStep step)
    {
        foreach (var existing in _steps)
        {
            if (string.Equals(existing.Name, step.Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Workflow '{_name}' already has a step named '{step.Name}'.", nameof(step));
            }
        }

        _steps.Add(step);
        return this;
    }

    private static string ValidateStepName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name;
    }
}
