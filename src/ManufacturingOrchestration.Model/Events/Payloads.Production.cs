using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>Production was confirmed on an order (<see cref="EventTypes.ProductionConfirmed"/>).</summary>
public sealed record ProductionConfirmed : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.ProductionConfirmed;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => $"order/{Order.Value}";

    /// <summary>The order.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The material produced.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The good quantity confirmed.</summary>
    public required Quantity Yield { get; init; }

    /// <summary>The scrap confirmed with it.</summary>
    public Quantity? Scrap { get; init; }

    /// <summary>Whether this is the final confirmation.</summary>
    public bool IsFinal { get; init; }

    /// <summary>The lot produced, when known.</summary>
    public LotId? ProducedLot { get; init; }

    /// <summary>The operation or work centre.</summary>
    public string? Operation { get; init; }

    /// <summary>Who confirmed.</summary>
    public ActorId? ConfirmedBy { get; init; }
}

/// <summary>Scrap was reported on a line (<see cref="EventTypes.ScrapReported"/>).</summary>
public sealed record ScrapReported : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.ScrapReported;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => $"line/{Site.Value}/{Line}";

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The line or work centre.</summary>
    public required string Line { get; init; }

    /// <summary>The material scrapped.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The scrapped quantity (positive).</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The good quantity produced in the same period, for yield.</summary>
    public Quantity? GoodQuantity { get; init; }

    /// <summary>The order, when scrap is confirmed against one.</summary>
    public OrderId? Order { get; init; }

    /// <summary>The lot, when a lot is scrapped.</summary>
    public LotId? Lot { get; init; }

    /// <summary>A scrap reason code.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>A person approved a pending request (<see cref="EventTypes.ApprovalGiven"/>).</summary>
public sealed record ApprovalGiven : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.ApprovalGiven;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => PartitionKey;

    /// <summary>The approval request answered.</summary>
    public required string RequestId { get; init; }

    /// <summary>The business key of the waiting workflow (lot or order).</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The approver's signature.</summary>
    public required ElectronicSignature Signature { get; init; }

    /// <summary>
    /// The round of signing the signature was made for (0 for the request as made, one more at each reassignment): it
    /// counts only in that round, and is refused as stale once the request was reassigned. <see langword="null"/> for an
    /// answer recorded before rounds were carried, which is checked against the round current when it is processed.
    /// </summary>
    public int? SignatureRound { get; init; }
}

/// <summary>A person refused a pending request (<see cref="EventTypes.ApprovalRefused"/>).</summary>
public sealed record ApprovalRefused : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.ApprovalRefused;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => PartitionKey;

    /// <summary>The approval request answered.</summary>
    public required string RequestId { get; init; }

    /// <summary>The business key of the waiting workflow (lot or order).</summary>
    public required string PartitionKey { get; init; }

    /// <summary>The refuser's signature.</summary>
    public required ElectronicSignature Signature { get; init; }

    /// <summary>
    /// The round of signing the signature was made for (0 for the request as made, one more at each reassignment): it
    /// counts only in that round, and is refused as stale once the request was reassigned. <see langword="null"/> for an
    /// answer recorded before rounds were carried, which is checked against the round current when it is processed.
    /// </summary>
    public int? SignatureRound { get; init; }
}

/// <summary>
/// A work order was put on hold (<see cref="EventTypes.WorkOrderHeld"/>), for example by the containment of a failed
/// lot it consumed; ordered with the order's other events (<c>order/&lt;id&gt;</c>), so a later confirmation sees the hold.
/// </summary>
public sealed record WorkOrderHeld : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.WorkOrderHeld;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => $"order/{Order.Value}";

    /// <summary>The order held.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The lot whose containment held the order, when a lot did.</summary>
    public LotId? Lot { get; init; }

    /// <summary>Why the order is held.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// The hold on a work order was lifted (<see cref="EventTypes.WorkOrderHoldReleased"/>): the MES or quality released it,
/// and the order goes back to the status it had before the hold.
/// </summary>
public sealed record WorkOrderHoldReleased : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.WorkOrderHoldReleased;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => $"order/{Order.Value}";

    /// <summary>The order released.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>Who released the hold.</summary>
    public ActorId? ReleasedBy { get; init; }

    /// <summary>Why the hold could be lifted, such as the containment check's outcome.</summary>
    public string? Reason { get; init; }
}

/// <summary>
/// A durable timer a workflow scheduled (<c>StepContext.ScheduleTimer</c>) came due (<see cref="EventTypes.TimerElapsed"/>).
/// The orchestrator writes it into the timer's partition, in the same commit that removes the timer, so the workflow
/// hears of the timer exactly once, in order with the partition's other events. Never accepted from intake.
/// </summary>
public sealed record TimerElapsed : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.TimerElapsed;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => PartitionKey;

    /// <summary>The timer's id, as the workflow scheduled it.</summary>
    public required string TimerId { get; init; }

    /// <summary>What the timer is for, as the workflow scheduled it.</summary>
    public required string Purpose { get; init; }

    /// <summary>When the timer was due.</summary>
    public required DateTimeOffset DueAt { get; init; }

    /// <summary>The data the workflow scheduled it with (its own JSON text), or <see langword="null"/>.</summary>
    public string? Data { get; init; }

    /// <summary>The name of the workflow that scheduled it.</summary>
    public required string Workflow { get; init; }

    /// <summary>The version of the workflow that scheduled it.</summary>
    public int WorkflowVersion { get; init; }

    /// <summary>The partition (lot or order) the timer belongs to.</summary>
    public required string PartitionKey { get; init; }
}
