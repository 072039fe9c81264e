using System.Globalization;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using NRules.Fluent.Dsl;
using NRules.RuleModel;

namespace ManufacturingOrchestration.Rules.Standard;

/// <summary>Scrap spike: the line's scrap rate over the window is above the spike factor times its baseline.</summary>
[Name(RuleName)]
[Description("A scrap rate above the spike factor times the baseline scrap rate alerts quality and maintenance and asks planning to review replenishment.")]
[Tag(StandardRuleSets.ScrapSpike)]
public sealed class ScrapSpikeRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.scrap.spike";

    /// <inheritdoc />
    public override void Define()
    {
        ScrapReported scrap = default!;
        ScrapWindow window = default!;

        When()
            .Match(() => scrap)
            .Match(() => window, w => w.Site == scrap.Site && w.Line == scrap.Line, w => w.IsSpike);
        Then()
            .Do(ctx => Act(ctx, scrap, window));
    }

    private static void Act(IContext context, ScrapReported scrap, ScrapWindow window)
    {
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"Scrap rate {window.ScrapRate:P1} on line {window.Line} from {window.WindowStart:u} to {window.WindowEnd:u} against a baseline of {window.BaselineScrapRate:P1}.");
        context.Decide(new AlertQuality { Site = scrap.Site, Line = scrap.Line, Material = scrap.Material, Message = message, Priority = DecisionPriority.High });
        context.Decide(new AlertMaintenance { Site = scrap.Site, Line = scrap.Line, Message = message, Priority = DecisionPriority.High });
        context.Decide(new ReviewReplenishment { Material = scrap.Material, Site = scrap.Site, Reason = message });
    }
}

/// <summary>Scrap reported: update the line's yield metrics.</summary>
[Name(RuleName)]
[Description("Every scrap report with a window updates the line's yield metrics.")]
[Tag(StandardRuleSets.ScrapSpike)]
public sealed class ScrapYieldMetricsRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.scrap.yield-metrics";

    /// <inheritdoc />
    public override void Define()
    {
        ScrapReported scrap = default!;
        ScrapWindow window = default!;

        When()
            .Match(() => scrap)
            .Match(() => window, w => w.Site == scrap.Site && w.Line == scrap.Line);
        Then()
            .Do(ctx => ctx.Decide(new UpdateYieldMetrics
            {
                Site = scrap.Site,
                Line = scrap.Line,
                Material = scrap.Material,
                Yield = window.Yield,
                ScrapRate = window.ScrapRate,
                WindowStart = window.WindowStart,
                WindowEnd = window.WindowEnd,
            }));
    }
}

/// <summary>Production confirmed: confirm the quantity in the ERP.</summary>
[Name(RuleName)]
[Description("Every production confirmation is posted to the ERP.")]
[Tag(StandardRuleSets.ProductionCompletion)]
public sealed class ProductionConfirmedRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.production.confirm";

    /// <inheritdoc />
    public override void Define()
    {
        ProductionConfirmed confirmed = default!;

        When()
            .Match(() => confirmed);
        Then()
            .Do(ctx => ctx.Decide(new ConfirmProduction
            {
                Order = confirmed.Order,
                Material = confirmed.Material,
                Site = confirmed.Site,
                Yield = confirmed.Yield,
                Scrap = confirmed.Scrap,
                IsFinal = confirmed.IsFinal,
                ProducedLot = confirmed.ProducedLot,
            }));
    }
}

/// <summary>Partial confirmation: keep the order's reservations for the remaining quantity.</summary>
[Name(RuleName)]
[Description("After a partial confirmation the remaining quantity keeps its reservations.")]
[Tag(StandardRuleSets.ProductionCompletion)]
public sealed class ProductionPartialRemainderRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.production.partial-remainder";

    /// <inheritdoc />
    public override void Define()
    {
        ProductionConfirmed confirmed = default!;
        ProductionOrder order = default!;

        When()
            .Match(() => confirmed, c => !c.IsFinal)
            .Match(() => order, o => o.Id == confirmed.Order);
        Then()
            .Do(ctx => ctx.Decide(new HandleOrderRemainder
            {
                Order = confirmed.Order,
                Site = confirmed.Site,
                RemainingQuantity = ProductionRules.Remaining(order, confirmed),
            }));
    }
}

/// <summary>Final confirmation: release the remaining reservations and technically complete the order.</summary>
[Name(RuleName)]
[Description("After the final confirmation the remaining reservations are released and the order is technically completed.")]
[Tag(StandardRuleSets.ProductionCompletion)]
public sealed class ProductionFinalRemainderRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.production.final-remainder";

    /// <inheritdoc />
    public override void Define()
    {
        ProductionConfirmed confirmed = default!;
        ProductionOrder order = default!;

        When()
            .Match(() => confirmed, c => c.IsFinal)
            .Match(() => order, o => o.Id == confirmed.Order);
        Then()
            .Do(ctx => ctx.Decide(new HandleOrderRemainder
            {
                Order = confirmed.Order,
                Site = confirmed.Site,
                RemainingQuantity = ProductionRules.Remaining(order, confirmed),
                ReleaseReservations = true,
                TechnicallyComplete = true,
                ReservationsToRelease = order.Allocations,
            }));
    }
}

/// <summary>MRB use-as-is: accept with justification and authorizer; aerospace needs the design authority; otherwise escalate.</summary>
[Name(RuleName)]
[Description("Use-as-is needs a documented justification and an identified authorizer (21 CFR 820.90(b)(1)); in aerospace also the design authority.")]
[Tag(StandardRuleSets.MrbDisposition)]
public sealed class MrbUseAsIsRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.mrb.use-as-is";

    /// <inheritdoc />
    public override void Define()
    {
        MrbDispositionDecided decided = default!;
        SiteProfile site = default!;

        When()
            .Match(() => decided, d => MrbRules.Has(d, MrbDisposition.UseAsIs))
            .Match(() => site, s => s.Id == decided.Site)
            .Not<LotCustomerRequirements>(c => c.ForbidsUseAsIs, c => MrbRules.HasUseAsIsOn(decided, c.Lot));
        Then()
            .Do(ctx => Act(ctx, decided, site, null));
    }

    /// <summary>Decides the use-as-is lines; a line on <paramref name="refused"/>'s lot is refused for its customers.</summary>
    internal static void Act(IContext context, MrbDispositionDecided decided, SiteProfile site, LotCustomerRequirements? refused)
    {
        foreach (var line in decided.Lines)
        {
            if (line.Disposition != MrbDisposition.UseAsIs)
            {
                continue;
            }

            if (refused is not null && line.Lot == refused.Lot)
            {
                context.Decide(new Escalate
                {
                    Role = Role.MrbMember,
                    Site = decided.Site,
                    Subject = $"NCR {decided.Nonconformance} lot {line.Lot}",
                    ReasonCode = ReasonCodes.CustomerConcessionForbidden,
                    Message = $"Use-as-is refused: the lot is allocated to {string.Join(", ", refused.CustomersForbiddingUseAsIs)}, which accept no concessions; disposition it otherwise or reallocate it.",
                    Priority = DecisionPriority.High,
                });
                continue;
            }

            if (string.IsNullOrWhiteSpace(line.Justification) || line.Authorizer is not { } authorizer)
            {
                var missing = string.IsNullOrWhiteSpace(line.Justification) ? ReasonCodes.JustificationRequired : ReasonCodes.AuthorizerRequired;
                context.Decide(new Escalate
                {
                    Role = Role.MrbMember,
                    Site = decided.Site,
                    Subject = $"NCR {decided.Nonconformance} lot {line.Lot}",
                    ReasonCode = missing,
                    Message = missing.Description,
                    Priority = DecisionPriority.High,
                });
                continue;
            }

            var useAsIs = new UseLotAsIs
            {
                Lot = line.Lot,
                Site = decided.Site,
                Nonconformance = decided.Nonconformance,
                Quantity = line.Quantity,
                Justification = line.Justification,
                Authorizer = authorizer,
            };
            context.Decide(site.Industry == IndustryProfile.Aerospace ? MrbRules.DesignAuthority(useAsIs, decided.Site) : useAsIs);
        }
    }
}

/// <summary>MRB rework or repair: rework, then re-inspect before release; aerospace repairs need the design authority.</summary>
[Name(RuleName)]
[Description("Reworked product is re-verified before release (21 CFR 820.90(b)(2)); an aerospace repair needs the design authority.")]
[Tag(StandardRuleSets.MrbDisposition)]
public sealed class MrbReworkRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.mrb.rework";

    /// <inheritdoc />
    public override void Define()
    {
        MrbDispositionDecided decided = default!;
        SiteProfile site = default!;

        When()
            .Match(() => decided, d => MrbRules.Has(d, MrbDisposition.Rework) || MrbRules.Has(d, MrbDisposition.Repair))
            .Match(() => site, s => s.Id == decided.Site);
        Then()
            .Do(ctx => Act(ctx, decided, site));
    }

    private static void Act(IContext context, MrbDispositionDecided decided, SiteProfile site)
    {
        foreach (var line in decided.Lines)
        {
            if (line.Disposition is not (MrbDisposition.Rework or MrbDisposition.Repair))
            {
                continue;
            }

            var isRepair = line.Disposition == MrbDisposition.Repair;
            var rework = new ReworkLot { Lot = line.Lot, Site = decided.Site, Nonconformance = decided.Nonconformance, Quantity = line.Quantity, IsRepair = isRepair };
            context.Decide(isRepair && site.Industry == IndustryProfile.Aerospace ? MrbRules.DesignAuthority(rework, decided.Site) : rework);
        }
    }
}

/// <summary>MRB return to supplier.</summary>
[Name(RuleName)]
[Description("A return-to-supplier disposition returns the quantity to the lot's supplier.")]
[Tag(StandardRuleSets.MrbDisposition)]
public sealed class MrbReturnToSupplierRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.mrb.return-to-supplier";

    /// <inheritdoc />
    public override void Define()
    {
        MrbDispositionDecided decided = default!;

        When()
            .Match(() => decided, d => MrbRules.Has(d, MrbDisposition.ReturnToSupplier));
        Then()
            .Do(ctx => Act(ctx, decided));
    }

    private static void Act(IContext context, MrbDispositionDecided decided)
    {
        foreach (var line in decided.Lines)
        {
            if (line.Disposition == MrbDisposition.ReturnToSupplier)
            {
                context.Decide(new ReturnToSupplier { Lot = line.Lot, Site = decided.Site, Nonconformance = decided.Nonconformance, Quantity = line.Quantity });
            }
        }
    }
}

/// <summary>MRB scrap: scrap the quantity from blocked stock.</summary>
[Name(RuleName)]
[Description("A scrap disposition scraps the quantity from blocked stock (SAP 555).")]
[Tag(StandardRuleSets.MrbDisposition)]
public sealed class MrbScrapRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.mrb.scrap";

    /// <inheritdoc />
    public override void Define()
    {
        MrbDispositionDecided decided = default!;

        When()
            .Match(() => decided, d => MrbRules.Has(d, MrbDisposition.Scrap));
        Then()
            .Do(ctx => Act(ctx, decided));
    }

    private static void Act(IContext context, MrbDispositionDecided decided)
    {
        foreach (var line in decided.Lines)
        {
            if (line.Disposition == MrbDisposition.Scrap)
            {
                context.Decide(new ScrapLot { Lot = line.Lot, Site = decided.Site, Quantity = line.Quantity, FromCategory = StockCategory.Blocked, Nonconformance = decided.Nonconformance });
            }
        }
    }
}

/// <summary>A high-confidence supplier-escalation recommendation on a failed lot: open the supplier case with high priority.</summary>
[Name(RuleName)]
[Description("A supplier-escalation recommendation with confidence of 0.8 or more opens (or raises the priority of) the supplier case.")]
[Tag(StandardRuleSets.Recommendations)]
public sealed class RecommendedSupplierEscalationRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.recommendation.supplier-escalation";

    /// <summary>The confidence from which the recommendation is acted on.</summary>
    public const double MinimumConfidence = 0.8;

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        MaterialLot lot = default!;
        Recommendation recommendation = default!;

        When()
            .Match(() => failed)
            .Match(() => lot, l => l.Id == failed.Lot)
            .Match(() => recommendation, r => r.Kind == RecommendationKind.SupplierEscalationRisk, r => r.Lot == failed.Lot, r => r.Confidence >= (decimal)MinimumConfidence);
        Then()
            .Do(ctx => Act(ctx, failed, lot));
    }

    private static void Act(IContext context, InspectionFailed failed, MaterialLot lot)
    {
        if ((failed.Supplier ?? lot.Supplier) is { } supplier)
        {
            context.Decide(InspectionDecisions.SupplierCase(failed, supplier, DecisionPriority.Urgent));
        }
    }
}

/// <summary>A disposition suggestion on a failed lot: put the suggested disposition to the MRB for approval (never carry it out directly).</summary>
[Name(RuleName)]
[Description("A suggested disposition becomes a request for MRB approval of that disposition.")]
[Tag(StandardRuleSets.Recommendations)]
public sealed class RecommendedDispositionRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.recommendation.disposition";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        Recommendation recommendation = default!;

        When()
            .Match(() => failed)
            .Match(() => recommendation, r => r.Kind == RecommendationKind.DispositionSuggestion, r => r.Lot == failed.Lot, r => r.SuggestedDisposition != null);
        Then()
            .Do(ctx => Act(ctx, failed, recommendation));
    }

    private static void Act(IContext context, InspectionFailed failed, Recommendation recommendation)
    {
        var quantity = failed.RejectedQuantity;
        Decision? suggested = recommendation.SuggestedDisposition switch
        {
            MrbDisposition.Scrap when quantity is { } q => new ScrapLot { Lot = failed.Lot, Site = failed.Site, Quantity = q, FromCategory = StockCategory.Blocked },
            MrbDisposition.ReturnToSupplier when quantity is { } q => new ReturnToSupplier
            {
                Lot = failed.Lot, Site = failed.Site, Quantity = q, Supplier = failed.Supplier, Nonconformance = new NonconformanceId("suggested-" + failed.InspectionLot.Value),
            },
            _ => null,
        };
        if (suggested is null)
        {
            context.Decide(new Escalate
            {
                Role = Role.MrbMember,
                Site = failed.Site,
                Subject = "lot " + failed.Lot.Value,
                Message = string.Create(CultureInfo.InvariantCulture, $"{recommendation.Model}@{recommendation.ModelVersion} suggests {recommendation.SuggestedDisposition} ({recommendation.Confidence:0.00}): {recommendation.Explanation}"),
            });
            return;
        }

        context.Decide(new RequireApproval
        {
            Role = Role.MrbMember,
            Site = failed.Site,
            Reason = ReasonCodes.RecommendationNotAuthoritative,
            Note = string.Create(CultureInfo.InvariantCulture, $"Suggested by {recommendation.Model}@{recommendation.ModelVersion} with confidence {recommendation.Confidence:0.00}: {recommendation.Explanation}"),
            Gated = suggested,
        });
    }
}

internal static class ProductionRules
{
    public static decimal Remaining(ProductionOrder order, ProductionConfirmed confirmed) =>
        Math.Max(0, order.PlannedQuantity.Value - order.ConfirmedQuantity - confirmed.Yield.Value);
}

internal static class MrbRules
{
    public static bool Has(MrbDispositionDecided decided, MrbDisposition disposition)
    {
        foreach (var line in decided.Lines)
        {
            if (line.Disposition == disposition)
            {
                return true;
            }
        }

        return false;
    }

    public static bool HasUseAsIsOn(MrbDispositionDecided decided, LotId lot)
    {
        foreach (var line in decided.Lines)
        {
            if (line.Disposition == MrbDisposition.UseAsIs && line.Lot == lot)
            {
                return true;
            }
        }

        return false;
    }

    public static RequireApproval DesignAuthority(Decision gated, SiteId site) => new()
    {
        Role = Role.DesignAuthority,
        Site = site,
        Reason = ReasonCodes.DesignAuthorityRequired,
        Note = "Aerospace (AS9100): the design authority approves use-as-is and repair.",
        Gated = gated,
    };
}
