using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// The canonical kind of a goods movement. The SAP movement type and D365 journal follow from the kind
/// and the source and target category (see the adapters' ERP mapping table).
/// </summary>
[JsonConverter(typeof(CamelCaseEnumConverter<MovementKind>))]
public enum MovementKind
{
    /// <summary>Goods receipt into a category (SAP 101 with stock type).</summary>
    GoodsReceipt = 0,

    /// <summary>A change of stock category within the lot (e.g. QI to unrestricted).</summary>
    CategoryTransfer = 1,

    /// <summary>A move between storage locations keeping the category (SAP 311/323/325).</summary>
    LocationTransfer = 2,

    /// <summary>Transfer out of the plant (into in-transit stock).</summary>
    PlantTransferOut = 3,

    /// <summary>Goods receipt of in-transit stock at the receiving plant.</summary>
    PlantTransferIn = 4,

    /// <summary>Consumption by a production order (SAP 261): only from unrestricted own stock.</summary>
    Consumption = 5,

    /// <summary>Goods issue to a delivery or cost centre: only from unrestricted own stock.</summary>
    GoodsIssue = 6,

    /// <summary>Scrap (SAP 551/553/555 by source category).</summary>
    Scrap = 7,

    /// <summary>Sample withdrawal.</summary>
    Sample = 8,

    /// <summary>Inventory (count) difference (SAP 701–708 by category and sign).</summary>
    CountDifference = 9,

    /// <summary>Vendor consignment withdrawn to own stock.</summary>
    ConsignmentToOwn = 10,

    /// <summary>Return delivery to the supplier.</summary>
    ReturnToSupplier = 11,
}

/// <summary>A goods movement in canonical form.</summary>
public sealed record GoodsMovement
{
    /// <summary>The canonical movement kind.</summary>
    public required MovementKind Kind { get; init; }

    /// <summary>The lot moved.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The quantity moved (always positive; direction comes from the kind and <see cref="IsIncrease"/>).</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The source category, when stock leaves a category.</summary>
    public StockCategory? FromCategory { get; init; }

    /// <summary>The target category, when stock enters a category.</summary>
    public StockCategory? ToCategory { get; init; }

    /// <summary>The source ownership.</summary>
    public StockOwnership FromOwnership { get; init; } = StockOwnership.Own;

    /// <summary>The target ownership.</summary>
    public StockOwnership ToOwnership { get; init; } = StockOwnership.Own;

    /// <summary>The source storage location.</summary>
    public StorageLocationId? FromLocation { get; init; }

    /// <summary>The target storage location.</summary>
    public StorageLocationId? ToLocation { get; init; }

    /// <summary>For a count difference: whether stock was found (surplus) rather than lost.</summary>
    public bool IsIncrease { get; init; }

    /// <summary>The order, for consumption.</summary>
    public OrderId? Order { get; init; }

    /// <summary>A catalogued or plant reason code.</summary>
    public ReasonCode? ReasonCode { get; init; }

    /// <summary>
    /// The inspection lot whose usage decision this movement posts (SAP usage decision stock posting; D365 quality order
    /// validation). Needed when the lot's quality-inspection stock is managed by open inspection lots
    /// (<see cref="MaterialLot.Inspections"/>); ignored otherwise.
    /// </summary>
    public InspectionLotId? InspectionLot { get; init; }

    /// <summary>The reference of the movement this one reverses, when it is a reversal.</summary>
    public string? ReversalOf { get; init; }

    /// <summary>Document numbers in other systems (e.g. <c>sap:material-document</c>).</summary>
    public IReadOnlyDictionary<string, string> ExternalReferences { get; init => field = value ?? new Dictionary<string, string>(); } = new Dictionary<string, string>();
}
