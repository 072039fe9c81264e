using ManufacturingOrchestration.Model;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>What happens to a corrective action (CAPA, 8D, SCAR).</summary>
public enum CorrectiveActionTrigger
{
    /// <summary>Move to the next stage of the case's kind; refused while a mandatory activity of the current stage is open.</summary>
    Advance = 0,

    /// <summary>Add an activity to the current stage.</summary>
    AddActivity = 1,

    /// <summary>Close an open activity of the current stage.</summary>
    CloseActivity = 2,

    /// <summary>Reopen a closed case into its last working stage (verification / D8).</summary>
    Reopen = 3,
}

/// <summary>Arguments of a corrective action trigger.</summary>
public sealed class CorrectiveActionTriggerArgs
{
    /// <summary>No arguments.</summary>
    public static CorrectiveActionTriggerArgs None { get; } = new();

    /// <summary>The activity's name, for <see cref="CorrectiveActionTrigger.AddActivity"/> and <see cref="CorrectiveActionTrigger.CloseActivity"/>.</summary>
    public string? ActivityName { get; init; }

    /// <summary>Whether the added activity is mandatory, for <see cref="CorrectiveActionTrigger.AddActivity"/>.</summary>
    public bool IsMandatory { get; init; }

    /// <summary>Who closes the activity, for <see cref="CorrectiveActionTrigger.CloseActivity"/>.</summary>
    public ActorId? Actor { get; init; }
}

/// <summary>
/// The corrective action machine: the stages of a CAPA (Dynamics 365 CAPA case: Identify → Investigate → Plan →
/// Implement → Verify), an 8D (D0 … D8) or a SCAR (Issued → Containment → RootCause → CorrectiveAction →
/// Verification), then Closed (domain notes §4). Stages move forward only, one at a time.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="CorrectiveActionTrigger.Advance"/> goes to the next stage of the kind (<see cref="CorrectiveActionStages.Of"/>)
/// and is refused while a mandatory activity of the current stage is open (<c>capa.mandatory-activity-open</c>, the
/// message names the activity). A closed case does not advance nor change its activities (<c>capa.closed</c>).
/// <see cref="MoveTo"/> refuses a stage behind the current one (<c>capa.stage-backward</c>) and one that skips a stage
/// (<c>capa.stage-skipped</c>). Activities are added to the current stage under a name unique there
/// (<c>payload.required</c>, <c>capa.activity-exists</c>) and closed by name by an identified actor
/// (<c>payload.required</c>, <c>capa.activity-unknown</c>).
/// </para>
/// <para>
/// Reopen: only a closed case reopens, and only into its last working stage — Verify, D8 or Verification — because the
/// stages move forward only (Dynamics 365 keeps a CAPA case's stages forward-only; in 8D practice a closed 8D whose
/// actions prove ineffective is re-verified, while a new root cause is a new 8D). Nothing leads further back.
/// </para>
/// <para>
/// Threading: the transitions are defined once per kind; Stateless fires them (see <see cref="NonconformanceMachine"/>).
/// The state lives in the <see cref="CorrectiveAction"/>; every accepted trigger returns a new instance whose
/// <see cref="CorrectiveAction.Version"/> is one higher. Safe to call concurrently. Rejections are results, never exceptions.
/// </para>
/// </remarks>
public static class CorrectiveActionMachine
{
    private static readonly TransitionTable<CorrectiveActionStage, CorrectiveActionTrigger, CapaContext> Capa = NewTable(CorrectiveActionKind.Capa);
    private static readonly TransitionTable<CorrectiveActionStage, CorrectiveActionTrigger, CapaContext> EightD = NewTable(CorrectiveActionKind.EightD);
    private static readonly TransitionTable<CorrectiveActionStage, CorrectiveActionTrigger, CapaContext> Scar = NewTable(CorrectiveActionKind.Scar);

    /// <summary>Fires a trigger on a corrective action.</summary>
    /// <param name="action">The case as it is now.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="args">The arguments; <see cref="CorrectiveActionTriggerArgs.None"/> when the trigger needs none.</param>
    /// <returns>The new case or a rejection.</returns>
    public static TransitionResult<CorrectiveAction> Fire(CorrectiveAction action, CorrectiveActionTrigger trigger, CorrectiveActionTriggerArgs args)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(args);

        var outcome = TableOf(action.Kind).Fire(action.Stage, trigger, new CapaContext(action, args));
        if (outcome.Rejection is { } rejection)
        {
            if (rejection.ReasonCode == ReasonCodes.CorrectiveActionMandatoryActivityOpen && OpenMandatory(action) is { } open)
            {
                rejection = new TransitionRejection(
                    rejection.ReasonCode,
                    $"{action.Kind} {action.Id} cannot leave stage {action.Stage}: mandatory activity '{open.Name}' is open.",
                    rejection.CurrentState,
                    rejection.Trigger,
                    rejection.PermittedTriggers);
            }

            return TransitionResult<CorrectiveAction>.Rejected(rejection);
        }

        var activities = trigger switch
        {
            CorrectiveActionTrigger.AddActivity => [.. action.Activities, new CorrectiveActionActivity { Name = args.ActivityName!, Stage = action.Stage, IsMandatory = args.IsMandatory }],
            CorrectiveActionTrigger.CloseActivity => action.Activities.Select(a => IsOpenInStage(a, action.Stage, args.ActivityName) ? a with { IsClosed = true, ClosedBy = args.Actor } : a).ToArray(),
            _ => action.Activities,
        };
        return TransitionResult<CorrectiveAction>.Accepted(action with { Stage = outcome.State, Activities = activities, Version = action.Version + 1 });
    }

    /// <summary>
    /// Moves a corrective action to a requested stage: the next stage of its kind fires <see cref="CorrectiveActionTrigger.Advance"/>
    /// under the machine's rules; an earlier stage is refused with <c>capa.stage-backward</c>, a later one with
    /// <c>capa.stage-skipped</c>, the current one or a stage of another kind with <c>transition.not-permitted</c>.
    /// Reopening is <see cref="CorrectiveActionTrigger.Reopen"/>, not a move.
    /// </summary>
    /// <param name="action">The case as it is now.</param>
    /// <param name="stage">The requested stage.</param>
    /// <returns>The new case, or a rejection with the machine's reason code.</returns>
    public static TransitionResult<CorrectiveAction> MoveTo(CorrectiveAction action, CorrectiveActionStage stage)
    {
        ArgumentNullException.ThrowIfNull(action);
        var stages = CorrectiveActionStages.Of(action.Kind);
        var from = IndexOf(stages, action.Stage);
        var to = IndexOf(stages, stage);
        if (to == from + 1 && from >= 0)
        {
            return Fire(action, CorrectiveActionTrigger.Advance, CorrectiveActionTriggerArgs.None);
        }

        var (reason, why) = (from, to) switch
        {
            ( >= 0, >= 0) when to < from => (ReasonCodes.CorrectiveActionStageBackward, "stages move forward only"),
            ( >= 0, >= 0) when to > from => (ReasonCodes.CorrectiveActionStageSkipped, $"the next stage is {stages[from + 1]}"),
            ( >= 0, >= 0) => (ReasonCodes.TransitionNotPermitted, "it is already there"),
            _ => (ReasonCodes.TransitionNotPermitted, $"{stage} is not a stage of a {action.Kind}"),
        };
        return TransitionResult<CorrectiveAction>.Rejected(new TransitionRejection(
            reason,
            $"{action.Kind} {action.Id} cannot go from {action.Stage} to {stage}: {why}.",
            action.Stage.ToString(),
            CorrectiveActionTrigger.Advance.ToString(),
            []));
    }

    /// <summary>The transitions of a kind as a Mermaid state diagram.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The diagram text.</returns>
    public static string ToMermaid(CorrectiveActionKind kind) => StateGraph.ToMermaid(GetInfo(kind));

    /// <summary>The transitions of a kind as Graphviz DOT.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The DOT text.</returns>
    public static string ToDot(CorrectiveActionKind kind) => StateGraph.ToDot(GetInfo(kind));

    internal static StateMachineInfo GetInfo(CorrectiveActionKind kind) => TableOf(kind).GetInfo(CorrectiveActionStages.First(kind));

    private static TransitionTable<CorrectiveActionStage, CorrectiveActionTrigger, CapaContext> TableOf(CorrectiveActionKind kind) => kind switch
    {
        CorrectiveActionKind.Capa => Capa,
        CorrectiveActionKind.EightD => EightD,
        CorrectiveActionKind.Scar => Scar,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown corrective action kind."),
    };

    private static int IndexOf(IReadOnlyList<CorrectiveActionStage> stages, CorrectiveActionStage stage)
    {
        for (var i = 0; i < stages.Count; i++)
        {
            if (stages[i] == stage)
            {
                return i;
            }
        }

        return -1;
    }

    private static CorrectiveActionActivity? OpenMandatory(CorrectiveAction action) =>
        action.Activities.FirstOrDefault(a => a.Stage == action.Stage && a.IsMandatory && !a.IsClosed);

    private static bool IsOpenInStage(CorrectiveActionActivity activity, CorrectiveActionStage stage, string? name) =>
        activity.Stage == stage && !activity.IsClosed && string.Equals(activity.Name, name, StringComparison.Ordinal);

    private static ReasonCode ReasonWhenNotPermitted(CorrectiveActionStage stage, CorrectiveActionTrigger trigger) =>
        stage == CorrectiveActionStage.Closed && trigger != CorrectiveActionTrigger.Reopen ? ReasonCodes.CorrectiveActionClosed : ReasonCodes.TransitionNotPermitted;

    private static TransitionTable<CorrectiveActionStage, CorrectiveActionTrigger, CapaContext> NewTable(CorrectiveActionKind kind) =>
        new(machine => Define(machine, CorrectiveActionStages.Of(kind)), ReasonWhenNotPermitted);

    private static void Define(TransitionTable<CorrectiveActionStage, CorrectiveActionTrigger, CapaContext> machine, IReadOnlyList<CorrectiveActionStage> stages)
    {
        var mandatoryClosed = new TransitionGuard<CapaContext>(static c => OpenMandatory(c.Action) is null, ReasonCodes.CorrectiveActionMandatoryActivityOpen);
        var named = new TransitionGuard<CapaContext>(static c => !string.IsNullOrWhiteSpace(c.Args.ActivityName), ReasonCodes.Required);
        var nameFree = new TransitionGuard<CapaContext>(
            static c => !c.Action.Activities.Any(a => a.Stage == c.Action.Stage && string.Equals(a.Name, c.Args.ActivityName, StringComparison.Ordinal)),
            ReasonCodes.CorrectiveActionActivityExists);
        var namedByActor = new TransitionGuard<CapaContext>(static c => !string.IsNullOrWhiteSpace(c.Args.ActivityName) && c.Args.Actor is not null, ReasonCodes.Required);
        var activityOpen = new TransitionGuard<CapaContext>(
            static c => c.Action.Activities.Any(a => IsOpenInStage(a, c.Action.Stage, c.Args.ActivityName)),
            ReasonCodes.CorrectiveActionActivityUnknown);

        // Every working stage: activities, and forward to the next stage once its mandatory activities are closed.
        for (var i = 0; i < stages.Count - 1; i++)
        {
            machine.Configure(stages[i])
                .InternalTransitionIf(CorrectiveActionTrigger.AddActivity, named, nameFree)
                .InternalTransitionIf(CorrectiveActionTrigger.CloseActivity, namedByActor, activityOpen)
                .PermitIf(CorrectiveActionTrigger.Advance, stages[i + 1], mandatoryClosed);
        }

        // Closed: only back into the last working stage, to verify again.
        machine.Configure(CorrectiveActionStage.Closed)
            .Permit(CorrectiveActionTrigger.Reopen, stages[^2]);
    }
}

/// <summary>What the corrective action machine's guards see during one call.</summary>
internal sealed class CapaContext
{
    public CapaContext(CorrectiveAction action, CorrectiveActionTriggerArgs args)
    {
        Action = action;
        Args = args;
    }

    public CorrectiveAction Action { get; }

    public CorrectiveActionTriggerArgs Args { get; }
}
