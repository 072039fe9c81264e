using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>An inspection lot passed (<see cref="EventTypes.InspectionPassed"/>).</summary>
public sealed record InspectionPassed : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.InspectionPassed;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Lot.Value;

    /// <summary>The inspection lot.</summary>
    public required InspectionLotId InspectionLot { get; init; }

    /// <summary>The material lot inspected.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The usage decision (accept, or accept restricted).</summary>
    public UsageDecision UsageDecision { get; init; } = UsageDecision.Accept;

    /// <summary>The quantity the decision covers; the whole QI quantity when absent.</summary>
    public Quantity? Quantity { get; init; }

    /// <summary>Where the inspection lot comes from.</summary>
    public InspectionOrigin Origin { get; init; }

    /// <summary>The characteristic results.</summary>
    public IReadOnlyList<CharacteristicResult> Results { get; init => field = value ?? []; } = [];

    /// <summary>The inspector.</summary>
    public ActorId? Inspector { get; init; }
}

/// <summary>An inspection lot failed (<see cref="EventTypes.InspectionFailed"/>).</summary>
public sealed record InspectionFailed : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.InspectionFailed;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Lot.Value;

    /// <summary>The inspection lot.</summary>
    public required InspectionLotId InspectionLot { get; init; }

    /// <summary>The material lot inspected.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The supplier of the lot.</summary>
    public SupplierId? Supplier { get; init; }

    /// <summary>The highest defect severity found.</summary>
    public required DefectSeverity Severity { get; init; }

    /// <summary>The rejected quantity; the whole QI quantity when absent.</summary>
    public Quantity? RejectedQuantity { get; init; }

    /// <summary>Where the inspection lot comes from.</summary>
    public InspectionOrigin Origin { get; init; }

    /// <summary>The characteristic results.</summary>
    public IReadOnlyList<CharacteristicResult> Results { get; init => field = value ?? []; } = [];

    /// <summary>The defect description, for people.</summary>
    public string? DefectDescription { get; init; }

    /// <summary>Evidence for the supplier case.</summary>
    public IReadOnlyList<EvidenceReference> Evidence { get; init => field = value ?? []; } = [];

    /// <summary>The inspector.</summary>
    public ActorId? Inspector { get; init; }
}

/// <summary>A nonconformance was raised (<see cref="EventTypes.NonconformanceRaised"/>).</summary>
public sealed record NonconformanceRaised : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.NonconformanceRaised;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => $"ncr/{Nonconformance.Id.Value}";

    /// <summary>The nonconformance as raised.</summary>
    public required Nonconformance Nonconformance { get; init; }

    /// <summary>Who raised it.</summary>
    public ActorId? RaisedBy { get; init; }
}

/// <summary>The MRB decided a disposition for a lot (<see cref="EventTypes.MrbDispositionDecided"/>).</summary>
public sealed record MrbDispositionDecided : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.MrbDispositionDecided;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Lot.Value;

    /// <summary>The nonconformance.</summary>
    public required NonconformanceId Nonconformance { get; init; }

    /// <summary>The lot concerned.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The disposition lines.</summary>
    public required IReadOnlyList<MrbDispositionLine> Lines { get; init; }

    /// <summary>Who recorded the decision.</summary>
    public ActorId? DecidedBy { get; init; }
}

/// <summary>A lot was released after final quality approval (<see cref="EventTypes.LotReleased"/>).</summary>
public sealed record LotReleased : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.LotReleased;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Lot.Value;

    /// <summary>The lot released.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The quantity released; the whole lot when absent.</summary>
    public Quantity? Quantity { get; init; }

    /// <summary>Who gave the final quality approval.</summary>
    public required ActorId ReleasedBy { get; init; }

    /// <summary>The production order that produced the lot, for genealogy.</summary>
    public OrderId? ProducedBy { get; init; }

    /// <summary>Customer orders waiting for the lot (backorders).</summary>
    public IReadOnlyList<string> Backorders { get; init => field = value ?? []; } = [];
}

/// <summary>
/// A lot must be contained because a lot it was made from failed (<see cref="EventTypes.LotContainmentRequested"/>):
/// emitted by the orchestrator into the produced lot's own partition while it follows genealogy from a failed lot, so
/// the lot is blocked and held in order with its other events.
/// </summary>
public sealed record LotContainmentRequested : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.LotContainmentRequested;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Lot.Value;

    /// <summary>The lot to contain.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site holding the lot.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The failed lot the containment started from.</summary>
    public required LotId OriginLot { get; init; }

    /// <summary>The genealogy path from <see cref="OriginLot"/> (first) to <see cref="Lot"/> (last).</summary>
    public IReadOnlyList<LotId> Path { get; init => field = value ?? []; } = [];

    /// <summary>The order that made <see cref="Lot"/> from the previous lot of the path, when known.</summary>
    public OrderId? ProducedBy { get; init; }

    /// <summary>Why the origin failed, such as the failed inspection.</summary>
    public string? Reason { get; init; }
}
