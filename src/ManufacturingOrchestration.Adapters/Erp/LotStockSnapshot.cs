using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>A lot's stock as one system sees it, by category, ownership and location: what reconciliation compares.</summary>
public sealed record LotStockSnapshot
{
    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The system that answered, such as <c>erp</c> or <c>wms</c>.</summary>
    public required string System { get; init; }

    /// <summary>The base unit of the quantities.</summary>
    public required UnitOfMeasure Unit { get; init; }

    /// <summary>The stock buckets; empty when the lot has no stock.</summary>
    public IReadOnlyList<StockBucket> Buckets { get; init; } = [];

    /// <summary>When the system read its stock, by its clock.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>The quantity in a category, optionally of one ownership only.</summary>
    /// <param name="category">The category.</param>
    /// <param name="ownership">The ownership, or <see langword="null"/> for all.</param>
    /// <returns>The summed quantity.</returns>
    public Quantity QuantityIn(StockCategory category, StockOwnership? ownership = null)
    {
        decimal total = 0;
        foreach (var bucket in Buckets)
        {
            if (bucket.Category == category && (ownership is null || bucket.Ownership == ownership))
            {
                total += bucket.Quantity.Value;
            }
        }

        return new Quantity(total, Unit);
    }
}
