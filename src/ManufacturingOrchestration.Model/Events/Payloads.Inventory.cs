using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model.Events;

/// <summary>Goods were received into stock (<see cref="EventTypes.GoodsReceived"/>).</summary>
public sealed record GoodsReceived : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.GoodsReceived;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Lot.Value;

    /// <summary>The lot received.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The receiving site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The quantity received (positive).</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The category received into (quality inspection when QM is active). Required in JSON: a receipt must say where the stock landed.</summary>
    [JsonRequired]
    public StockCategory Category { get; init; } = StockCategory.QualityInspection;

    /// <summary>The ownership of the received stock.</summary>
    public StockOwnership Ownership { get; init; } = StockOwnership.Own;

    /// <summary>The receiving storage location.</summary>
    public StorageLocationId? Location { get; init; }

    /// <summary>The supplier.</summary>
    public SupplierId? Supplier { get; init; }

    /// <summary>The purchase order reference.</summary>
    public string? PurchaseOrder { get; init; }

    /// <summary>The expiry date.</summary>
    public DateOnly? ExpiryDate { get; init; }

    /// <summary>Whether the batch has restricted status.</summary>
    public bool IsRestrictedBatch { get; init; }
}

/// <summary>Stock was moved (<see cref="EventTypes.StockMoved"/>).</summary>
public sealed record StockMoved : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.StockMoved;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Movement.Lot.Value;

    /// <summary>The movement.</summary>
    public required GoodsMovement Movement { get; init; }
}

/// <summary>A cycle count was recorded (<see cref="EventTypes.CycleCountRecorded"/>).</summary>
public sealed record CycleCountRecorded : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.CycleCountRecorded;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Count.Lot?.Value ?? $"{Count.Site.Value}/{Count.Material.Value}";

    /// <summary>The count.</summary>
    public required CycleCount Count { get; init; }
}

/// <summary>A lot was consumed by an order, partly or fully (<see cref="EventTypes.LotConsumed"/>).</summary>
public sealed record LotConsumed : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.LotConsumed;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => Lot.Value;

    /// <summary>The lot consumed.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The consuming order.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The quantity consumed (positive).</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>Whether the lot is now fully consumed.</summary>
    public bool IsFinal { get; init; }

    /// <summary>The produced lot, for genealogy.</summary>
    public LotId? ProducedLot { get; init; }
}

/// <summary>A supplier's status or shipment changed (<see cref="EventTypes.SupplierUpdated"/>).</summary>
public sealed record SupplierUpdated : EventPayload
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string EventType => EventTypes.SupplierUpdated;

    /// <inheritdoc />
    [JsonIgnore]
    public override string DefaultPartitionKey => $"supplier/{Supplier.Value}";

    /// <summary>The supplier.</summary>
    public required SupplierId Supplier { get; init; }

    /// <summary>What changed, such as <c>approved</c>, <c>probation</c>, <c>disqualified</c>, <c>shipment-expedited</c>.</summary>
    public required string Change { get; init; }

    /// <summary>A note for people.</summary>
    public string? Note { get; init; }
}
