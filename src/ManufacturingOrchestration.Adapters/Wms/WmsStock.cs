using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>A quantity of a lot in one bin, category and ownership, as the WMS sees it.</summary>
public sealed record WmsStockLine
{
    /// <summary>The bin.</summary>
    public required BinId Bin { get; init; }

    /// <summary>The stock category.</summary>
    public required StockCategory Category { get; init; }

    /// <summary>The ownership.</summary>
    public StockOwnership Ownership { get; init; } = StockOwnership.Own;

    /// <summary>The quantity.</summary>
    public required Quantity Quantity { get; init; }
}

/// <summary>A lot's stock in the WMS by bin, category and ownership.</summary>
public sealed record WmsStock
{
    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The base unit of the quantities.</summary>
    public required UnitOfMeasure Unit { get; init; }

    /// <summary>The stock lines; empty when the lot has no stock.</summary>
    public IReadOnlyList<WmsStockLine> Lines { get; init; } = [];

    /// <summary>When the WMS read its stock, by its clock.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Sums the lines by category and ownership (dropping bins) for reconciliation with the ERP.</summary>
    /// <returns>The snapshot, with <see cref="LotStockSnapshot.System"/> <c>wms</c>.</returns>
    public LotStockSnapshot ToSnapshot()
    {
        var totals = new Dictionary<(StockCategory, StockOwnership), decimal>();
        foreach (var line in Lines)
        {
            var key = (line.Category, line.Ownership);
            totals[key] = totals.GetValueOrDefault(key) + line.Quantity.Value;
        }

        var buckets = new List<StockBucket>(totals.Count);
        foreach (var ((category, ownership), total) in totals)
        {
            buckets.Add(new StockBucket { Category = category, Ownership = ownership, Quantity = new Quantity(total, Unit) });
        }

        buckets.Sort((a, b) => a.Category != b.Category ? a.Category.CompareTo(b.Category) : a.Ownership.CompareTo(b.Ownership));
        return new LotStockSnapshot { Lot = Lot, System = CommandKinds.WmsSystem, Unit = Unit, Buckets = buckets, AsOf = AsOf };
    }
}
