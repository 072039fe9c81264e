using System.Text.Json.Serialization;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Audit;

/// <summary>
/// One append-only entry of a partition's audit trail: who or what did what, why, under which workflow version,
/// and the state before and after. Records of one partition form a hash chain.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>The partition whose chain holds the record.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The position in the chain, starting at 1.</summary>
    public required long Sequence { get; init; }

    /// <summary>When it was recorded (from the orchestrator's <see cref="TimeProvider"/>).</summary>
    public required DateTimeOffset RecordedAt { get; init; }

    /// <summary>Who acted: a person's actor id, or <c>system:&lt;workflow&gt;</c> for the orchestrator.</summary>
    public required string Actor { get; init; }

    /// <summary>What happened, such as <c>transition</c>, <c>transition-rejected</c>, <c>command-completed</c>, <c>approval</c>, <c>replay</c>.</summary>
    public required string Action { get; init; }

    /// <summary>Why, in words or as a reason code.</summary>
    public required string Reason { get; init; }

    /// <summary>The decision's explanation: rules fired, rule-set version, facts matched.</summary>
    public string? Explanation { get; init; }

    /// <summary>The workflow name, when a workflow acted.</summary>
    public string? Workflow { get; init; }

    /// <summary>The workflow version.</summary>
    public int? WorkflowVersion { get; init; }

    /// <summary>The workflow definition's fingerprint.</summary>
    public string? WorkflowFingerprint { get; init; }

    /// <summary>The event that caused the record.</summary>
    public EventKey? Event { get; init; }

    /// <summary>The correlation id of the business case.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>A compact description of the state before.</summary>
    public string? Before { get; init; }

    /// <summary>A compact description of the state after.</summary>
    public string? After { get; init; }

    /// <summary>The hash of the previous record in the chain (the genesis hash for the first).</summary>
    public required string PreviousHash { get; init; }

    /// <summary>The hash of this record, over its content and <see cref="PreviousHash"/>.</summary>
    public required string Hash { get; init; }
}

/// <summary>A checkpoint: every chain head and count at one moment, itself chained to the previous checkpoint.</summary>
public sealed record AuditCheckpoint
{
    /// <summary>The checkpoint number, starting at 1.</summary>
    public required long Number { get; init; }

    /// <summary>When it was taken.</summary>
    public required DateTimeOffset TakenAt { get; init; }

    /// <summary>Each partition's chain head at that moment.</summary>
    [JsonConverter(typeof(AuditHeadsJsonConverter))]
    public required IReadOnlyDictionary<string, AuditHead> Heads { get; init; }

    /// <summary>The previous checkpoint's hash.</summary>
    public required string PreviousHash { get; init; }

    /// <summary>The hash over the heads and <see cref="PreviousHash"/>.</summary>
    public required string Hash { get; init; }

    /// <summary>
    /// The previous checkpoint's <see cref="Mac"/>, or <see langword="null"/> when the previous checkpoint was not signed
    /// (or this is the first). Covered by <see cref="Mac"/>, so the signed checkpoints form a chain of their own.
    /// </summary>
    public string? PreviousMac { get; init; }

    /// <summary>
    /// The message authentication code of the checkpoint (lower-case hex), computed by the host's
    /// <see cref="IAuditCheckpointSigner"/> over <see cref="AuditHashes.CheckpointMacPayload"/>; <see langword="null"/>
    /// when no signer was configured. Someone who can write the database but does not hold the host's key cannot
    /// produce it.
    /// </summary>
    public string? Mac { get; init; }
}
