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

    /// <summary>The SQLite store file.</summary>
    public required string StorePath { get; init; }
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
