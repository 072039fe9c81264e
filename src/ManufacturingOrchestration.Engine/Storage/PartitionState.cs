using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// Everything the orchestrator keeps for one partition key (a lot, an order, a line…): the business aggregate,
/// ordering bookkeeping, the audit chain head, the park flag and waiting workflow instances. Immutable; each step
/// commits a new instance with <see cref="Version"/> one higher.
/// </summary>
public sealed record PartitionState
{
    /// <summary>The partition key.</summary>
    public required string Key { get; init; }

    /// <summary>The version; 0 for a partition never committed.</summary>
    public long Version { get; init; }

    /// <summary>The lot aggregate, for lot partitions.</summary>
    public MaterialLot? Lot { get; init; }

    /// <summary>The order aggregate, for order partitions.</summary>
    public ProductionOrder? Order { get; init; }

    /// <summary>The nonconformance aggregate, for NCR partitions.</summary>
    public Nonconformance? Nonconformance { get; init; }

    /// <summary>The last applied <c>sequence</c> per event source, for out-of-order detection.</summary>
    public IReadOnlyDictionary<string, long> LastSequenceBySource { get; init; } = EmptySequences;

    /// <summary>The next ordinal to give a command of this partition (commands execute in ordinal order).</summary>
    public long NextCommandOrdinal { get; init; }

    /// <summary>The head of this partition's audit chain.</summary>
    public AuditHead AuditHead { get; init; } = AuditHead.Genesis;

    /// <summary>Set while the partition is parked behind a dead letter: later events wait.</summary>
    public ParkInfo? Parked { get; init; }

    /// <summary>Workflow instances of this partition that wait (for an approval, a timer, a retry).</summary>
    public IReadOnlyList<WorkflowInstanceState> Instances { get; init; } = [];

    /// <summary>Small named values that user workflows keep for the partition (e.g. window aggregates), as JSON text.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = EmptyValues;

    /// <summary>Whether the partition is parked.</summary>
    public bool IsParked => Parked is not null;

    /// <summary>A new, empty partition.</summary>
    /// <param name="key">The partition key.</param>
    /// <returns>The state with version 0.</returns>
    public static PartitionState Empty(string key) => new() { Key = key };

    /// <summary>The approval requests of this partition that wait for a person, in the order they were requested.</summary>
    /// <returns>The pending approvals (empty when none waits).</returns>
    public IReadOnlyList<PendingApproval> GetPendingApprovals() => ApprovalAdministration.Pending(this);

    /// <summary>The instances without one of them (the very instance, compared by reference).</summary>
    internal WorkflowInstanceState[] InstancesWithout(WorkflowInstanceState instance) =>
        Instances.Where(i => !ReferenceEquals(i, instance)).ToArray();

    /// <summary>The instances with one of them (the very instance, compared by reference) replaced.</summary>
    internal WorkflowInstanceState[] InstancesReplacing(WorkflowInstanceState old, WorkflowInstanceState updated) =>
        Instances.Select(i => ReferenceEquals(i, old) ? updated : i).ToArray();

    private static readonly IReadOnlyDictionary<string, long> EmptySequences = new Dictionary<string, long>();
    private static readonly IReadOnlyDictionary<string, string> EmptyValues = new Dictionary<string, string>();
}

/// <summary>The head of a partition's audit chain: how many records it has and the hash of the last one.</summary>
public sealed record AuditHead
{
    /// <summary>The head of an empty chain.</summary>
    public static AuditHead Genesis { get; } = new() { Count = 0, Hash = AuditHashes.GenesisHash };

    /// <summary>The number of records in the chain.</summary>
    public required long Count { get; init; }

    /// <summary>The hash of the last record (lower-case hex), or the genesis hash.</summary>
    public required string Hash { get; init; }
}

/// <summary>Why and since when a partition is parked.</summary>
public sealed record ParkInfo
{
    /// <summary>The dead letter that parked the partition.</summary>
    public required string DeadLetterId { get; init; }

    /// <summary>When it was parked.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>The reason code of the failure.</summary>
    public required ReasonCode ReasonCode { get; init; }
}

/// <summary>The persisted state of a workflow instance that waits (approval, timer, compensation).</summary>
public sealed record WorkflowInstanceState
{
    /// <summary>The instance id (deterministic from the triggering event).</summary>
    public required string Id { get; init; }

    /// <summary>The workflow name.</summary>
    public required string Workflow { get; init; }

    /// <summary>The workflow version the instance started on; it stays on it.</summary>
    public required int Version { get; init; }

    /// <summary>The fingerprint of that version.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>The event that started the instance.</summary>
    public required EventKey StartedBy { get; init; }

    /// <summary>The correlation id of the business case.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>What the instance waits for, such as <c>approval</c>.</summary>
    public required string WaitingFor { get; init; }

    /// <summary>When it started waiting.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>Instance data as JSON text (e.g. the gated decision, approvals collected so far).</summary>
    public string? Data { get; init; }
}
