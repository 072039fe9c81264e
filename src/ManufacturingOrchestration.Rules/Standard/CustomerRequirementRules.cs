using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using NRules.Fluent.Dsl;

namespace ManufacturingOrchestration.Rules.Standard;

/// <summary>
/// Use-as-is on a lot allocated to a customer that accepts no concessions: the concession is refused (escalated to the
/// MRB with <see cref="ReasonCodes.CustomerConcessionForbidden"/>); the event's other use-as-is lines are decided as usual.
/// </summary>
[Name(RuleName)]
[Description("A customer that accepts no use-as-is concessions keeps them off the lots allocated to its orders.")]
[Tag(StandardRuleSets.MrbDisposition)]
public sealed class CustomerConcessionForbiddenRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.customer.concession-forbidden";

    /// <inheritdoc />
    public override void Define()
    {
        MrbDispositionDecided decided = default!;
        SiteProfile site = default!;
        LotCustomerRequirements customers = default!;

        When()
            .Match(() => decided, d => MrbRules.Has(d, MrbDisposition.UseAsIs))
            .Match(() => site, s => s.Id == decided.Site)
            .Match(() => customers, c => c.ForbidsUseAsIs, c => MrbRules.HasUseAsIsOn(decided, c.Lot));
        Then()
            .Do(ctx => MrbUseAsIsRule.Act(ctx, decided, site, customers));
    }
}

/// <summary>
/// An accepted inspection of a lot allocated to a customer that requires a certificate of analysis, with none on file:
/// the release waits for an approval (<see cref="ReasonCodes.CustomerCertificateRequired"/>).
/// </summary>
[Name(RuleName)]
[Description("A release for a customer requiring a certificate of analysis waits until the certificate is on file.")]
[Tag(StandardRuleSets.InspectionPassed)]
public sealed class CustomerCertificateInspectionReleaseRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.customer.certificate-required.inspection-release";

    /// <inheritdoc />
    public override void Define()
    {
        InspectionPassed passed = default!;
        MaterialLot lot = default!;
        LotCustomerRequirements customers = default!;

        When()
            .Match(() => passed, p => p.UsageDecision != UsageDecision.Reject)
            .Match(() => lot, l => l.Id == passed.Lot)
            .Match(() => customers, c => c.Lot == passed.Lot, c => c.WaitsForCertificate);
        Then()
            .Do(ctx => ctx.Decide(CustomerRules.AwaitCertificate(
                new ReleaseLot
                {
                    Lot = passed.Lot,
                    Site = passed.Site,
                    TargetCategory = CustomerRules.InspectionReleaseCategory(passed, lot),
                    Quantity = passed.Quantity,
                },
                passed.Site,
                customers)));
    }
}

/// <summary>
/// Finished goods released for a customer that requires a certificate of analysis, with none on file: the stock
/// release and the shipment hold's lifting wait for an approval (<see cref="ReasonCodes.CustomerCertificateRequired"/>).
/// </summary>
[Name(RuleName)]
[Description("Finished goods for a customer requiring a certificate of analysis are neither released nor shipped until the certificate is on file.")]
[Tag(StandardRuleSets.FinishedGoodsRelease)]
public sealed class CustomerCertificateFinishedGoodsReleaseRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.customer.certificate-required.fg-release";

    /// <inheritdoc />
    public override void Define()
    {
        LotReleased released = default!;
        LotCustomerRequirements customers = default!;

        When()
            .Match(() => released)
            .Match(() => customers, c => c.Lot == released.Lot, c => c.WaitsForCertificate);
        Then()
            .Do(ctx => ctx.Decide(CustomerRules.AwaitCertificate(
                new ReleaseLot { Lot = released.Lot, Site = released.Site, Quantity = released.Quantity, ReleasedBy = released.ReleasedBy },
                released.Site,
                customers)))
            .Do(ctx => ctx.Decide(CustomerRules.AwaitCertificate(new ReleaseShipmentHold { Lot = released.Lot, Site = released.Site }, released.Site, customers)));
    }
}

internal static class CustomerRules
{
    public static StockCategory InspectionReleaseCategory(InspectionPassed passed, MaterialLot lot) =>
        lot.IsRestrictedBatch || passed.UsageDecision == UsageDecision.AcceptRestricted ? StockCategory.RestrictedUse : StockCategory.Unrestricted;

    public static RequireApproval AwaitCertificate(Decision gated, SiteId site, LotCustomerRequirements customers) => new()
    {
        Role = Role.QualityManager,
        Site = site,
        Reason = ReasonCodes.CustomerCertificateRequired,
        Note = $"{string.Join(", ", customers.CustomersRequiringCertificate)} require(s) a certificate of analysis for lot {customers.Lot}: approve once it is on file.",
        Gated = gated,
    };
}
