using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>The life of an outbox command.</summary>
public enum OutboxStatus
{
    /// <summary>Waiting to be executed (or retried at <see cref="OutboxEntry.NextAttemptAt"/>).</summary>
    Pending = 0,

    /// <summary>Executed successfully (or the target said it was already applied).</summary>
    Completed = 1,

    /// <summary>Failed permanently or exhausted its retries: a dead letter holds it and its partition is parked.</summary>
    DeadLettered = 2,

    /// <summary>Skipped by an operator.</summary>
    Skipped = 3,

    /// <summary>Resolved manually outside the orchestrator by an operator.</summary>
    ResolvedManually = 4,

    /// <summary>Superseded by an edited replay (a new revision).</summary>
    Superseded = 5,
}

/// <summary>
/// An adapter command planned by a workflow step and committed with the step's state (the transactional outbox).
/// Commands of one partition execute strictly in <see cref="Ordinal"/> order.
/// </summary>
public sealed record OutboxEntry
{
    /// <summary>The idempotency key: stable across retries, derived from (event source, event id, step, command kind).</summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>The partition that planned the command.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The order of the command within its partition.</summary>
    public required long Ordinal { get; init; }

    /// <summary>The command kind, such as <c>erp.change-stock-category</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The command, as the outbox keeps it: JSON written by the operation registry under <see cref="Kind"/>.</summary>
    public required CommandPayload Payload { get; init; }

    /// <summary>The correlation id of the business case.</summary>
    public required string CorrelationId { get; init; }

    /// <summary>The event that caused the command.</summary>
    public required EventKey CausedBy { get; init; }

    /// <summary>The workflow step that planned it.</summary>
    public required string Step { get; init; }

    /// <summary>The workflow (name@version) that planned it.</summary>
    public required string Workflow { get; init; }

    /// <summary>When it was planned.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The status.</summary>
    public OutboxStatus Status { get; init; }

    /// <summary>Attempts made so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When the next attempt is due, when a retry is scheduled.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The last error's reason code and message, for operators.</summary>
    public string? LastError { get; init; }

    /// <summary>The idempotency key of the command this one revises (edited replay), if any.</summary>
    public string? RevisionOf { get; init; }

    /// <summary>
    /// The W3C trace context (<c>traceparent</c>) of the step that planned the command, when it was traced: every attempt,
    /// after a retry, a restart or a replay, runs in that trace.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The compensating command's kind and payload, when the step declared one.</summary>
    public CompensationPlan? Compensation { get; init; }
}

/// <summary>A compensating command declared by a step, run only when an operator chooses to compensate.</summary>
public sealed record CompensationPlan
{
    /// <summary>The compensating command kind.</summary>
    public required string Kind { get; init; }

    /// <summary>The compensating command, as the outbox keeps it.</summary>
    public required CommandPayload Payload { get; init; }
}

/// <summary>A failed command set aside for an operator, with everything needed to decide.</summary>
public sealed record DeadLetter
{
    /// <summary>The dead letter id.</summary>
    public required string Id { get; init; }

    /// <summary>The partition (now parked).</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The command that failed, when a command failed.</summary>
    public OutboxEntry? Command { get; init; }

    /// <summary>The event whose processing failed, when a workflow step failed (the event stays pending).</summary>
    public EventKey? Event { get; init; }

    /// <summary>The reason code of the failure.</summary>
    public required ReasonCode ReasonCode { get; init; }

    /// <summary>The failure message.</summary>
    public required string Message { get; init; }

    /// <summary>When it was dead-lettered.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The site, when known, for operator queries.</summary>
    public string? Site { get; init; }

    /// <summary>How it ended, once an operator acted.</summary>
    public DeadLetterResolution? Resolution { get; init; }

    /// <summary>Whether it is still open.</summary>
    public bool IsOpen => Resolution is null;
}

/// <summary>What an operator did with a dead letter.</summary>
public sealed record DeadLetterResolution
{
    /// <summary>The action: <c>replay</c>, <c>replay-edited</c>, <c>skip</c>, <c>resolve-manually</c> or <c>compensate</c>.</summary>
    public required string Action { get; init; }

    /// <summary>The operator.</summary>
    public required string Operator { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }
}

/// <summary>A durable timer: fires through the partition's queue when due.</summary>
public sealed record DurableTimer
{
    /// <summary>The timer id, unique; scheduling the same id again replaces it.</summary>
    public required string Id { get; init; }

    /// <summary>The partition the timer belongs to.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>When it is due.</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>What it is for, such as <c>retry</c>, <c>sla</c>, <c>escalation</c>.</summary>
    public required string Purpose { get; init; }

    /// <summary>Purpose-specific data as JSON text.</summary>
    public string? Data { get; init; }
}
