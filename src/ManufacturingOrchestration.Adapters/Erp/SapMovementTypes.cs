using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>A canonical movement shape: kind, source and target category, direction of a count difference, ownership.</summary>
public sealed record CanonicalMovementType
{
    /// <summary>The movement kind.</summary>
    public required MovementKind Kind { get; init; }

    /// <summary>The source category, when stock leaves one.</summary>
    public StockCategory? FromCategory { get; init; }

    /// <summary>The target category, when stock enters one.</summary>
    public StockCategory? ToCategory { get; init; }

    /// <summary>For count differences: surplus (<see langword="true"/>) or shortage.</summary>
    public bool IsIncrease { get; init; }

    /// <summary>Whether the stock is (or becomes, for receipts) vendor consignment: SAP special stock <c>K</c>.</summary>
    public bool IsVendorConsignment { get; init; }
}

/// <summary>A SAP posting for a canonical movement: the movement type, the special-stock indicator and whether it is a reversal.</summary>
public sealed class SapPosting
{
    /// <summary>Creates a posting.</summary>
    /// <param name="movementType">The SAP movement type.</param>
    /// <param name="specialStockIndicator">The special-stock indicator (<c>K</c> for vendor consignment), if any.</param>
    /// <param name="isReversal">Whether the posting reverses an earlier one.</param>
    public SapPosting(string movementType, string? specialStockIndicator, bool isReversal)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(movementType);
        MovementType = movementType;
        SpecialStockIndicator = specialStockIndicator;
        IsReversal = isReversal;
    }

    /// <summary>The SAP movement type.</summary>
    public string MovementType { get; }

    /// <summary>The special-stock indicator, if any.</summary>
    public string? SpecialStockIndicator { get; }

    /// <summary>Whether the posting reverses an earlier one.</summary>
    public bool IsReversal { get; }

    /// <inheritdoc />
    public override string ToString() => SpecialStockIndicator is null ? MovementType : $"{MovementType} {SpecialStockIndicator}";
}

/// <summary>One row of the canonical ↔ SAP table: a movement shape, the movement type that posts it and the type that reverses it.</summary>
public sealed class SapMovementTypeRow
{
    /// <summary>Creates a row.</summary>
    /// <param name="canonical">The canonical movement shape.</param>
    /// <param name="movementType">The SAP movement type of the movement.</param>
    /// <param name="reversalType">The SAP movement type that reverses it (SAP's "+1" rule, kept as data).</param>
    public SapMovementTypeRow(CanonicalMovementType canonical, string movementType, string reversalType)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        ArgumentException.ThrowIfNullOrWhiteSpace(movementType);
        ArgumentException.ThrowIfNullOrWhiteSpace(reversalType);
        Canonical = canonical;
        MovementType = movementType;
        ReversalType = reversalType;
    }

    /// <summary>The canonical movement shape.</summary>
    public CanonicalMovementType Canonical { get; }

    /// <summary>The SAP movement type of the movement.</summary>
    public string MovementType { get; }

    /// <summary>The SAP movement type that reverses <see cref="MovementType"/>.</summary>
    public string ReversalType { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{MovementType}/{ReversalType} {Canonical.Kind} {Canonical.FromCategory?.ToString() ?? "-"}→{Canonical.ToCategory?.ToString() ?? "-"}{(Canonical.IsVendorConsignment ? " K" : string.Empty)}";
}

/// <summary>
/// The one table between canonical goods movements and SAP movement types (domain notes §2), for connectors that
/// post to SAP, for the simulators and for readable logs. Each row is a movement shape, its movement type and the
/// type that reverses it; SAP's "reversal = movement type + 1" rule is kept as rows, never as arithmetic on a code, so
/// a code that is not in the table has no known reversal.
/// </summary>
/// <remarks>
/// The source category decides scrap (551 unrestricted or restricted-use, 553 QI, 555 blocked), samples (333, 331,
/// 335) and location moves (311 unrestricted or restricted-use, 323 within QI, 325 within blocked — location moves, not
/// category changes); the category and the sign decide count differences (701/702, 703/704, 707/708). Category
/// transfers: 321 QI→unrestricted (a restricted batch lands in restricted-use) and 322 back, 341
/// unrestricted→restricted-use and 342 back, 343 blocked→unrestricted and 344 back, 349 blocked→QI and 350 back (the
/// directions of 343/344 and 349/350 are secondary-sourced and follow the usual SAP configuration). Consumption (261),
/// goods issue (201) and transfer out to another plant (351) leave unrestricted stock only; a return to the supplier
/// (122, posted with the stock type it leaves) leaves unrestricted, restricted-use, QI or blocked stock directly, so
/// rejected stock never passes through unrestricted on its way out — never stock in transit; receipts (101, also from stock in transit) enter unrestricted, QI or blocked stock; vendor consignment
/// (special stock <c>K</c>) becomes own stock with 411.
/// </remarks>
public static class SapMovementTypes
{
    private const StockCategory U = StockCategory.Unrestricted;
    private const StockCategory QI = StockCategory.QualityInspection;
    private const StockCategory B = StockCategory.Blocked;
    private const StockCategory RU = StockCategory.RestrictedUse;
    private const StockCategory T = StockCategory.InTransit;
    private const StockCategory TF = StockCategory.InTransfer;

    /// <summary>Every row. Where several rows share a movement type, the first is the default reading of that type.</summary>
    public static IReadOnlyList<SapMovementTypeRow> Rows { get; } =
    [
        Row(MovementKind.GoodsReceipt, null, U, "101", "102"),
        Row(MovementKind.GoodsReceipt, null, QI, "101", "102"),
        Row(MovementKind.GoodsReceipt, null, B, "101", "102"),
        Row(MovementKind.GoodsReceipt, null, U, "101", "102", vendorConsignment: true),
        Row(MovementKind.GoodsReceipt, null, QI, "101", "102", vendorConsignment: true),
        Row(MovementKind.GoodsReceipt, null, B, "101", "102", vendorConsignment: true),
        Row(MovementKind.PlantTransferIn, T, U, "101", "102"),
        Row(MovementKind.PlantTransferIn, T, QI, "101", "102"),
        Row(MovementKind.PlantTransferIn, T, B, "101", "102"),
        Row(MovementKind.PlantTransferOut, U, T, "351", "352"),
        Row(MovementKind.PlantTransferOut, U, TF, "303", "304"),
        Row(MovementKind.PlantTransferIn, TF, U, "305", "306"),
        Row(MovementKind.PlantTransferIn, TF, QI, "305", "306"),
        Row(MovementKind.PlantTransferIn, TF, B, "305", "306"),
        Row(MovementKind.CategoryTransfer, QI, U, "321", "322"),
        Row(MovementKind.CategoryTransfer, QI, RU, "321", "322"),
        Row(MovementKind.CategoryTransfer, U, QI, "322", "321"),
        Row(MovementKind.CategoryTransfer, U, RU, "341", "342"),
        Row(MovementKind.CategoryTransfer, RU, U, "342", "341"),
        Row(MovementKind.CategoryTransfer, B, U, "343", "344"),
        Row(MovementKind.CategoryTransfer, U, B, "344", "343"),
        Row(MovementKind.CategoryTransfer, B, QI, "349", "350"),
        Row(MovementKind.CategoryTransfer, QI, B, "350", "349"),
        Row(MovementKind.LocationTransfer, U, U, "311", "312"),
        Row(MovementKind.LocationTransfer, RU, RU, "311", "312"),
        Row(MovementKind.LocationTransfer, QI, QI, "323", "324"),
        Row(MovementKind.LocationTransfer, B, B, "325", "326"),
        Row(MovementKind.Consumption, U, null, "261", "262"),
        Row(MovementKind.GoodsIssue, U, null, "201", "202"),
        Row(MovementKind.ReturnToSupplier, U, null, "122", "123"),
        Row(MovementKind.ReturnToSupplier, RU, null, "122", "123"),
        Row(MovementKind.ReturnToSupplier, QI, null, "122", "123"),
        Row(MovementKind.ReturnToSupplier, B, null, "122", "123"),
        Row(MovementKind.Sample, U, null, "333", "334"),
        Row(MovementKind.Sample, RU, null, "333", "334"),
        Row(MovementKind.Sample, QI, null, "331", "332"),
        Row(MovementKind.Sample, B, null, "335", "336"),
        Row(MovementKind.Scrap, U, null, "551", "552"),
        Row(MovementKind.Scrap, RU, null, "551", "552"),
        Row(MovementKind.Scrap, QI, null, "553", "554"),
        Row(MovementKind.Scrap, B, null, "555", "556"),
        Row(MovementKind.CountDifference, null, U, "701", "702", increase: true),
        Row(MovementKind.CountDifference, null, RU, "701", "702", increase: true),
        Row(MovementKind.CountDifference, null, QI, "703", "704", increase: true),
        Row(MovementKind.CountDifference, null, B, "707", "708", increase: true),
        Row(MovementKind.CountDifference, U, null, "702", "701"),
        Row(MovementKind.CountDifference, RU, null, "702", "701"),
        Row(MovementKind.CountDifference, QI, null, "704", "703"),
        Row(MovementKind.CountDifference, B, null, "708", "707"),
        Row(MovementKind.ConsignmentToOwn, U, U, "411", "412", vendorConsignment: true),
    ];

    private static readonly Dictionary<string, string> ReversalByType = BuildReversals();

    /// <summary>Maps a canonical movement (forward or reversal) to its SAP posting.</summary>
    /// <param name="movement">The movement; a reversal has <see cref="GoodsMovement.ReversalOf"/> set and the original's shape.</param>
    /// <param name="posting">The posting, when the table has the movement's shape.</param>
    /// <returns><see langword="true"/> when mapped.</returns>
    public static bool TryGetPosting(GoodsMovement movement, out SapPosting posting)
    {
        ArgumentNullException.ThrowIfNull(movement);
        var shape = Normalise(movement);
        if (FindRow(shape) is { } row)
        {
            var isReversal = movement.ReversalOf is not null;
            posting = new SapPosting(isReversal ? row.ReversalType : row.MovementType, shape.IsVendorConsignment ? "K" : null, isReversal);
            return true;
        }

        posting = null!;
        return false;
    }

    /// <summary>Reads a SAP movement type as a canonical movement shape.</summary>
    /// <param name="movementType">The SAP movement type.</param>
    /// <param name="stockCategory">The category SAP names with the posting (the stock type of a receipt, the stock of a scrap or count), when it tells one reading of a shared type from another.</param>
    /// <param name="canonical">The canonical shape; for a reversal type, the shape of the movement it reverses.</param>
    /// <param name="isReversal">Whether <paramref name="movementType"/> reverses the returned shape.</param>
    /// <returns><see langword="true"/> when the movement type is known.</returns>
    public static bool TryGetCanonical(string movementType, StockCategory? stockCategory, out CanonicalMovementType canonical, out bool isReversal)
    {
        ArgumentNullException.ThrowIfNull(movementType);
        if (Find(movementType, stockCategory) is { } row)
        {
            (canonical, isReversal) = (row.Canonical, false);
            return true;
        }

        if (ReversalByType.TryGetValue(movementType, out var forwardType) && Find(forwardType, stockCategory) is { } forward)
        {
            (canonical, isReversal) = (forward.Canonical, true);
            return true;
        }

        (canonical, isReversal) = (null!, false);
        return false;
    }

    /// <summary>Finds the movement type that reverses <paramref name="movementType"/> (102 for 101, 101 for 102).</summary>
    /// <param name="movementType">A movement type, such as <c>101</c> or <c>102</c>.</param>
    /// <param name="reversal">The reversing movement type, when the code is in the table.</param>
    /// <returns><see langword="true"/> when the code is in the table.</returns>
    public static bool TryGetReversal(string movementType, out string reversal)
    {
        ArgumentNullException.ThrowIfNull(movementType);
        if (ReversalByType.TryGetValue(movementType, out var found))
        {
            reversal = found;
            return true;
        }

        reversal = string.Empty;
        return false;
    }

    /// <summary>The movement type of a stock-category change.</summary>
    /// <param name="from">The source category.</param>
    /// <param name="to">The target category.</param>
    /// <returns>The movement type, or <see langword="null"/> when SAP has no transfer posting for that change.</returns>
    public static string? ForCategoryChange(StockCategory from, StockCategory to) =>
        FindRow(new CanonicalMovementType { Kind = MovementKind.CategoryTransfer, FromCategory = from, ToCategory = to })?.MovementType;

    /// <summary>The movement type of an inventory (count) difference.</summary>
    /// <param name="category">The category counted.</param>
    /// <param name="isIncrease">Whether stock was found rather than lost.</param>
    /// <returns>701/702 unrestricted or restricted-use, 703/704 quality inspection, 707/708 blocked; <see langword="null"/> otherwise.</returns>
    public static string? ForCountDifference(StockCategory category, bool isIncrease) =>
        FindRow(isIncrease
            ? new CanonicalMovementType { Kind = MovementKind.CountDifference, ToCategory = category, IsIncrease = true }
            : new CanonicalMovementType { Kind = MovementKind.CountDifference, FromCategory = category })?.MovementType;

    private static SapMovementTypeRow? FindRow(CanonicalMovementType shape)
    {
        foreach (var row in Rows)
        {
            if (row.Canonical == shape)
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>
    /// The reading of a movement type: among its own-stock rows (special stock only when the type has no other), the
    /// first whose named category is <paramref name="stockCategory"/>, else the first.
    /// </summary>
    private static SapMovementTypeRow? Find(string movementType, StockCategory? stockCategory) =>
        Find(movementType, stockCategory, vendorConsignment: false) ?? Find(movementType, stockCategory, vendorConsignment: true);

    private static SapMovementTypeRow? Find(string movementType, StockCategory? stockCategory, bool vendorConsignment)
    {
        SapMovementTypeRow? first = null;
        foreach (var row in Rows)
        {
            if (!string.Equals(row.MovementType, movementType, StringComparison.Ordinal) || row.Canonical.IsVendorConsignment != vendorConsignment)
            {
                continue;
            }

            first ??= row;
            var entersStock = row.Canonical.Kind is MovementKind.GoodsReceipt or MovementKind.PlantTransferIn || row.Canonical.IsIncrease;
            if (stockCategory is null || (entersStock ? row.Canonical.ToCategory : row.Canonical.FromCategory) == stockCategory)
            {
                return row;
            }
        }

        return first;
    }

    /// <summary>Brings a movement to the table's shape, with the same defaults as the lot machine.</summary>
    private static CanonicalMovementType Normalise(GoodsMovement m)
    {
        var from = m.FromCategory;
        var to = m.ToCategory;
        return m.Kind switch
        {
            MovementKind.GoodsReceipt => new() { Kind = m.Kind, ToCategory = to ?? QI, IsVendorConsignment = m.ToOwnership == StockOwnership.VendorConsignment },
            MovementKind.PlantTransferIn => new() { Kind = m.Kind, FromCategory = from == TF ? TF : T, ToCategory = to ?? U },
            MovementKind.PlantTransferOut => new() { Kind = m.Kind, FromCategory = from ?? U, ToCategory = to ?? T },
            MovementKind.CategoryTransfer => new() { Kind = m.Kind, FromCategory = from, ToCategory = to },
            MovementKind.LocationTransfer => new() { Kind = m.Kind, FromCategory = from ?? to ?? U, ToCategory = from ?? to ?? U },
            MovementKind.CountDifference when m.IsIncrease => new() { Kind = m.Kind, ToCategory = to ?? from ?? U, IsIncrease = true },
            MovementKind.CountDifference => new() { Kind = m.Kind, FromCategory = from ?? to ?? U },
            MovementKind.ConsignmentToOwn => new() { Kind = m.Kind, FromCategory = from ?? U, ToCategory = from ?? U, IsVendorConsignment = true },
            _ => new() { Kind = m.Kind, FromCategory = from ?? U },
        };
    }

    private static Dictionary<string, string> BuildReversals()
    {
        var reversals = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in Rows)
        {
            reversals.TryAdd(row.MovementType, row.ReversalType);
            reversals.TryAdd(row.ReversalType, row.MovementType);
        }

        return reversals;
    }

    private static SapMovementTypeRow Row(MovementKind kind, StockCategory? from, StockCategory? to, string type, string reversal, bool increase = false, bool vendorConsignment = false) =>
        new(new CanonicalMovementType { Kind = kind, FromCategory = from, ToCategory = to, IsIncrease = increase, IsVendorConsignment = vendorConsignment }, type, reversal);
}
