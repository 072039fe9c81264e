namespace ManufacturingOrchestration.Model.ErpMapping;

/// <summary>A canonical movement shape: kind, source and target category, direction of a count difference, ownership change.</summary>
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

/// <summary>One row of the canonical ↔ SAP table.</summary>
public sealed class SapMovementTypeRow
{
    /// <summary>Creates a row.</summary>
    /// <param name="canonical">The canonical movement shape.</param>
    /// <param name="movementType">The forward SAP movement type.</param>
    public SapMovementTypeRow(CanonicalMovementType canonical, string movementType)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        ArgumentException.ThrowIfNullOrWhiteSpace(movementType);
        Canonical = canonical;
        MovementType = movementType;
    }

    /// <summary>The canonical movement shape.</summary>
    public CanonicalMovementType Canonical { get; }

    /// <summary>The SAP movement type of the forward movement.</summary>
    public string MovementType { get; }
}

/// <summary>
/// Maps canonical goods movements to SAP movement types and back, from a lookup table (domain notes §2). The source
/// category decides scrap (551/553/555), samples (333/331/335) and location moves (311/323/325); the category and
/// the sign decide count differences (701/702, 703/704, 707/708). Category transfers use the pairs as SAP does:
/// 321 QI→unrestricted and 322 unrestricted→QI, 343 blocked→unrestricted and 344 unrestricted→blocked, 349
/// blocked→QI and 350 QI→blocked, 341 unrestricted→restricted-use and 342 back. A reversal posts the other type of
/// the forward movement's pair (<see cref="SapMovementTypes"/>).
/// </summary>
public static class SapMovementMapping
{
    private const StockCategory U = StockCategory.Unrestricted;
    private const StockCategory QI = StockCategory.QualityInspection;
    private const StockCategory B = StockCategory.Blocked;
    private const StockCategory RU = StockCategory.RestrictedUse;
    private const StockCategory T = StockCategory.InTransit;

    /// <summary>The canonical → SAP table. Where several rows share a movement type, the first is the default reading of that type.</summary>
    public static IReadOnlyList<SapMovementTypeRow> Rows { get; } =
    [
        Row(MovementKind.GoodsReceipt, null, U, "101"),
        Row(MovementKind.GoodsReceipt, null, QI, "101"),
        Row(MovementKind.GoodsReceipt, null, B, "101"),
        Row(MovementKind.GoodsReceipt, null, U, "101", vendorConsignment: true),
        Row(MovementKind.GoodsReceipt, null, QI, "101", vendorConsignment: true),
        Row(MovementKind.GoodsReceipt, null, B, "101", vendorConsignment: true),
        Row(MovementKind.PlantTransferIn, T, U, "101"),
        Row(MovementKind.PlantTransferIn, T, QI, "101"),
        Row(MovementKind.PlantTransferIn, T, B, "101"),
        Row(MovementKind.PlantTransferOut, U, T, "351"),
        Row(MovementKind.CategoryTransfer, QI, U, "321"),
        Row(MovementKind.CategoryTransfer, QI, RU, "321"),
        Row(MovementKind.CategoryTransfer, U, QI, "322"),
        Row(MovementKind.CategoryTransfer, U, RU, "341"),
        Row(MovementKind.CategoryTransfer, RU, U, "342"),
        Row(MovementKind.CategoryTransfer, B, U, "343"),
        Row(MovementKind.CategoryTransfer, U, B, "344"),
        Row(MovementKind.CategoryTransfer, B, QI, "349"),
        Row(MovementKind.CategoryTransfer, QI, B, "350"),
        Row(MovementKind.LocationTransfer, U, U, "311"),
        Row(MovementKind.LocationTransfer, RU, RU, "311"),
        Row(MovementKind.LocationTransfer, QI, QI, "323"),
        Row(MovementKind.LocationTransfer, B, B, "325"),
        Row(MovementKind.Consumption, U, null, "261"),
        Row(MovementKind.GoodsIssue, U, null, "201"),
        Row(MovementKind.ReturnToSupplier, U, null, "122"),
        Row(MovementKind.Sample, U, null, "333"),
        Row(MovementKind.Sample, RU, null, "333"),
        Row(MovementKind.Sample, QI, null, "331"),
        Row(MovementKind.Sample, B, null, "335"),
        Row(MovementKind.Scrap, U, null, "551"),
        Row(MovementKind.Scrap, RU, null, "551"),
        Row(MovementKind.Scrap, QI, null, "553"),
        Row(MovementKind.Scrap, B, null, "555"),
        Row(MovementKind.CountDifference, null, U, "701", increase: true),
        Row(MovementKind.CountDifference, null, RU, "701", increase: true),
        Row(MovementKind.CountDifference, null, QI, "703", increase: true),
        Row(MovementKind.CountDifference, null, B, "707", increase: true),
        Row(MovementKind.CountDifference, U, null, "702"),
        Row(MovementKind.CountDifference, RU, null, "702"),
        Row(MovementKind.CountDifference, QI, null, "704"),
        Row(MovementKind.CountDifference, B, null, "708"),
        Row(MovementKind.ConsignmentToOwn, U, U, "411", vendorConsignment: true),
    ];

    /// <summary>Maps a canonical movement (forward or reversal) to its SAP posting.</summary>
    /// <param name="movement">The movement; a reversal has <see cref="GoodsMovement.ReversalOf"/> set and the original's shape.</param>
    /// <param name="posting">The posting, when the table has the movement's shape.</param>
    /// <returns><see langword="true"/> when mapped.</returns>
    public static bool TryGetPosting(GoodsMovement movement, out SapPosting posting)
    {
        ArgumentNullException.ThrowIfNull(movement);
        var shape = Normalise(movement);
        foreach (var row in Rows)
        {
            if (row.Canonical == shape)
            {
                var isReversal = movement.ReversalOf is not null;
                var type = row.MovementType;
                if (isReversal && !SapMovementTypes.TryGetReversal(type, out type))
                {
                    break;
                }

                posting = new SapPosting(type, shape.IsVendorConsignment ? "K" : null, isReversal);
                return true;
            }
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

        if (SapMovementTypes.TryGetPair(movementType, out var pair) && pair.Reversal == movementType && Find(pair.Forward, stockCategory) is { } forward)
        {
            (canonical, isReversal) = (forward.Canonical, true);
            return true;
        }

        (canonical, isReversal) = (null!, false);
        return false;
    }

    private static SapMovementTypeRow? Find(string movementType, StockCategory? stockCategory)
    {
        SapMovementTypeRow? first = null;
        foreach (var row in Rows)
        {
            if (row.MovementType != movementType || row.Canonical.IsVendorConsignment)
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
            MovementKind.PlantTransferIn => new() { Kind = m.Kind, FromCategory = T, ToCategory = to ?? U },
            MovementKind.PlantTransferOut => new() { Kind = m.Kind, FromCategory = from ?? U, ToCategory = T },
            MovementKind.CategoryTransfer => new() { Kind = m.Kind, FromCategory = from, ToCategory = to },
            MovementKind.LocationTransfer => new() { Kind = m.Kind, FromCategory = from ?? to ?? U, ToCategory = from ?? to ?? U },
            MovementKind.CountDifference when m.IsIncrease => new() { Kind = m.Kind, ToCategory = to ?? from ?? U, IsIncrease = true },
            MovementKind.CountDifference => new() { Kind = m.Kind, FromCategory = from ?? to ?? U },
            MovementKind.ConsignmentToOwn => new() { Kind = m.Kind, FromCategory = from ?? U, ToCategory = from ?? U, IsVendorConsignment = true },
            _ => new() { Kind = m.Kind, FromCategory = from ?? U },
        };
    }

    private static SapMovementTypeRow Row(MovementKind kind, StockCategory? from, StockCategory? to, string type, bool increase = false, bool vendorConsignment = false) =>
        new(new CanonicalMovementType { Kind = kind, FromCategory = from, ToCategory = to, IsIncrease = increase, IsVendorConsignment = vendorConsignment }, type);
}
