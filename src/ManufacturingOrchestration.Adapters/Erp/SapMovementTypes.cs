using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The SAP movement type of a canonical goods movement or category change, for connectors that post to SAP
/// (and for readable logs). Secondary-sourced directions (343/344/349/350) follow the usual SAP configuration;
/// 323/325 are location moves within quality-inspection/blocked stock, not category changes.
/// </summary>
public static class SapMovementTypes
{
    /// <summary>The movement type of a stock-category change.</summary>
    /// <param name="from">The source category.</param>
    /// <param name="to">The target category.</param>
    /// <returns>The movement type, or <see langword="null"/> when SAP has no transfer posting for that change.</returns>
    public static string? ForCategoryChange(StockCategory from, StockCategory to) => (from, to) switch
    {
        (StockCategory.QualityInspection, StockCategory.Unrestricted) => "321",
        (StockCategory.QualityInspection, StockCategory.RestrictedUse) => "321",
        (StockCategory.Unrestricted, StockCategory.QualityInspection) => "322",
        (StockCategory.Unrestricted, StockCategory.RestrictedUse) => "341",
        (StockCategory.RestrictedUse, StockCategory.Unrestricted) => "342",
        (StockCategory.Blocked, StockCategory.Unrestricted) => "343",
        (StockCategory.Unrestricted, StockCategory.Blocked) => "344",
        (StockCategory.Blocked, StockCategory.QualityInspection) => "349",
        (StockCategory.QualityInspection, StockCategory.Blocked) => "350",
        _ => null,
    };

    /// <summary>The movement type of a canonical goods movement.</summary>
    /// <param name="movement">The movement.</param>
    /// <returns>The movement type, or <see langword="null"/> when the movement has no SAP equivalent as given.</returns>
    public static string? For(GoodsMovement movement)
    {
        ArgumentNullException.ThrowIfNull(movement);
        var from = movement.FromCategory ?? StockCategory.Unrestricted;
        return movement.Kind switch
        {
            MovementKind.GoodsReceipt => "101",
            MovementKind.CategoryTransfer => movement.FromCategory is { } f && movement.ToCategory is { } t ? ForCategoryChange(f, t) : null,
            MovementKind.LocationTransfer => from switch
            {
                StockCategory.Unrestricted => "311",
                StockCategory.QualityInspection => "323",
                StockCategory.Blocked => "325",
                _ => null,
            },
            MovementKind.PlantTransferOut => "351",
            MovementKind.PlantTransferIn => "101",
            MovementKind.Consumption => "261",
            MovementKind.GoodsIssue => "201",
            MovementKind.Scrap => from switch
            {
                StockCategory.Unrestricted => "551",
                StockCategory.QualityInspection => "553",
                StockCategory.Blocked => "555",
                _ => null,
            },
            MovementKind.Sample => from switch
            {
                StockCategory.Unrestricted => "333",
                StockCategory.QualityInspection => "331",
                StockCategory.Blocked => "335",
                _ => null,
            },
            MovementKind.CountDifference => ForCountDifference(from, movement.IsIncrease),
            MovementKind.ConsignmentToOwn => "411",
            MovementKind.ReturnToSupplier => "122",
            _ => null,
        };
    }

    /// <summary>The movement type of an inventory (count) difference.</summary>
    /// <param name="category">The category counted.</param>
    /// <param name="isIncrease">Whether stock was found rather than lost.</param>
    /// <returns>701/702 unrestricted, 703/704 quality inspection, 707/708 blocked; <see langword="null"/> otherwise.</returns>
    public static string? ForCountDifference(StockCategory category, bool isIncrease) => category switch
    {
        StockCategory.Unrestricted => isIncrease ? "701" : "702",
        StockCategory.QualityInspection => isIncrease ? "703" : "704",
        StockCategory.Blocked => isIncrease ? "707" : "708",
        _ => null,
    };

    /// <summary>
    /// The reversal movement type, from the pair table in <see cref="Model.ErpMapping.SapMovementTypes"/> (102 for 101,
    /// 552 for 551): SAP's "+1" rule holds for the forward types listed there, never as arithmetic on any code.
    /// </summary>
    /// <param name="movementType">The movement type reversed.</param>
    /// <returns>The reversal movement type.</returns>
    /// <exception cref="ArgumentException">The movement type has no reversal in the pair table.</exception>
    public static string ReversalOf(string movementType)
    {
        ArgumentNullException.ThrowIfNull(movementType);
        return Model.ErpMapping.SapMovementTypes.TryGetReversal(movementType, out var reversal)
            ? reversal
            : throw new ArgumentException($"'{movementType}' has no reversal in the SAP movement-type pair table.", nameof(movementType));
    }
}
