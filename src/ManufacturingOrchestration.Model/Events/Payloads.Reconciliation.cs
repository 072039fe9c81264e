using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>
/// Reconciliation found that systems disagree about a lot's stock by category and ownership
/// (<see cref="EventTypes.StockDriftDetected"/>). Ordered with the lot's other events, so a workflow that reacts to it
/// sees the lot as the orchestrator knows it.
/// </summary>
public sealed record StockDriftDetected : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.StockDriftDetected;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Lot.Value;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site holding the lot.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The material, when known.</summary>
    public MaterialId? Material { get; init; }

    /// <summary>When the drift was detected (the reconciler's clock).</summary>
    public required DateTimeOffset DetectedAt { get; init; }

    /// <summary>The system whose stock the others were compared against, such as <c>orchestrator</c> or <c>erp</c>.</summary>
    public required string ReferenceSystem { get; init; }

    /// <summary>The version of the orchestrator's lot that was compared, when the orchestrator knows the lot.</summary>
    public long? OrchestratorVersion { get; init; }

    /// <summary>Every category and ownership on which the systems disagree.</summary>
    public IReadOnlyList<StockDriftLine> Lines { get; init => field = value ?? []; } = [];
}

/// <summary>One stock category and ownership of a lot on which systems disagree, with each system's quantity.</summary>
public sealed record StockDriftLine
{
    /// <summary>The stock category.</summary>
    public required StockCategory Category { get; init; }

    /// <summary>The ownership.</summary>
    public StockOwnership Ownership { get; init; } = StockOwnership.Own;

    /// <summary>Each compared system's quantity (zero when the system holds none).</summary>
    public IReadOnlyList<SystemStockQuantity> Quantities { get; init => field = value ?? []; } = [];

    /// <summary>The systems whose quantity differs from the reference system's.</summary>
    public IReadOnlyList<string> DisagreeingSystems { get; init => field = value ?? []; } = [];
}

/// <summary>A quantity as one system reports it.</summary>
public sealed record SystemStockQuantity
{
    /// <summary>The system, such as <c>orchestrator</c>, <c>erp</c> or <c>wms</c>.</summary>
    public required string System { get; init; }

    /// <summary>The quantity.</summary>
    public required Quantity Quantity { get; init; }
}
