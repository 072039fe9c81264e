using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// A material lot (batch) as the orchestrator keeps it: quantity buckets by stock category and ownership,
/// plus lot-level disposition, quality decision, expiry and holds. Immutable: a transition produces a new instance.
/// </summary>
/// <remarks>
/// The user-facing statuses (available, quarantine, inspection, in transit, consigned, expired, released,
/// scrapped) are views over these dimensions; see <see cref="QuantityIn(StockCategory, StockOwnership?)"/>.
/// </remarks>
public sealed record MaterialLot
{
    /// <summary>The lot identifier.</summary>
    public required LotId Id { get; init; }

    /// <summary>The material of the lot.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site (plant) holding the lot.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The supplier the lot came from, for purchased material.</summary>
    public SupplierId? Supplier { get; init; }

    /// <summary>The base unit of the lot's quantities.</summary>
    public required UnitOfMeasure Unit { get; init; }

    /// <summary>The stock buckets (non-empty quantities only after normalisation).</summary>
    public IReadOnlyList<StockBucket> Buckets { get; init => field = value ?? []; } = [];

    /// <summary>The ISA-95 disposition.</summary>
    [JsonRequired]
    public LotDisposition Disposition { get; init; } = LotDisposition.Restricted;

    /// <summary>The quality decision.</summary>
    public QualityDecision QualityDecision { get; init; } = QualityDecision.Pending;

    /// <summary>Whether the batch has restricted status (SAP batch status management): release lands in restricted-use.</summary>
    public bool IsRestrictedBatch { get; init; }

    /// <summary>Whether the lot was reworked and needs a new passing inspection before release.</summary>
    public bool RequiresReinspection { get; init; }

    /// <summary>The expiry (shelf-life) date, when the material has one.</summary>
    public DateOnly? ExpiryDate { get; init; }

    /// <summary>Active hold reasons (quality hold, count investigation, customer hold…).</summary>
    public IReadOnlyList<string> Holds { get; init => field = value ?? []; } = [];

    /// <summary>Sublots or handling units, when tracked.</summary>
    public IReadOnlyList<Sublot> Sublots { get; init => field = value ?? []; } = [];

    /// <summary>
    /// The open inspection lots managing the lot's quality-inspection stock (a QM-active material in SAP, a quality
    /// association in Dynamics 365). While any is open, quality-inspection stock leaves inspection only through an
    /// inspection lot's usage decision; an entry leaves the list when its decision is fully posted.
    /// </summary>
    public IReadOnlyList<LotInspection> Inspections { get; init => field = value ?? []; } = [];

    /// <summary>Whether a usage decision is recorded on one of the lot's inspection lots and its stock posting is pending (not released yet).</summary>
    [JsonIgnore]
    public bool IsUsageDecisionPostingPending
    {
        get
        {
            var inspections = Inspections;
            for (var i = 0; i < inspections.Count; i++)
            {
                if (inspections[i].IsPostingPending)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Total quantity scrapped from the lot (never usable again except by reversal of an erroneous posting). Scrapped
    /// stock stays controlled until its destruction is confirmed (<see cref="DestroyedQuantity"/>); what is scrapped and
    /// not yet destroyed is <see cref="AwaitingDestruction"/>.
    /// </summary>
    public decimal ScrappedQuantity { get; init; }

    /// <summary>Of <see cref="ScrappedQuantity"/>, how much has been confirmed physically destroyed (it can no longer be reversed).</summary>
    public decimal DestroyedQuantity { get; init; }

    /// <summary>Scrapped and not yet destroyed: controlled, never usable, not yet gone (SAP: scrapped via 551 pending disposal; D365: scrap awaiting disposal).</summary>
    public decimal AwaitingDestruction => ScrappedQuantity - DestroyedQuantity;

    /// <summary>Total quantity consumed or issued from the lot.</summary>
    public decimal ConsumedQuantity { get; init; }

    /// <summary>A version that increases with every change, for optimistic concurrency and ordering.</summary>
    public long Version { get; init; }

    /// <summary>The total quantity across all buckets.</summary>
    [JsonIgnore]
    public Quantity TotalQuantity
    {
        get
        {
            // Indexed loops: a foreach over the interface would box an enumerator on every call.
            decimal total = 0;
            var buckets = Buckets;
            for (var i = 0; i < buckets.Count; i++)
            {
                total += buckets[i].Quantity.Value;
            }

            return new Quantity(total, Unit);
        }
    }

    /// <summary>Whether any quantity of the lot has been consumed or issued.</summary>
    [JsonIgnore]
    public bool IsPartiallyConsumed => ConsumedQuantity > 0;

    /// <summary>Whether the lot is expired on <paramref name="today"/>.</summary>
    /// <param name="today">The date to check against, from the caller's <see cref="TimeProvider"/>.</param>
    /// <returns><see langword="true"/> when the expiry date is before <paramref name="today"/>.</returns>
    public bool IsExpiredOn(DateOnly today) => ExpiryDate is { } expiry && expiry < today;

    /// <summary>The quantity in a category, optionally only of one ownership.</summary>
    /// <param name="category">The stock category.</param>
    /// <param name="ownership">The ownership, or <see langword="null"/> for all.</param>
    /// <returns>The summed quantity.</returns>
    public Quantity QuantityIn(StockCategory category, StockOwnership? ownership = null)
    {
        decimal total = 0;
        var buckets = Buckets;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            if (bucket.Category == category && (ownership is null || bucket.Ownership == ownership))
            {
                total += bucket.Quantity.Value;
            }
        }

        return new Quantity(total, Unit);
    }
}

/// <summary>A sublot or handling unit of a lot (B2MML <c>MaterialSubLot</c>).</summary>
public sealed record Sublot
{
    /// <summary>The sublot identifier.</summary>
    public required SublotId Id { get; init; }

    /// <summary>The quantity on the sublot.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The bin the sublot is stored in, when known.</summary>
    public BinId? Bin { get; init; }
}
