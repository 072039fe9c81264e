using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Workflows;

/// <summary>What a workflow step does; used for diagrams, documentation and the fingerprint.</summary>
public enum WorkflowStepKind
{
    /// <summary>Gathers facts (master data, genealogy, supplier history) through adapter queries.</summary>
    Enrich = 0,

    /// <summary>Decides: runs the rules over the facts.</summary>
    Decide = 1,

    /// <summary>Applies a state-machine transition to the partition's aggregate.</summary>
    Transition = 2,

    /// <summary>Plans adapter commands.</summary>
    Plan = 3,

    /// <summary>Waits for a person's approval.</summary>
    Approve = 4,

    /// <summary>Notifies people or systems.</summary>
    Notify = 5,

    /// <summary>Anything else.</summary>
    Custom = 6,
}

/// <summary>A workflow's step deadline: its commands must complete within <see cref="Within"/> of the event being processed.</summary>
public sealed record WorkflowDeadline
{
    /// <summary>The time allowed.</summary>
    public required TimeSpan Within { get; init; }

    /// <summary>Who is alerted when it passes (a planner, warehouse lead, quality manager…).</summary>
    public required Role EscalateTo { get; init; }
}

/// <summary>When a step runs.</summary>
public enum WorkflowStepPhase
{
    /// <summary>When a triggering event is processed.</summary>
    OnEvent = 0,

    /// <summary>When an approval the workflow requested is given.</summary>
    OnApproved = 1,

    /// <summary>When an approval the workflow requested is refused (the refusal path).</summary>
    OnRefused = 2,

    /// <summary>When a durable timer the workflow scheduled (<see cref="StepContext.ScheduleTimer"/>) comes due with the step's <see cref="WorkflowStep.TimerPurpose"/>.</summary>
    OnTimer = 3,
}

/// <summary>One named step of a workflow.</summary>
public sealed class WorkflowStep
{
    internal WorkflowStep(string name, WorkflowStepKind kind, Type? decisionType, Func<StepContext, CancellationToken, ValueTask> run, WorkflowStepPhase phase = WorkflowStepPhase.OnEvent, string? timerPurpose = null)
    {
        TimerPurpose = timerPurpose;
        Name = name;
        Kind = kind;
        DecisionType = decisionType;
        Run = run;
        Phase = phase;
    }

    /// <summary>When the step runs.</summary>
    public WorkflowStepPhase Phase { get; }

    /// <summary>The purpose of the workflow's timers the step handles, for steps added with <see cref="WorkflowBuilder.OnTimer"/>; otherwise <see langword="null"/>.</summary>
    public string? TimerPurpose { get; }

    /// <summary>The step name, unique within the workflow; part of every command's idempotency key.</summary>
    public string Name { get; }

    /// <summary>What the step does.</summary>
    public WorkflowStepKind Kind { get; }

    /// <summary>The decision type the step maps, for steps added with <see cref="WorkflowBuilder.OnDecision{TDecision}(string, Action{TDecision, StepContext})"/>.</summary>
    public Type? DecisionType { get; }

    internal Func<StepContext, CancellationToken, ValueTask> Run { get; }
}

/// <summary>
/// An immutable, versioned workflow definition: a name, a version, the event types that start it, and its ordered
/// steps. A running instance stays on the version it started with. Build one with <see cref="WorkflowBuilder"/>.
/// </summary>
public sealed class WorkflowDefinition
{
    internal WorkflowDefinition(string name, int version, string? description, IReadOnlyList<string> triggers, IReadOnlyList<WorkflowStep> steps, WorkflowDeadline? deadline)
    {
        Deadline = deadline;
        Name = name;
        Version = version;
        Description = description;
        Triggers = triggers;
        Steps = steps;
        Id = string.Create(CultureInfo.InvariantCulture, $"{name}@{version}");
        Actor = "system:" + name;
        Fingerprint = ComputeFingerprint();
    }

    /// <summary>The actor its audit records name, <c>system:</c> and the workflow name.</summary>
    internal string Actor { get; }

    /// <summary>The workflow name.</summary>
    public string Name { get; }

    /// <summary>The version (1 or more).</summary>
    public int Version { get; }

    /// <summary><c>name@version</c>.</summary>
    public string Id { get; }

    /// <summary>A description for people.</summary>
    public string? Description { get; }

    /// <summary>The event types that start the workflow.</summary>
    public IReadOnlyList<string> Triggers { get; }

    /// <summary>
    /// How long the commands an event plans may take to complete (retries included) before the SLA is breached and
    /// <see cref="WorkflowDeadline.EscalateTo"/> is alerted; <see langword="null"/> for no step deadline.
    /// </summary>
    public WorkflowDeadline? Deadline { get; }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<WorkflowStep> Steps { get; }

    /// <summary>
    /// The operations (command and query kinds) the workflow cannot do without; checked against the composed adapters
    /// at start-up. Once a workflow declares operations, they are its contract: a step that plans a command or asks a
    /// query it did not declare (required or optional) fails, so the declaration cannot drift from what it does.
    /// </summary>
    public IReadOnlyList<string> RequiredOperations { get; internal init; } = [];

    /// <summary>The operations the workflow uses only when they are composed for the event's site.</summary>
    public IReadOnlyList<string> OptionalOperations { get; internal init; } = [];

    /// <summary>Whether a step of this workflow may use an operation: it declares none (nothing is checked), or declares this one.</summary>
    internal bool MayUse(string operation) =>
        (RequiredOperations.Count == 0 && OptionalOperations.Count == 0) || RequiredOperations.Contains(operation) || OptionalOperations.Contains(operation);

    /// <summary>
    /// A stable SHA-256 fingerprint of the definition's declared shape (name, version, triggers, steps with their kinds
    /// and mapped decision types, and the purpose of timer steps). Step code is not part of it: change the version when behaviour changes.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>Renders the workflow as a Mermaid flowchart.</summary>
    /// <returns>The Mermaid text.</returns>
    public string ToMermaid()
    {
        var sb = new StringBuilder();
        sb.AppendLine("flowchart TD");
        sb.Append(CultureInfo.InvariantCulture, $"    start([\"{Escape(string.Join(" / ", Triggers))}\"])").AppendLine();
        var previous = "start";
        for (var i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            if (step.Phase != WorkflowStepPhase.OnEvent)
            {
                var branchId = string.Create(CultureInfo.InvariantCulture, $"s{i + 1}");
                sb.Append(CultureInfo.InvariantCulture, $"    {branchId}[\"{step.Name}<br/><i>{step.Kind}</i>\"]").AppendLine();
                if (step.Phase == WorkflowStepPhase.OnTimer)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"    timer{{{{\"timer due\"}}}} -- {Escape(step.TimerPurpose ?? string.Empty)} --> {branchId}").AppendLine();
                    continue;
                }

                var edge = step.Phase == WorkflowStepPhase.OnApproved ? "approved" : "refused";
                sb.Append(CultureInfo.InvariantCulture, $"    wait{{{{\"approval\"}}}} -- {edge} --> {branchId}").AppendLine();
                continue;
            }

            var id = string.Create(CultureInfo.InvariantCulture, $"s{i + 1}");
            var label = step.DecisionType is null ? $"{step.Name}<br/><i>{step.Kind}</i>" : $"{step.Name}<br/><i>on {step.DecisionType.Name}</i>";
            var shape = step.Kind switch
            {
                WorkflowStepKind.Decide => $"{{\"{label}\"}}",
                WorkflowStepKind.Approve => $"[/\"{label}\"/]",
                _ => $"[\"{label}\"]",
            };
            sb.Append(CultureInfo.InvariantCulture, $"    {id}{shape}").AppendLine();
            sb.Append(CultureInfo.InvariantCulture, $"    {previous} --> {id}").AppendLine();
            previous = id;
        }

        sb.Append(CultureInfo.InvariantCulture, $"    {previous} --> done([\"commit state + commands + audit\"])").AppendLine();
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Id;

    private static string Escape(string text) => text.Replace("\"", "'", StringComparison.Ordinal);

    private string ComputeFingerprint()
    {
        var sb = new StringBuilder();
        sb.Append("mo-workflow-v1\n").Append(Name).Append('\n').Append(Version.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var trigger in Triggers)
        {
            sb.Append("trigger:").Append(trigger).Append('\n');
        }

        foreach (var step in Steps)
        {
            sb.Append("step:").Append(step.Name).Append(':').Append(step.Kind.ToString()).Append(':').Append(step.Phase.ToString()).Append(':').Append(step.DecisionType?.FullName);

            // Only timer steps name a purpose: the fingerprints of workflows without one stay what they were.
            if (step.TimerPurpose is { } purpose)
            {
                sb.Append(":timer:").Append(purpose);
            }

            sb.Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
