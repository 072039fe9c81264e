using System.Text.Json.Serialization;

namespace ManufacturingOrchestration.Model;

/// <summary>A count tolerance: a variance is within tolerance when it is inside both the percentage and the absolute limit.</summary>
public sealed record CountTolerance
{
    /// <summary>The maximum variance as a percentage of book quantity (e.g. 1 for ±1 %).</summary>
    public required decimal Percent { get; init; }

    /// <summary>The maximum absolute variance in the base unit.</summary>
    public required decimal Absolute { get; init; }

    /// <summary>Whether a signed variance is within this tolerance for a book quantity.</summary>
    /// <param name="book">The book quantity.</param>
    /// <param name="variance">The signed variance (counted − book).</param>
    /// <returns><see langword="true"/> when within both limits.</returns>
    public bool Allows(decimal book, decimal variance)
    {
        var magnitude = Math.Abs(variance);
        if (magnitude > Absolute)
        {
            return false;
        }

        return book == 0 ? magnitude == 0 : PercentOf(magnitude, book) <= Percent;
    }

    /// <summary><paramref name="magnitude"/> × 100 / <paramref name="book"/> (both positive), or <see cref="decimal.MaxValue"/> when the percentage is beyond the decimal range.</summary>
    internal static decimal PercentOf(decimal magnitude, decimal book)
    {
        try
        {
            return magnitude * 100 / book;
        }
        catch (OverflowException)
        {
            // Only huge quantities get here: divide first; a book below 1 makes the percentage larger than any decimal.
            if (book < 1)
            {
                return decimal.MaxValue;
            }

            var ratio = magnitude / book;
            return ratio <= decimal.MaxValue / 100 ? ratio * 100 : decimal.MaxValue;
        }
    }
}

/// <summary>Count tolerances per ABC class. ±1/3/5 % is a common heuristic, not a standard: configure it per plant.</summary>
public sealed record CountToleranceProfile
{
    /// <summary>Tolerance for class A.</summary>
    public required CountTolerance ClassA { get; init; }

    /// <summary>Tolerance for class B.</summary>
    public required CountTolerance ClassB { get; init; }

    /// <summary>Tolerance for class C.</summary>
    public required CountTolerance ClassC { get; init; }

    /// <summary>A common starting point: ±1 % / 3 % / 5 %, and 10 / 50 / 100 units absolute.</summary>
    public static CountToleranceProfile Default { get; } = new()
    {
        ClassA = new CountTolerance { Percent = 1, Absolute = 10 },
        ClassB = new CountTolerance { Percent = 3, Absolute = 50 },
        ClassC = new CountTolerance { Percent = 5, Absolute = 100 },
    };

    /// <summary>The tolerance for an ABC class.</summary>
    /// <param name="abcClass">The class.</param>
    /// <returns>The tolerance.</returns>
    public CountTolerance For(AbcClass abcClass) => abcClass switch
    {
        AbcClass.A => ClassA,
        AbcClass.B => ClassB,
        _ => ClassC,
    };
}

/// <summary>A recorded cycle count of one lot (or material) at one location.</summary>
public sealed record CycleCount
{
    /// <summary>The count document.</summary>
    public required CycleCountId Id { get; init; }

    /// <summary>The material counted.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The lot counted, for batch-managed material.</summary>
    public LotId? Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The storage location.</summary>
    public StorageLocationId? Location { get; init; }

    /// <summary>The bin.</summary>
    public BinId? Bin { get; init; }

    /// <summary>The stock category counted.</summary>
    public StockCategory Category { get; init; } = StockCategory.Unrestricted;

    /// <summary>The book quantity.</summary>
    public required Quantity BookQuantity { get; init; }

    /// <summary>The counted quantity.</summary>
    public required Quantity CountedQuantity { get; init; }

    /// <summary>Who counted.</summary>
    public required ActorId CountedBy { get; init; }

    /// <summary>The signed variance (counted − book). Accuracy is per item, never netted across items.</summary>
    [JsonIgnore]
    public decimal Variance => CountedQuantity.DifferenceFrom(BookQuantity);

    /// <summary>
    /// The variance as a percentage of book quantity (100 when book is zero and something was counted;
    /// <see cref="decimal.MaxValue"/> when the percentage is beyond the decimal range).
    /// </summary>
    [JsonIgnore]
    public decimal VariancePercent => BookQuantity.Value == 0
        ? (CountedQuantity.Value == 0 ? 0 : 100)
        : CountTolerance.PercentOf(Math.Abs(Variance), BookQuantity.Value);
}
