namespace ManufacturingOrchestration.Model;

/// <summary>
/// A quantity of one lot in one stock category, with one ownership, at one storage location.
/// A lot's stock is the sum of its buckets.
/// </summary>
public sealed record StockBucket
{
    /// <summary>The stock category.</summary>
    public required StockCategory Category { get; init; }

    /// <summary>Who owns the stock.</summary>
    public StockOwnership Ownership { get; init; } = StockOwnership.Own;

    /// <summary>The storage location, when the system of record tracks it.</summary>
    public StorageLocationId? Location { get; init; }

    /// <summary>The quantity.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>Whether this bucket has the same category, ownership and location as <paramref name="other"/>.</summary>
    /// <param name="other">The other bucket.</param>
    /// <returns><see langword="true"/> when they describe the same place in the stock.</returns>
    public bool SameSlotAs(StockBucket other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Category == other.Category && Ownership == other.Ownership && Location == other.Location;
    }
}
