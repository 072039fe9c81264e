using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>
/// One ERP posting that changed a lot's stock, as the ERP passes it to its warehouse system: the net change per stock
/// category and ownership (storage locations left out — where stock lies is the warehouse's own business).
/// </summary>
public sealed record ErpStockPosting
{
    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The lot's material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The lot's site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The lot's unit of measure (every <see cref="ErpStockPostingLine.Change"/> is in it).</summary>
    public required UnitOfMeasure Unit { get; init; }

    /// <summary>The SAP movement type, such as <c>321</c> (quality inspection to unrestricted) or <c>341</c> (batch restricted).</summary>
    public required string MovementType { get; init; }

    /// <summary>The ERP's material document number, or <see langword="null"/> for a batch status change (which posts none here).</summary>
    public string? Document { get; init; }

    /// <summary>What the ERP posted, in words.</summary>
    public required string Description { get; init; }

    /// <summary>The net change per category and ownership; never empty, no zero changes.</summary>
    public required IReadOnlyList<ErpStockPostingLine> Lines { get; init; }

    /// <summary>When the ERP posted it (the simulators' clock).</summary>
    public required DateTimeOffset PostedAt { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{MovementType} {Document} lot {Lot}: {string.Join(", ", Lines)}";
}

/// <summary>The net change of one stock category and ownership in an <see cref="ErpStockPosting"/>.</summary>
public sealed record ErpStockPostingLine
{
    /// <summary>The stock category.</summary>
    public required StockCategory Category { get; init; }

    /// <summary>The ownership.</summary>
    public required StockOwnership Ownership { get; init; }

    /// <summary>The change, in the lot's unit: positive adds stock, negative removes it.</summary>
    public required decimal Change { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Category}/{Ownership} {(Change > 0 ? "+" : string.Empty)}{Change.ToString(global::System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>A posting the WMS could not apply when the ERP→WMS interface delivered it (it is not applied at all).</summary>
public sealed record ErpToWmsRefusal
{
    /// <summary>The posting.</summary>
    public required ErpStockPosting Posting { get; init; }

    /// <summary>Why the WMS refused it (<see cref="ReasonCodes.InsufficientQuantity"/>, <see cref="ReasonCodes.UnitMismatch"/>…).</summary>
    public required ReasonCode Reason { get; init; }

    /// <summary>The WMS's message.</summary>
    public required string Message { get; init; }

    /// <summary>When it was refused.</summary>
    public required DateTimeOffset At { get; init; }
}
