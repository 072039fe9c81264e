using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// The stock category (SAP stock type, D365 inventory status) of a quantity of a lot. One lot can hold
/// quantity in several categories at once.
/// </summary>
[JsonConverter(typeof(CamelCaseEnumConverter<StockCategory>))]
public enum StockCategory
{
    /// <summary>Freely usable stock (SAP unrestricted-use, D365 "Available").</summary>
    Unrestricted = 0,

    /// <summary>Stock awaiting a quality decision (SAP quality inspection stock).</summary>
    QualityInspection = 1,

    /// <summary>Blocked or quarantined stock (SAP blocked stock, D365 blocking status).</summary>
    Blocked = 2,

    /// <summary>Restricted-use stock of a batch with restricted status (SAP batch status management).</summary>
    RestrictedUse = 3,

    /// <summary>Stock in transit between plants: not usable at the receiving plant until goods receipt.</summary>
    InTransit = 4,

    /// <summary>
    /// Stock in transfer between plants (SAP two-step plant transfer: removed at the issuing plant by 303, placed into stock
    /// at the receiving plant by 305). Kept at plant level, without a storage location; counted in neither plant's
    /// unrestricted stock and not usable until placed.
    /// </summary>
    InTransfer = 5,
}

/// <summary>How restrictive a <see cref="StockCategory"/> is, for telling a release from a block.</summary>
/// <remarks>
/// The order follows what each category lets happen to the stock (domain notes §2): unrestricted stock is freely usable;
/// restricted-use stock only for what the batch status allows; quality-inspection stock and stock in transit are not
/// usable at all until a usage decision, a goods receipt or a placement at the receiving plant; blocked stock only leaves by a sample, a scrap or a count
/// difference and goes back to inspection (349) before it can be released. Moving stock to a less restrictive category
/// makes it more usable — a release — and needs the authority a release needs.
/// </remarks>
public static class StockCategoryRestrictions
{
    /// <summary>
    /// The rank of a category: 0 unrestricted, 1 restricted-use, 2 quality inspection, in transit and in transfer, 3 blocked.
    /// Higher is more restrictive.
    /// </summary>
    /// <param name="category">The category.</param>
    /// <returns>The rank.</returns>
    public static int Restrictiveness(this StockCategory category) => category switch
    {
        StockCategory.Unrestricted => 0,
        StockCategory.RestrictedUse => 1,
        StockCategory.QualityInspection or StockCategory.InTransit or StockCategory.InTransfer => 2,
        _ => 3,
    };

    /// <summary>Whether moving stock from <paramref name="from"/> to <paramref name="to"/> makes it more usable (a release).</summary>
    /// <param name="from">The category the stock leaves.</param>
    /// <param name="to">The category the stock enters.</param>
    /// <returns><see langword="true"/> when <paramref name="to"/> is less restrictive than <paramref name="from"/>.</returns>
    public static bool IsRelease(StockCategory from, StockCategory to) => to.Restrictiveness() < from.Restrictiveness();
}

/// <summary>Who owns a quantity of stock.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<StockOwnership>))]
public enum StockOwnership
{
    /// <summary>The company's own stock.</summary>
    Own = 0,

    /// <summary>Vendor consignment: owned by the supplier until withdrawn to own stock.</summary>
    VendorConsignment = 1,

    /// <summary>Customer consignment: owned by the customer.</summary>
    CustomerConsignment = 2,
}

/// <summary>ISA-95 / B2MML material lot disposition.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<LotDisposition>))]
public enum LotDisposition
{
    /// <summary>Planned, not yet existing.</summary>
    Planned = 0,

    /// <summary>Being produced or processed.</summary>
    InProcess = 1,

    /// <summary>Awaiting a quality decision or physically inaccessible.</summary>
    Restricted = 2,

    /// <summary>Freely usable.</summary>
    Unrestricted = 3,

    /// <summary>Completely consumed, sold or disposed of.</summary>
    Closed = 4,

    /// <summary>Any other disposition.</summary>
    Other = 5,
}

/// <summary>The quality decision recorded for a lot.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<QualityDecision>))]
public enum QualityDecision
{
    /// <summary>No decision yet.</summary>
    Pending = 0,

    /// <summary>Accepted for unrestricted use.</summary>
    Accepted = 1,

    /// <summary>Accepted for restricted use only.</summary>
    AcceptedRestricted = 2,

    /// <summary>Rejected.</summary>
    Rejected = 3,
}
