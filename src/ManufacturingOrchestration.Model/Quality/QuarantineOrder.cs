using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// The status of a quarantine order (Dynamics 365 quarantine order statuses). Statuses move forward only:
/// Created → Started → ReportedAsFinished → Ended; a created order can be cancelled instead.
/// </summary>
[JsonConverter(typeof(CamelCaseEnumConverter<QuarantineOrderStatus>))]
public enum QuarantineOrderStatus
{
    /// <summary>The order exists; the stock is not yet in the quarantine warehouse.</summary>
    Created = 0,

    /// <summary>The stock was transferred from the regular warehouse to the quarantine warehouse.</summary>
    Started = 1,

    /// <summary>The stock is released from quarantine but not yet moved back to the regular warehouse.</summary>
    ReportedAsFinished = 2,

    /// <summary>What was not scrapped was moved from the quarantine warehouse back to the regular warehouse.</summary>
    Ended = 3,

    /// <summary>The order was cancelled (deleted in Dynamics 365) before it started; no stock moved.</summary>
    Cancelled = 4,
}

/// <summary>
/// A quarantine order (Dynamics 365 <c>InventQuarantineOrder</c>): it blocks a quantity of a lot by moving it from
/// its regular warehouse (<see cref="RegularLocation"/>) to a quarantine warehouse (<see cref="QuarantineLocation"/>),
/// may scrap part of it there, and moves the rest back when it ends.
/// </summary>
/// <remarks>
/// What the order is about — the lot, its quantity and the two locations — is fixed when the order is created and
/// validated then; <see cref="Status"/>, <see cref="ScrappedQuantity"/> and <see cref="Version"/> change as the order
/// moves (see the quarantine order machine in <c>ManufacturingOrchestration.StateMachines</c>).
/// </remarks>
public sealed record QuarantineOrder
{
    private readonly Quantity _scrappedQuantity;
    private readonly QuarantineOrderStatus _status;

    /// <summary>Creates a quarantine order in <see cref="QuarantineOrderStatus.Created"/> with nothing scrapped.</summary>
    /// <param name="id">The identifier.</param>
    /// <param name="lot">The lot quarantined.</param>
    /// <param name="material">The lot's material.</param>
    /// <param name="site">The site.</param>
    /// <param name="quantity">The quantity the order quarantines: greater than zero.</param>
    /// <param name="regularLocation">The regular warehouse the stock comes from and returns to.</param>
    /// <param name="quarantineLocation">The quarantine warehouse: not <paramref name="regularLocation"/>.</param>
    /// <exception cref="ManufacturingOrchestrationException">
    /// An identifier or location is missing (<c>payload.required</c>), the quantity is zero (<c>payload.non-positive-quantity</c>)
    /// or has no unit (<c>payload.invalid-unit</c>), or the two locations are the same (<c>quarantine-order.same-location</c>).
    /// </exception>
    [JsonConstructor]
    public QuarantineOrder(
        QuarantineOrderId id,
        LotId lot,
        MaterialId material,
        SiteId site,
        Quantity quantity,
        StorageLocationId regularLocation,
        StorageLocationId quarantineLocation)
    {
        Require(id.Value, "an identifier");
        Require(lot.Value, "a lot");
        Require(material.Value, "a material");
        Require(site.Value, "a site");
        Require(regularLocation.Value, "a regular location (the warehouse the stock comes from)");
        Require(quarantineLocation.Value, "a quarantine location (the quarantine warehouse)");
        if (quantity.Unit.Code is null)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.InvalidUnit, $"Quarantine order {id} needs a quantity with a unit of measure.");
        }

        if (quantity.IsZero)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.NonPositiveQuantity, $"Quarantine order {id} must quarantine a quantity greater than zero.");
        }

        if (regularLocation == quarantineLocation)
        {
            throw new ManufacturingOrchestrationException(
                ReasonCodes.QuarantineOrderSameLocation,
                $"Quarantine order {id} names {regularLocation} as both its regular and its quarantine location; the quarantine warehouse must be another one.");
        }

        Id = id;
        Lot = lot;
        Material = material;
        Site = site;
        Quantity = quantity;
        RegularLocation = regularLocation;
        QuarantineLocation = quarantineLocation;
        _scrappedQuantity = Quantity.Zero(quantity.Unit);
    }

    /// <summary>The identifier.</summary>
    public QuarantineOrderId Id { get; }

    /// <summary>The lot quarantined.</summary>
    public LotId Lot { get; }

    /// <summary>The lot's material.</summary>
    public MaterialId Material { get; }

    /// <summary>The site.</summary>
    public SiteId Site { get; }

    /// <summary>The quantity the order quarantines (greater than zero).</summary>
    public Quantity Quantity { get; }

    /// <summary>The regular warehouse: where the stock comes from and returns to when the order ends.</summary>
    public StorageLocationId RegularLocation { get; }

    /// <summary>The quarantine warehouse: where the stock is blocked while the order runs.</summary>
    public StorageLocationId QuarantineLocation { get; }

    /// <summary>The status; a new order is <see cref="QuarantineOrderStatus.Created"/>.</summary>
    /// <exception cref="ManufacturingOrchestrationException">The value is not a status (<c>payload.out-of-range</c>).</exception>
    public QuarantineOrderStatus Status
    {
        get => _status;
        init => _status = Enum.IsDefined(value)
            ? value
            : throw new ManufacturingOrchestrationException(ReasonCodes.OutOfRange, $"{(int)value} is not a quarantine order status.");
    }

    /// <summary>The quantity scrapped from the quarantine warehouse so far: in the unit of <see cref="Quantity"/>, at most <see cref="Quantity"/>.</summary>
    /// <exception cref="ManufacturingOrchestrationException">
    /// The value is in another unit (<c>payload.unit-mismatch</c>) or exceeds <see cref="Quantity"/> (<c>payload.out-of-range</c>).
    /// </exception>
    public Quantity ScrappedQuantity
    {
        get => _scrappedQuantity;
        init
        {
            if (!value.HasSameUnit(Quantity))
            {
                throw new ManufacturingOrchestrationException(ReasonCodes.UnitMismatch, $"Quarantine order {Id} is in {Quantity.Unit}; the scrapped quantity {value} is not.");
            }

            if (value.Value > Quantity.Value)
            {
                throw new ManufacturingOrchestrationException(ReasonCodes.OutOfRange, $"Quarantine order {Id} quarantines {Quantity}; it cannot have scrapped {value}.");
            }

            _scrappedQuantity = value;
        }
    }

    /// <summary>What remains in quarantine, or returns to the regular warehouse when the order ends: <see cref="Quantity"/> − <see cref="ScrappedQuantity"/>.</summary>
    [JsonIgnore]
    public Quantity RemainingQuantity => Quantity - ScrappedQuantity;

    /// <summary>Why the stock is quarantined: a catalogued or plant reason code, carried onto the order's goods movements.</summary>
    public ReasonCode? ReasonCode { get; init; }

    /// <summary>The version: one higher after every accepted change.</summary>
    public long Version { get; init; }

    private static void Require(string value, string what)
    {
        if (value.Length == 0)
        {
            throw new ManufacturingOrchestrationException(ReasonCodes.Required, $"A quarantine order needs {what}.");
        }
    }
}
