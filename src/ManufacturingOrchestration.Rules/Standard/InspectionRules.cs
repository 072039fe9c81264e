using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using NRules.Fluent.Dsl;
using NRules.RuleModel;

namespace ManufacturingOrchestration.Rules.Standard;

/// <summary>Inspection failed: block the lot's quality-inspection (or unrestricted) quantity.</summary>
[Name(RuleName)]
[Description("A failed inspection quarantines the lot: QI (or unrestricted) → blocked.")]
[Tag(StandardRuleSets.InspectionFailed)]
[Priority(100)]
public sealed class InspectionFailedQuarantineRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-failed.quarantine";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        MaterialLot lot = default!;

        When()
            .Match(() => failed)
            .Match(() => lot, l => l.Id == failed.Lot);
        Then()
            .Do(ctx => Act(ctx, failed, lot));
    }

    private static void Act(IContext context, InspectionFailed failed, MaterialLot lot)
    {
        var from = lot.QuantityIn(StockCategory.QualityInspection).IsZero && !lot.QuantityIn(StockCategory.Unrestricted).IsZero
            ? StockCategory.Unrestricted
            : StockCategory.QualityInspection;
        context.Decide(new QuarantineLot
        {
            Lot = failed.Lot,
            Site = failed.Site,
            FromCategory = from,
            Quantity = failed.RejectedQuantity,
            HoldReason = $"inspection {failed.InspectionLot} failed ({failed.Severity})",
            Priority = failed.Severity == DefectSeverity.Critical ? DecisionPriority.Urgent : DecisionPriority.High,
        });
    }
}

/// <summary>Inspection failed: move the lot physically to the site's hold location.</summary>
[Name(RuleName)]
[Description("A failed lot is moved to the site's hold location in the WMS.")]
[Tag(StandardRuleSets.InspectionFailed)]
[Priority(90)]
public sealed class InspectionFailedMoveToHoldRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-failed.move-to-hold";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        SiteProfile site = default!;

        When()
            .Match(() => failed)
            .Match(() => site, s => s.Id == failed.Site);
        Then()
            .Do(ctx => ctx.Decide(new MoveStockToHold { Lot = failed.Lot, Site = failed.Site, HoldLocation = site.HoldLocation, Quantity = failed.RejectedQuantity }));
    }
}

/// <summary>Inspection failed: notify procurement (expedite when the material is class A or the defect major or worse).</summary>
[Name(RuleName)]
[Description("Procurement is told about a failed lot; replacement is expedited for class A material or major/critical defects.")]
[Tag(StandardRuleSets.InspectionFailed)]
public sealed class InspectionFailedNotifyProcurementRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-failed.notify-procurement";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        MaterialDefinition material = default!;

        When()
            .Match(() => failed)
            .Match(() => material, m => m.Id == failed.Material);
        Then()
            .Do(ctx => Act(ctx, failed, material));
    }

    private static void Act(IContext context, InspectionFailed failed, MaterialDefinition material) =>
        context.Decide(new NotifyProcurement
        {
            Material = failed.Material,
            Site = failed.Site,
            Lot = failed.Lot,
            Supplier = failed.Supplier ?? material.Supplier,
            Expedite = material.Criticality == CriticalityClass.A || failed.Severity >= DefectSeverity.Major,
            Message = $"Lot {failed.Lot} failed inspection {failed.InspectionLot} ({failed.Severity}): {failed.DefectDescription ?? "no description"}",
        });
}

/// <summary>Inspection failed: open a supplier case when the defect is critical or the material is criticality class A.</summary>
[Name(RuleName)]
[Description("A critical defect, or any defect on a class A material, opens a supplier case with the evidence.")]
[Tag(StandardRuleSets.InspectionFailed)]
public sealed class InspectionFailedSupplierCaseRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-failed.supplier-case";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        MaterialDefinition material = default!;

        When()
            .Match(() => failed)
            .Match(() => material, m => m.Id == failed.Material);

        // An agenda filter, not a join condition: the join above is then shared with the procurement rule's.
        Filter()
            .Where(() => failed.Severity == DefectSeverity.Critical || material.Criticality == CriticalityClass.A);
        Then()
            .Do(ctx => Act(ctx, failed, material));
    }

    private static void Act(IContext context, InspectionFailed failed, MaterialDefinition material)
    {
        if ((failed.Supplier ?? material.Supplier) is { } supplier)
        {
            context.Decide(InspectionDecisions.SupplierCase(failed, supplier, DecisionPriority.High));
        }
    }
}

/// <summary>Inspection failed: a supplier with a poor recent history gets a case and an escalation to supplier quality.</summary>
[Name(RuleName)]
[Description("A failure from a supplier with 3+ failures, a failure rate of 10 % or more, or open corrective actions in the window opens a case and escalates to supplier quality.")]
[Tag(StandardRuleSets.InspectionFailed)]
public sealed class InspectionFailedSupplierHistoryRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-failed.supplier-history";

    /// <summary>Failures in the window from which a supplier is escalated.</summary>
    public const int FailureThreshold = 3;

    /// <summary>The failure rate from which a supplier is escalated.</summary>
    public const double FailureRateThreshold = 0.10;

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        SupplierQualityHistory history = default!;

        When()
            .Match(() => failed)
            .Match(() => history, h => h.Supplier == failed.Supplier, h => IsPoor(h));
        Then()
            .Do(ctx => Act(ctx, failed, history));
    }

    private static bool IsPoor(SupplierQualityHistory history) =>
        history.Failures >= FailureThreshold || history.FailureRate >= (decimal)FailureRateThreshold || history.OpenCorrectiveActions > 0;

    private static void Act(IContext context, InspectionFailed failed, SupplierQualityHistory history)
    {
        context.Decide(InspectionDecisions.SupplierCase(failed, history.Supplier, DecisionPriority.High));
        context.Decide(new Escalate
        {
            Role = Role.SupplierQuality,
            Site = failed.Site,
            Subject = $"supplier {history.Supplier}",
            Message = $"{history.Failures} failure(s) in {history.Inspections} inspection(s), {history.OpenCorrectiveActions} open corrective action(s); lot {failed.Lot} failed again.",
            Priority = DecisionPriority.High,
        });
    }
}

/// <summary>Inspection failed: the lot's open allocations must be re-evaluated.</summary>
[Name(RuleName)]
[Description("Orders holding allocations of a failed lot are re-planned.")]
[Tag(StandardRuleSets.InspectionFailed)]
public sealed class InspectionFailedReevaluateAllocationsRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-failed.reevaluate-allocations";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        OpenAllocations allocations = default!;

        When()
            .Match(() => failed)
            .Match(() => allocations, a => a.Lot == failed.Lot);
        Then()
            .Do(ctx => ctx.Decide(new ReevaluateAllocations { Lot = failed.Lot, Site = failed.Site, Orders = allocations.Orders, Priority = DecisionPriority.High }));
    }
}

/// <summary>Inspection failed: ask for alternate supply when the failed lot was allocated and alternates exist.</summary>
[Name(RuleName)]
[Description("An allocated failed lot of a material with approved alternate suppliers triggers an alternate-supply request.")]
[Tag(StandardRuleSets.InspectionFailed)]
public sealed class InspectionFailedAlternateSupplyRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-failed.alternate-supply";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        MaterialDefinition material = default!;
        OpenAllocations allocations = default!;

        When()
            .Match(() => failed)
            .Match(() => material, m => m.Id == failed.Material)
            .Match(() => allocations, a => a.Lot == failed.Lot);
        Filter()
            .Where(() => material.AlternateSuppliers.Count > 0);
        Then()
            .Do(ctx => Act(ctx, failed, material, allocations));
    }

    private static void Act(IContext context, InspectionFailed failed, MaterialDefinition material, OpenAllocations allocations)
    {
        var total = allocations.Items[0].Quantity;
        for (var i = 1; i < allocations.Items.Count; i++)
        {
            total = total.Add(allocations.Items[i].Quantity);
        }

        context.Decide(new RequestAlternateSupply
        {
            Material = failed.Material,
            Site = failed.Site,
            AlternateSuppliers = material.AlternateSuppliers,
            Quantity = total,
            Priority = DecisionPriority.High,
        });
    }
}

/// <summary>Inspection failed on a partly consumed lot: contain the work orders that used it (found through genealogy).</summary>
[Name(RuleName)]
[Description("A partly consumed failed lot puts the orders and produced lots found through genealogy under containment.")]
[Tag(StandardRuleSets.InspectionFailed)]
public sealed class InspectionFailedContainmentRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-failed.containment";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        MaterialLot lot = default!;
        LotGenealogy genealogy = default!;

        When()
            .Match(() => failed)
            .Match(() => lot, l => l.Id == failed.Lot)
            .Match(() => genealogy, g => g.Lot == failed.Lot);
        Filter()
            .Where(() => lot.ConsumedQuantity > 0);
        Then()
            .Do(ctx => ctx.Decide(new ContainWorkOrders
            {
                Lot = failed.Lot,
                Site = failed.Site,
                Orders = genealogy.ConsumingOrders,
                ProducedLots = genealogy.ProducedLots,
                Priority = DecisionPriority.Urgent,
            }));
    }
}

/// <summary>Inspection failed on a partly consumed lot without genealogy: a quality engineer must find the affected orders.</summary>
[Name(RuleName)]
[Description("A partly consumed failed lot with no genealogy known is escalated to quality engineering.")]
[Tag(StandardRuleSets.InspectionFailed)]
public sealed class InspectionFailedContainmentWithoutGenealogyRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-failed.containment-without-genealogy";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionFailed failed = default!;
        MaterialLot lot = default!;

        When()
            .Match(() => failed)
            .Match(() => lot, l => l.Id == failed.Lot)
            .Not<LotGenealogy>(g => g.Lot == failed.Lot);
        Filter()
            .Where(() => lot.ConsumedQuantity > 0);
        Then()
            .Do(ctx => ctx.Decide(new Escalate
            {
                Role = Role.QualityEngineer,
                Site = failed.Site,
                Subject = "lot " + failed.Lot.Value,
                Message = "The failed lot was partly consumed but no genealogy is known: find the affected work orders.",
                Priority = DecisionPriority.Urgent,
            }));
    }
}

/// <summary>Inspection passed: release the lot from quality inspection to unrestricted stock.</summary>
[Name(RuleName)]
[Description("An accepted inspection releases the lot QI → unrestricted (SAP 321).")]
[Tag(StandardRuleSets.InspectionPassed)]
public sealed class InspectionPassedReleaseRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-passed.release";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionPassed passed = default!;
        MaterialLot lot = default!;

        When()
            .Match(() => passed, p => p.UsageDecision == UsageDecision.Accept)
            .Match(() => lot, l => l.Id == passed.Lot, l => !l.IsRestrictedBatch)
            .Not<LotCustomerRequirements>(c => c.Lot == passed.Lot, c => c.WaitsForCertificate);
        Then()
            .Do(ctx => ctx.Decide(new ReleaseLot { Lot = passed.Lot, Site = passed.Site, TargetCategory = StockCategory.Unrestricted, Quantity = passed.Quantity }));
    }
}

/// <summary>Inspection passed for a restricted batch (or accepted restricted): release to restricted-use stock.</summary>
[Name(RuleName)]
[Description("A restricted batch, or a restricted acceptance, is released QI → restricted-use, never unrestricted.")]
[Tag(StandardRuleSets.InspectionPassed)]
public sealed class InspectionPassedRestrictedReleaseRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.inspection-passed.release-restricted";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionPassed passed = default!;
        MaterialLot lot = default!;

        When()
            .Match(() => passed, p => p.UsageDecision != UsageDecision.Reject)
            .Match(() => lot, l => l.Id == passed.Lot, l => l.IsRestrictedBatch || passed.UsageDecision == UsageDecision.AcceptRestricted)
            .Not<LotCustomerRequirements>(c => c.Lot == passed.Lot, c => c.WaitsForCertificate);
        Then()
            .Do(ctx => ctx.Decide(new ReleaseLot { Lot = passed.Lot, Site = passed.Site, TargetCategory = StockCategory.RestrictedUse, Quantity = passed.Quantity }));
    }
}

internal static class InspectionDecisions
{
    public static OpenSupplierCase SupplierCase(InspectionFailed failed, SupplierId supplier, DecisionPriority priority) => new()
    {
        Supplier = supplier,
        Lot = failed.Lot,
        Material = failed.Material,
        Site = failed.Site,
        Severity = failed.Severity,
        Description = failed.DefectDescription,
        Evidence = failed.Evidence,
        Priority = priority,
    };
}
