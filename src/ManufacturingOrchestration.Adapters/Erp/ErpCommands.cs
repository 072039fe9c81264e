using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// Change the stock category of a quantity of a lot (SAP transfer posting 321/322/343/344/349/350, D365
/// inventory status change). The ERP refuses transitions real ERPs refuse, such as releasing a restricted batch
/// to unrestricted (it lands in restricted-use).
/// </summary>
public sealed record ChangeStockCategoryRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpChangeStockCategory;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material of the lot.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site (plant).</summary>
    public required SiteId Site { get; init; }

    /// <summary>The quantity to move between categories (positive).</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The source category.</summary>
    public required StockCategory FromCategory { get; init; }

    /// <summary>The target category.</summary>
    public required StockCategory ToCategory { get; init; }

    /// <summary>The ownership of the stock moved.</summary>
    public StockOwnership Ownership { get; init; } = StockOwnership.Own;

    /// <summary>The storage location, when the ERP tracks it.</summary>
    [OperatorCorrectable]
    public StorageLocationId? Location { get; init; }

    /// <summary>
    /// The inspection lot whose usage decision this change posts (SAP usage decision stock posting; D365 quality order
    /// validation). Needed to move quality-inspection stock that open inspection lots manage (a QM-active material);
    /// ignored for a lot without open inspection lots.
    /// </summary>
    public InspectionLotId? InspectionLot { get; init; }

    /// <summary>A catalogued or plant reason code, such as <c>qm.inspection-failed</c>.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Post a goods movement in canonical form (receipt, consumption, issue, scrap, count difference, transfers).</summary>
public sealed record PostGoodsMovementRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpPostGoodsMovement;

    /// <summary>The movement.</summary>
    public required GoodsMovement Movement { get; init; }
}

/// <summary>Reverse an earlier goods movement (SAP movement type + 1) by the document number its posting returned.</summary>
public sealed record ReverseGoodsMovementRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpReverseGoodsMovement;

    /// <summary>The ERP document number of the movement to reverse (the <see cref="AdapterResult.ExternalReference"/> of its posting).</summary>
    public required string DocumentNumber { get; init; }

    /// <summary>The lot of the movement, for routing and checks.</summary>
    public required LotId Lot { get; init; }

    /// <summary>Why the movement is reversed.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Set the batch-level status of a lot: restricted flag (SAP batch status), ISA-95 disposition, quality decision.</summary>
public sealed record SetBatchStatusRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpSetBatchStatus;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The new restricted flag, or <see langword="null"/> to leave it.</summary>
    public bool? IsRestrictedBatch { get; init; }

    /// <summary>The new disposition, or <see langword="null"/> to leave it.</summary>
    public LotDisposition? Disposition { get; init; }

    /// <summary>The new quality decision, or <see langword="null"/> to leave it.</summary>
    public QualityDecision? QualityDecision { get; init; }

    /// <summary>
    /// The Dynamics 365 batch disposition code to set, or <see langword="null"/> to leave it. A code configured as blocking
    /// (<see cref="D365StockStatusMapping.BlockingBatchDispositions"/>) takes the whole batch out of planning and
    /// available-to-promise; the available and restricted codes lift or set the batch restriction. SAP has no batch
    /// disposition: its batch status is <see cref="IsRestrictedBatch"/>.
    /// </summary>
    public string? BatchDisposition { get; init; }

    /// <summary>A catalogued or plant reason code.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Re-evaluate the open allocations of a lot: the ERP drops or re-sources reservations the lot can no longer cover.</summary>
public sealed record ReevaluateAllocationsRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpReevaluateAllocations;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>Why, such as <c>lot.on-hold</c>.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Recompute available-to-promise for a material at a site after its usable stock changed.</summary>
public sealed record UpdateAtpRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpUpdateAtp;

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The lot whose change triggered the update, when known.</summary>
    public LotId? Lot { get; init; }
}

/// <summary>Place a shipment (delivery) hold on a lot so no delivery ships it.</summary>
public sealed record PlaceShipmentHoldRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpPlaceShipmentHold;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>Why.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>Release a shipment (delivery) hold on a lot, e.g. after final quality approval.</summary>
public sealed record ReleaseShipmentHoldRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpReleaseShipmentHold;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>Deliveries or sales orders to release, when only some are; empty for all.</summary>
    public IReadOnlyList<string> Deliveries { get; init; } = [];
}

/// <summary>Post a cycle-count difference (SAP 701–708 by category and sign, D365 counting journal).</summary>
public sealed record PostCountAdjustmentRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpPostCountAdjustment;

    /// <summary>The count document.</summary>
    public required CycleCountId Count { get; init; }

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The category counted.</summary>
    public StockCategory Category { get; init; } = StockCategory.Unrestricted;

    /// <summary>The ownership counted.</summary>
    public StockOwnership Ownership { get; init; } = StockOwnership.Own;

    /// <summary>The magnitude of the difference (positive).</summary>
    public required Quantity Difference { get; init; }

    /// <summary>Whether stock was found (surplus) rather than lost.</summary>
    public required bool IsIncrease { get; init; }

    /// <summary>Who approved the adjustment, when an approval was needed.</summary>
    public ActorId? ApprovedBy { get; init; }
}

/// <summary>Post a production confirmation (yield and scrap) on a production order in the ERP.</summary>
public sealed record PostProductionConfirmationRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpPostProductionConfirmation;

    /// <summary>The order.</summary>
    public required OrderId Order { get; init; }

    /// <summary>The confirmed yield.</summary>
    public required Quantity Yield { get; init; }

    /// <summary>The confirmed scrap, if any.</summary>
    public Quantity? Scrap { get; init; }

    /// <summary>Whether this is the final confirmation.</summary>
    public bool IsFinal { get; init; }

    /// <summary>The lot produced, when the yield goes to a lot.</summary>
    public LotId? ProducedLot { get; init; }
}

/// <summary>
/// Confirm that scrapped stock of a lot was physically destroyed: it leaves the quantity awaiting destruction for good
/// and can no longer be brought back by reversing the scrap posting (SAP: disposal after 551; D365: scrap disposal).
/// </summary>
public sealed record ConfirmScrapDestructionRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpConfirmScrapDestruction;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The quantity destroyed, at most what the lot has scrapped and not yet destroyed.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The disposal certificate or document that proves the destruction, when there is one.</summary>
    [OperatorCorrectable]
    public string? DisposalReference { get; init; }

    /// <summary>A catalogued or plant reason code.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>
/// Create a Dynamics 365 quarantine order: a quantity of a lot to be moved from its regular warehouse (storage
/// location) into a quarantine warehouse when the order starts (<see cref="QuarantineOrder"/>).
/// </summary>
public sealed record CreateQuarantineOrderRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpCreateQuarantineOrder;

    /// <summary>The quarantine order number.</summary>
    public required QuarantineOrderId Order { get; init; }

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The quantity to quarantine (unrestricted stock at <see cref="RegularLocation"/>).</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The regular warehouse the stock is in and returns to.</summary>
    [OperatorCorrectable]
    public required StorageLocationId RegularLocation { get; init; }

    /// <summary>The quarantine warehouse.</summary>
    [OperatorCorrectable]
    public required StorageLocationId QuarantineLocation { get; init; }

    /// <summary>A catalogued or plant reason code, carried by the order's movements.</summary>
    public ReasonCode? ReasonCode { get; init; }
}

/// <summary>
/// Move a quarantine order on — to <see cref="QuarantineOrderStatus.Started"/>, <see cref="QuarantineOrderStatus.ReportedAsFinished"/>,
/// <see cref="QuarantineOrderStatus.Ended"/> or <see cref="QuarantineOrderStatus.Cancelled"/> — or scrap from it: exactly one
/// of <see cref="Status"/> and <see cref="ScrapQuantity"/>.
/// </summary>
public sealed record ChangeQuarantineOrderRequest : AdapterCommand
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => CommandKinds.ErpChangeQuarantineOrder;

    /// <summary>The quarantine order.</summary>
    public required QuarantineOrderId Order { get; init; }

    /// <summary>The status to move the order to, or <see langword="null"/> when scrapping.</summary>
    public QuarantineOrderStatus? Status { get; init; }

    /// <summary>The quantity to scrap from the quarantine warehouse, or <see langword="null"/> when changing the status.</summary>
    public Quantity? ScrapQuantity { get; init; }
}

