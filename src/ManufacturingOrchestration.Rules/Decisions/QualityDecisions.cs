using System.Globalization;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Rules;

/// <summary>MRB disposition use-as-is (concession): accept the nonconforming quantity with a documented justification and an identified authorizer. Regulated sites: always gated by a human approval.</summary>
public sealed class UseLotAsIs : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.UseLotAsIs;

    /// <inheritdoc />
    public override GovernedAction Governance => GovernedAction.Deviation;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The nonconformance.</summary>
    public required NonconformanceId Nonconformance { get; init; }

    /// <summary>The quantity accepted.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The documented justification.</summary>
    public required string Justification { get; init; }

    /// <summary>Who authorized it (as the MRB event says: checked by the policy constraints as the <see cref="Claimant"/>).</summary>
    public required ActorId Authorizer { get; init; }

    /// <inheritdoc />
    public override ActorId? Claimant => Authorizer;

    /// <inheritdoc />
    public override string Describe() => $"Use {Quantity} of lot {Lot} as is (NCR {Nonconformance}, authorized by {Authorizer})";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is UseLotAsIs o && Lot == o.Lot && Nonconformance == o.Nonconformance;
}

/// <summary>MRB disposition rework (or repair): rework the quantity, then re-inspect it before any release.</summary>
public sealed class ReworkLot : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.ReworkLot;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The nonconformance.</summary>
    public required NonconformanceId Nonconformance { get; init; }

    /// <summary>The quantity to rework.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>Whether this is a repair (usable, but not to original specification).</summary>
    public bool IsRepair { get; init; }

    /// <summary>Always true: reworked product is re-verified before release (21 CFR 820.90(b)(2)).</summary>
    public bool RequiresReinspection { get; init; } = true;

    /// <inheritdoc />
    public override string Describe() => $"{(IsRepair ? "Repair" : "Rework")} {Quantity} of lot {Lot}, then re-inspect (NCR {Nonconformance})";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is ReworkLot o && Lot == o.Lot && Nonconformance == o.Nonconformance && IsRepair == o.IsRepair;
}

/// <summary>Scrap a quantity of a lot (SAP 551/553/555 by source category). Regulated sites: always gated by a human approval.</summary>
public sealed class ScrapLot : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.ScrapLot;

    /// <inheritdoc />
    public override GovernedAction Governance => GovernedAction.Scrap;

    /// <summary>The lot.</summary>
    public required LotId Lot { get; init; }

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The quantity to scrap.</summary>
    public required Quantity Quantity { get; init; }

    /// <summary>The category scrapped from.</summary>
    public StockCategory FromCategory { get; init; } = StockCategory.Blocked;

    /// <summary>The nonconformance, for an MRB scrap.</summary>
    public NonconformanceId? Nonconformance { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Scrap {Quantity} of lot {Lot} from {FromCategory} at {Site}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is ScrapLot o && Lot == o.Lot && FromCategory == o.FromCategory;
}

/// <summary>Open a root-cause analysis (investigation) for a controlled material or a quality problem.</summary>
public sealed class OpenRootCauseAnalysis : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.OpenRootCauseAnalysis;

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The material.</summary>
    public MaterialId? Material { get; init; }

    /// <summary>The lot.</summary>
    public LotId? Lot { get; init; }

    /// <summary>What is investigated, such as the count document.</summary>
    public required string Subject { get; init; }

    /// <summary>Why, for the investigator.</summary>
    public required string Reason { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Open root-cause analysis of {Subject} at {Site}: {Reason}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is OpenRootCauseAnalysis o && Site == o.Site && Subject == o.Subject;
}

/// <summary>Alert quality engineering.</summary>
public sealed class AlertQuality : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.AlertQuality;

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The line or work centre.</summary>
    public string? Line { get; init; }

    /// <summary>The material.</summary>
    public MaterialId? Material { get; init; }

    /// <summary>The alert.</summary>
    public required string Message { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Alert quality at {Site}{(Line is null ? string.Empty : $" line {Line}")}: {Message}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is AlertQuality o && Site == o.Site && Line == o.Line;
}

/// <summary>Alert maintenance about a line.</summary>
public sealed class AlertMaintenance : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.AlertMaintenance;

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The line or work centre.</summary>
    public required string Line { get; init; }

    /// <summary>The alert.</summary>
    public required string Message { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"Alert maintenance at {Site} line {Line}: {Message}";

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is AlertMaintenance o && Site == o.Site && Line == o.Line;
}

/// <summary>Update the yield metrics of a line.</summary>
public sealed class UpdateYieldMetrics : Decision
{
    /// <inheritdoc />
    public override DecisionKind Kind => DecisionKind.UpdateYieldMetrics;

    /// <summary>The site.</summary>
    public required SiteId Site { get; init; }

    /// <summary>The line or work centre.</summary>
    public required string Line { get; init; }

    /// <summary>The material.</summary>
    public MaterialId? Material { get; init; }

    /// <summary>The yield over the window (good ÷ produced, 0–1).</summary>
    public required decimal Yield { get; init; }

    /// <summary>The scrap rate over the window (0–1).</summary>
    public required decimal ScrapRate { get; init; }

    /// <summary>The start of the window.</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>The end of the window.</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Update yield metrics of {Site} line {Line}: yield {Yield:P2}, scrap {ScrapRate:P2}");

    /// <inheritdoc />
    public override bool IsSameActionAs(Decision other) => other is UpdateYieldMetrics o && Site == o.Site && Line == o.Line;
}
