using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>
/// Where a quantity of a lot is, as seen by <see cref="LotStockMachine"/>: one of the stock categories of
/// <see cref="StockCategory"/>, or outside the lot's stock (<see cref="External"/>), or scrapped.
/// </summary>
public enum LotStockState
{
    /// <summary>Outside the lot's stock: not yet received, or consumed, issued, returned, sampled or counted away.</summary>
    External = 0,

    /// <summary>Unrestricted-use stock.</summary>
    Unrestricted = 1,

    /// <summary>Quality-inspection stock.</summary>
    QualityInspection = 2,

    /// <summary>Blocked (quarantined) stock.</summary>
    Blocked = 3,

    /// <summary>Restricted-use stock of a restricted batch.</summary>
    RestrictedUse = 4,

    /// <summary>Stock in transit between plants: not usable until goods receipt.</summary>
    InTransit = 5,

    /// <summary>Scrapped: never usable again except by an explicit reversal.</summary>
    Scrapped = 6,

    /// <summary>Stock in transfer between plants (SAP 303 then 305): not usable until placed into stock at the receiving plant.</summary>
    InTransfer = 7,
}

/// <summary>What moves a quantity of a lot from one <see cref="LotStockState"/> to another.</summary>
public enum LotStockTrigger
{
    /// <summary>Goods receipt into a category (SAP 101 with stock type).</summary>
    Receive = 0,

    /// <summary>Goods receipt of in-transit stock at the receiving plant (SAP 101 after 351), or placement of stock in transfer into stock there (SAP 305 after 303).</summary>
    ReceiveFromTransit = 1,

    /// <summary>Transfer into unrestricted stock (SAP 321 from QI, 343 from blocked, 342 from restricted-use).</summary>
    ToUnrestricted = 2,

    /// <summary>Transfer into quality-inspection stock (SAP 322 from unrestricted, 349 from blocked).</summary>
    ToQualityInspection = 3,

    /// <summary>Transfer into blocked stock (SAP 350 from QI, 344 from unrestricted).</summary>
    ToBlocked = 4,

    /// <summary>Transfer into restricted-use stock (SAP 341 from unrestricted, 321 of a restricted batch from QI).</summary>
    ToRestrictedUse = 5,

    /// <summary>Storage-location move keeping the category (SAP 311, 323, 325).</summary>
    MoveLocation = 6,

    /// <summary>Transfer out of the plant into stock in transit (SAP 351) or stock in transfer (SAP 303, two-step plant transfer).</summary>
    TransferOut = 7,

    /// <summary>Consumption by a production order (SAP 261).</summary>
    Consume = 8,

    /// <summary>Goods issue to a cost centre or delivery (SAP 201).</summary>
    Issue = 9,

    /// <summary>Return delivery to the supplier (SAP 122).</summary>
    ReturnToSupplier = 10,

    /// <summary>Sample withdrawal (SAP 333, 331, 335).</summary>
    Sample = 11,

    /// <summary>Scrap (SAP 551, 553, 555).</summary>
    Scrap = 12,

    /// <summary>Count difference: stock lost (SAP 702, 704, 708).</summary>
    CountShortage = 13,

    /// <summary>Count difference: stock found (SAP 701, 703, 707).</summary>
    CountSurplus = 14,

    /// <summary>Vendor consignment withdrawn to own stock (SAP 411 K).</summary>
    ConsignmentToOwn = 15,

    /// <summary>Explicit reversal of an earlier movement (SAP movement type + 1): moves the quantity back.</summary>
    Reverse = 16,
}

/// <summary>Lot policy the machine applies: expiry handling and restricted batches. Defaults are documented per property.</summary>
public sealed class LotPolicy
{
    /// <summary>The default policy.</summary>
    public static LotPolicy Default { get; } = new();

    /// <summary>
    /// Whether an expired lot is blocked from use: consumption, goods issue, transfer out and release into unrestricted or
    /// restricted-use stock are rejected with <c>lot.expired</c>. Default <see langword="true"/>. Scrap, samples, count
    /// differences, blocking and returns stay possible.
    /// </summary>
    public bool BlockExpiredLots { get; init; } = true;

    /// <summary>Days after the expiry date during which the lot still counts as usable. Default 0.</summary>
    public int ExpiryGraceDays { get; init; }

    /// <summary>
    /// Whether releasing a restricted batch into unrestricted stock lands in restricted-use stock (as SAP does with 321)
    /// rather than being rejected with <c>lot.restricted-batch</c>. Default <see langword="true"/>.
    /// </summary>
    public bool RestrictedBatchReleaseLandsInRestrictedUse { get; init; } = true;

    /// <summary>Whether <paramref name="lot"/> counts as expired for use on <paramref name="today"/> under this policy.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="today">The date, from the caller's <see cref="TimeProvider"/>.</param>
    /// <returns><see langword="true"/> when use must be blocked.</returns>
    public bool IsExpiredForUse(MaterialLot lot, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(lot);
        return BlockExpiredLots && lot.ExpiryDate is { } expiry && expiry.AddDays(ExpiryGraceDays) < today;
    }
}
