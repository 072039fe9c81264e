using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Scenarios.Reconciliation;

namespace ManufacturingOrchestration.Samples.PlantFloor;

/// <summary>What the plant-floor simulator did, in numbers a reader (or a test) can check.</summary>
public sealed class PlantFloorReport
{
    /// <summary>The common checks: events, effects, audit, open dead letters.</summary>
    public required SampleReport Summary { get; init; }

    /// <summary>How long the run took.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The plant events generated (approval answers and drift alerts not included), by event type.</summary>
    public required IReadOnlyDictionary<string, int> EventsByType { get; init; }

    /// <summary>Events published in the shift-change burst.</summary>
    public required int BurstEvents { get; init; }

    /// <summary>Effects applied per target system (erp, mes, qms, wms, procurement, notification).</summary>
    public required IReadOnlyDictionary<string, int> ActionsBySystem { get; init; }

    /// <summary>Command attempts by outcome (<c>succeeded</c>, <c>already_applied</c>, <c>transient_failure</c>, <c>permanent_failure</c>).</summary>
    public required IReadOnlyDictionary<string, long> CommandAttempts { get; init; }

    /// <summary>Faults the simulators injected, transient (each retried) and permanent.</summary>
    public required int FaultsInjected { get; init; }

    /// <summary>Permanent faults scheduled at the shift change (each becomes a dead letter the operator resolves).</summary>
    public required int PermanentFaultsScheduled { get; init; }

    /// <summary>Dead letters and what the operator did with each.</summary>
    public required IReadOnlyList<DeadLetterOutcome> DeadLetters { get; init; }

    /// <summary>Approvals the scripted supervisor signed.</summary>
    public required int ApprovalsSigned { get; init; }

    /// <summary>Approvals the supervisor answered only after their deadline, on purpose.</summary>
    public required int LateApprovals { get; init; }

    /// <summary>SLA breaches audited (<c>sla-breached</c>).</summary>
    public required int SlaBreaches { get; init; }

    /// <summary>Stock drifts the reconciliation found (one per lot, category and ownership).</summary>
    public required int DriftFindings { get; init; }

    /// <summary>Every drift the reconciliation found, with each system's quantities and the systems that disagree.</summary>
    public required IReadOnlyList<DriftFinding> Drifts { get; init; }

    /// <summary>The lot someone posted to straight in the ERP before the reconciliation, if any.</summary>
    public required LotId? ManualErpPostingLot { get; init; }

    /// <summary>The lot whose stock posting the ERP→WMS interface was set to lose, if any.</summary>
    public required LotId? LostWmsPostingLot { get; init; }

    /// <summary>ERP postings the ERP→WMS interface lost.</summary>
    public required int WmsPostingsLost { get; init; }

    /// <summary>ERP postings the WMS refused to apply (none, unless stock it lacks is withdrawn).</summary>
    public required int WmsPostingsRefused { get; init; }

    /// <summary>Drift alerts the reconciliation published (one per drifting lot).</summary>
    public required int DriftAlerts { get; init; }

    /// <summary>Lots the reconciliation checked.</summary>
    public required int LotsReconciled { get; init; }

    /// <summary>Median latency from acceptance to the committed step, in milliseconds.</summary>
    public required double LatencyP50Ms { get; init; }

    /// <summary>99th percentile latency from acceptance to the committed step, in milliseconds.</summary>
    public required double LatencyP99Ms { get; init; }

    /// <summary>The Markdown file with the Mermaid diagrams of the state machines and workflows.</summary>
    public required string DiagramsPath { get; init; }

    /// <summary>The SQLite store file; on PostgreSQL, the server (without password) and the run's schema.</summary>
    public required string StorePath { get; init; }

    /// <summary>The run's PostgreSQL schema, or <see langword="null"/> on SQLite.</summary>
    public string? Schema { get; init; }

    /// <summary>Whether the PostgreSQL schema was kept after the run (<c>--out</c>); it is dropped otherwise.</summary>
    public bool SchemaKept { get; init; }

    /// <summary>Each orchestrator node: what it accepted and processed, which buckets it held, what it lost and took over.</summary>
    public IReadOnlyList<PlantFloorNodeReport> Nodes { get; init; } = [];

    /// <summary>The node killed mid-shift and how its work moved, or <see langword="null"/> when none was.</summary>
    public PlantFloorKillReport? Kill { get; init; }
}

/// <summary>What one orchestrator node did in the run.</summary>
public sealed class PlantFloorNodeReport
{
    /// <summary>The node id (<c>sample</c> for one node; <c>node-1</c>, <c>node-2</c>… in a cluster).</summary>
    public required string NodeId { get; init; }

    /// <summary>Whether the node lost its power mid-shift.</summary>
    public required bool Killed { get; init; }

    /// <summary>Of the sample's events (plant events and signatures), those this node accepted.</summary>
    public required long EventsAccepted { get; init; }

    /// <summary>Events this node processed (committed steps), whichever node accepted them.</summary>
    public required long EventsProcessed { get; init; }

    /// <summary>Of <see cref="EventsProcessed"/>, those processed after the kill (0 for the killed node).</summary>
    public required long EventsProcessedAfterKill { get; init; }

    /// <summary>The buckets the node held at the end (a killed node: when it was killed).</summary>
    public required IReadOnlyList<int> BucketsAtEnd { get; init; }

    /// <summary>How many bucket leases the node found lost while it still worked on the bucket (<c>ClusterStatus.LeaseLosses</c>).</summary>
    public required long LeaseLosses { get; init; }

    /// <summary>Of the killed node's buckets, those this node held once all of them were taken over.</summary>
    public required IReadOnlyList<int> BucketsTakenOver { get; init; }
}

/// <summary>The node killed mid-shift and how its work moved to the others.</summary>
public sealed class PlantFloorKillReport
{
    /// <summary>The killed node.</summary>
    public required string NodeId { get; init; }

    /// <summary>After how many published plant events its power was cut.</summary>
    public required int AfterEvents { get; init; }

    /// <summary>The buckets it held when its power was cut.</summary>
    public required IReadOnlyList<int> Buckets { get; init; }

    /// <summary>How long after the kill the last of its buckets was held by another node; <see langword="null"/> when they were not all taken over.</summary>
    public required TimeSpan? TakeoverTime { get; init; }

    /// <summary>Events the other nodes processed after the kill.</summary>
    public required long EventsProcessedBySurvivorsAfterKill { get; init; }
}

/// <summary>A dead letter of the run and its resolution.</summary>
public sealed class DeadLetterOutcome
{
    /// <summary>The dead letter's id.</summary>
    public required string Id { get; init; }

    /// <summary>The failed command's kind.</summary>
    public required string Kind { get; init; }

    /// <summary>The partition that was parked.</summary>
    public required string PartitionKey { get; init; }

    /// <summary>What the operator did (<c>Replay</c>, <c>Skip</c>), or empty while open.</summary>
    public required string Action { get; init; }

    /// <summary>Whether the action succeeded.</summary>
    public required bool Resolved { get; init; }
}
