using System.Globalization;
using System.Text;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>Quarantine a lot: move its quantity from quality-inspection (or unrestricted) stock to blocked stock (SAP 350 from QI, 344 from unrestricted).</summary>
public sealed class QuarantineLot : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.QuarantineLot;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The category the quantity leaves; quality inspection unless the lot was already unrestricted.</summary>
    public StockCategory FromCategory { get; init; } = StockCategory.QualityInspection;

    /// <summary>The quantity to block; the whole quantity in <see cref="FromCategory"/> when absent.</summary>
    public Quantity? Quantity { get; init; }

    /// <summary>The hold reason recorded on the lot.</summary>
    public string? HoldReason { get; init; }

    /// <inheritdoc />
    public override string Describe() => DecisionTexts.Describe(this);

    internal override void AppendDescription(StringBuilder builder) =>
        DecisionText.AppendQuantity(builder.Append("Quarantine lot ").Append(Lot.Value).Append(" at ").Append(Site.Value).Append($" ({FromCategory} → Blocked"), Quantity).Append(')');

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is QuarantineLot o && Lot == o.Lot && Site == o.Site;
}

/// <summary>
/// Create a warehouse task to move a lot physically to the site's hold location: the decided quantity, taken from one
/// stock category, arriving blocked. The rest of the lot stays where it is.
/// </summary>
public sealed class MoveStockToHold : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.MoveStockToHold;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The hold bin; the warehouse's default hold location when absent.</summary>
    public BinId? HoldLocation { get; init; }

    /// <summary>The quantity to move; all of the lot's stock in <see cref="FromCategory"/> when absent.</summary>
    public Quantity? Quantity { get; init; }

    /// <summary>
    /// The stock category the moved stock is in when the warehouse moves it. Blocked by default: the quarantine decided
    /// alongside is posted in the ERP first and the warehouse follows it, so the hold move is a bin move of blocked stock.
    /// </summary>
    public StockCategory FromCategory { get; init; } = StockCategory.Blocked;

    /// <inheritdoc />
    public override string Describe() => DecisionTexts.Describe(this);

    internal override void AppendDescription(StringBuilder builder)
    {
        builder.Append("Move lot ").Append(Lot.Value).Append(" to hold location ").Append(HoldLocation?.Value ?? "(default)").Append(" at ").Append(Site.Value);
        if (Quantity is { } q)
        {
            DecisionText.AppendQuantity(builder.Append($" ({FromCategory}"), q).Append(')');
        }
    }

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is MoveStockToHold o && Lot == o.Lot && Site == o.Site;
}

/// <summary>Release a lot from quality inspection: to unrestricted stock, or to restricted-use stock for a restricted batch (SAP 321). Regulated sites: always gated by a human approval.</summary>
public sealed class ReleaseLot : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.ReleaseLot;

    /// <inheritdoc />
    public override GovernedAction Governance => GovernedAction.Release;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>Unrestricted, or restricted-use for a restricted batch.</summary>
    public StockCategory TargetCategory { get; init; } = StockCategory.Unrestricted;

    /// <summary>The quantity released; the whole quality-inspection quantity when absent.</summary>
    public Quantity? Quantity { get; init; }

    /// <summary>
    /// Who the event names as releasing (a finished-goods <c>ReleasedBy</c>); <see langword="null"/> when the rules
    /// release on a result (a passed inspection). Checked by the policy constraints as the <see cref="Claimant"/>.
    /// </summary>
    public ActorId? ReleasedBy { get; init; }

    /// <inheritdoc />
    public override ActorId? Claimant => ReleasedBy;

    /// <inheritdoc />
    public override string Describe() => DecisionTexts.Describe(this);

    internal override void AppendDescription(StringBuilder builder)
    {
        DecisionText.AppendQuantity(builder.Append("Release lot ").Append(Lot.Value).Append(" at ").Append(Site.Value).Append($" (QualityInspection → {TargetCategory}"), Quantity);
        if (ReleasedBy is { } by)
        {
            builder.Append(", released by ").Append(by.Value);
        }

        builder.Append(')');
    }

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is ReleaseLot o && Lot == o.Lot && Site == o.Site && TargetCategory == o.TargetCategory;
}

/// <summary>
/// Correct the ERP's stock category of a quantity to match the orchestrator's authoritative quality state (stock drift).
/// A correction towards a less restrictive category (<see cref="StockCategoryRestrictions.IsRelease"/>) makes stock usable
/// and is governed as a release; its <see cref="Claimant"/> is the system that proposes it, never a person, so the
/// policy constraints always gate it behind an approval. A correction towards a more restrictive category is not governed.
/// </summary>
public sealed class CorrectStockCategory : Decision
{
    /// <summary>The actor named as proposing drift corrections: a system, which never holds a release authority.</summary>
    public static readonly ActorId Reconciliation = new("system:stock-drift-correction");

    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.CorrectStockCategory;

    /// <inheritdoc />
    public override GovernedAction Governance => StockCategoryRestrictions.IsRelease(FromCategory, ToCategory) ? GovernedAction.Release : GovernedAction.None;

    /// <inheritdoc />
    public override ActorId? Claimant => Reconciliation;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The quantity moved.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The category the ERP holds the quantity in.</summary>
    public required StockCategory FromCategory { get; init; }

    /// <summary>The category the orchestrator holds it in.</summary>
    public required StockCategory ToCategory { get; init; }

    /// <summary>The ownership of the quantity (unchanged by the correction).</summary>
    public StockOwnership Ownership { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Correct {Quantity} {Ownership} of lot {Lot} at {Site} in the ERP ({FromCategory} → {ToCategory})";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) =>
        other is CorrectStockCategory o && Lot == o.Lot && Site == o.Site && FromCategory == o.FromCategory && ToCategory == o.ToCategory && Ownership == o.Ownership;
}

/// <summary>Pause picks of a material (or lot) at a location while a count variance is open.</summary>
public sealed class PausePicks : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.PausePicks;

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The lot, for batch-managed material.</summary>
    public LotId? Lot { get; init; }

    /// <summary>The storage location.</summary>
    public StorageLocationId? Location { get; init; }

    /// <summary>The bin.</summary>
    public BinId? Bin { get; init; }

    /// <summary>The count that caused the pause.</summary>
    public required CycleCountId CycleCount { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Pause picks of {Material}{DecisionText.Lot(Lot)} at {Site} until count {CycleCount} is settled";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is PausePicks o && Material == o.Material && Site == o.Site && Lot == o.Lot && CycleCount == o.CycleCount;
}

/// <summary>Post a count difference to the ERP (SAP 701–708 by category and sign).</summary>
public sealed class PostCountAdjustment : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.PostCountAdjustment;

    /// <summary>The count document.</summary>
    public required CycleCountId CycleCount { get; init; }

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The lot.</summary>
    public LotId? Lot { get; init; }

    /// <summary>The stock category counted.</summary>
    public StockCategory Category { get; init; } = StockCategory.Unrestricted;

    /// <summary>The signed variance (counted − book).</summary>
    public required decimal Variance { get; init; }

    /// <summary>The unit of the variance.</summary>
    public required UnitOfMeasure Unit { get; init; }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Post count adjustment {Variance:+0.###;-0.###;0} {Unit} for {Material}{DecisionText.Lot(Lot)} at {Site} (count {CycleCount})");

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is PostCountAdjustment o && CycleCount == o.CycleCount;
}

/// <summary>Update available-to-promise for a material after stock became available.</summary>
public sealed class UpdateAtp : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.UpdateAtp;

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The lot that changed availability.</summary>
    public LotId? Lot { get; init; }

    /// <summary>The quantity that became available; the whole lot when absent.</summary>
    public Quantity? Quantity { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Update ATP of {Material} at {Site}{DecisionText.Lot(Lot)}{DecisionText.Quantity(Quantity)}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is UpdateAtp o && Material == o.Material && Site == o.Site && Lot == o.Lot;
}

/// <summary>Release the shipment hold on a lot so deliveries can be picked.</summary>
public sealed class ReleaseShipmentHold : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.ReleaseShipmentHold;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Release shipment hold on lot {Lot} at {Site}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is ReleaseShipmentHold o && Lot == o.Lot && Site == o.Site;
}

/// <summary>Ask planning to review the replenishment plan of a material.</summary>
public sealed class ReviewReplenishment : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.ReviewReplenishment;

    /// <summary>The material.</summary>
    public required MaterialId Material { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>Why, for the planner.</summary>
    public required string Reason { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Review replenishment of {Material} at {Site}: {Reason}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is ReviewReplenishment o && Material == o.Material && Site == o.Site;
}
