using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using NRules.Fluent.Dsl;
using NRules.RuleModel;

namespace ManufacturingOrchestration.Rules.Standard;

/// <summary>
/// Finished goods released: release the lot's quality-inspection stock, naming who the event says released it. The
/// release is governed like every other: at a regulated site, or when the named releaser is unknown to the actor
/// directory or lacks the release role at the site, the policy constraints turn it into an approval.
/// </summary>
[Name(RuleName)]
[Description("A released lot's quality-inspection stock is released, as released by the person the event names.")]
[Tag(StandardRuleSets.FinishedGoodsRelease)]
public sealed class LotReleasedStockRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.fg-release.release-stock";

    /// <inheritdoc />
    public override void Define()
    {
        LotReleased released = default!;

        When()
            .Match(() => released)
            .Not<LotCustomerRequirements>(c => c.Lot == released.Lot, c => c.WaitsForCertificate);
        Then()
            .Do(ctx => ctx.Decide(new ReleaseLot { Lot = released.Lot, Site = released.Site, Quantity = released.Quantity, ReleasedBy = released.ReleasedBy }));
    }
}

/// <summary>Finished goods released: lift the shipment hold and update ATP.</summary>
[Name(RuleName)]
[Description("A released lot's shipment hold is lifted and ATP is updated.")]
[Tag(StandardRuleSets.FinishedGoodsRelease)]
public sealed class LotReleasedShipmentRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.fg-release.shipment-and-atp";

    /// <inheritdoc />
    public override void Define()
    {
        LotReleased released = default!;

        When()
            .Match(() => released)
            .Not<LotCustomerRequirements>(c => c.Lot == released.Lot, c => c.WaitsForCertificate);
        Then()
            .Do(ctx => ctx.Decide(new ReleaseShipmentHold { Lot = released.Lot, Site = released.Site }))
            .Do(ctx => ctx.Decide(new UpdateAtp { Material = released.Material, Site = released.Site, Lot = released.Lot, Quantity = released.Quantity }));
    }
}

/// <summary>Finished goods released with backorders waiting: notify customer service.</summary>
[Name(RuleName)]
[Description("Customer service is told which backorders the released lot can fill.")]
[Tag(StandardRuleSets.FinishedGoodsRelease)]
public sealed class LotReleasedBackorderRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.fg-release.notify-customer-service";

    /// <inheritdoc />
    public override void Define()
    {
        LotReleased released = default!;

        When()
            .Match(() => released, r => r.Backorders.Count > 0);
        Then()
            .Do(ctx => ctx.Decide(new NotifyCustomerService { Lot = released.Lot, Site = released.Site, Backorders = released.Backorders }));
    }
}

/// <summary>Finished goods released: publish the lot's genealogy (with the links known, when the caller supplied them).</summary>
[Name(RuleName)]
[Description("The released lot's genealogy is published to the traceability repository.")]
[Tag(StandardRuleSets.FinishedGoodsRelease)]
public sealed class LotReleasedGenealogyRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.fg-release.publish-genealogy";

    /// <inheritdoc />
    public override void Define()
    {
        LotReleased released = default!;

        When()
            .Match(() => released)
            .Not<LotGenealogy>(g => g.Lot == released.Lot);
        Then()
            .Do(ctx => ctx.Decide(new PublishGenealogy { Lot = released.Lot, Site = released.Site, Order = released.ProducedBy }));
    }
}

/// <summary>Finished goods released with genealogy known: publish it with its links.</summary>
[Name(RuleName)]
[Description("The released lot's genealogy, with the links supplied, is published to the traceability repository.")]
[Tag(StandardRuleSets.FinishedGoodsRelease)]
public sealed class LotReleasedGenealogyWithLinksRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.fg-release.publish-genealogy-with-links";

    /// <inheritdoc />
    public override void Define()
    {
        LotReleased released = default!;
        LotGenealogy genealogy = default!;

        When()
            .Match(() => released)
            .Match(() => genealogy, g => g.Lot == released.Lot);
        Then()
            .Do(ctx => ctx.Decide(new PublishGenealogy { Lot = released.Lot, Site = released.Site, Order = released.ProducedBy, Links = genealogy.Links }));
    }
}

/// <summary>
/// Cycle count within every limit (and not zero): post the difference directly. Both limits apply: the ABC class's
/// percentage and absolute tolerance and, when the counter has a <see cref="CountAuthority"/>, the counter's own
/// per-item quantity and percentage limit and per-document limit; a counter without one is bound by the tolerance alone.
/// A counter acting as cycle-count supervisor is bound by their own limits instead of the tolerance band.
/// </summary>
[Name(RuleName)]
[Description("A variance inside the ABC class's tolerance and inside the counter's own item and document limits is posted directly.")]
[Tag(StandardRuleSets.CycleCount)]
public sealed class CycleCountWithinToleranceRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.cycle-count.within-tolerance";

    /// <inheritdoc />
    public override void Define()
    {
        CycleCountRecorded recorded = default!;
        MaterialDefinition material = default!;
        IEnumerable<CountAuthority> authorities = default!;
        CountToleranceProfile tolerances = default!;

        When()
            .Match(() => recorded, r => r.Count.Variance != 0)
            .Match(() => material, m => m.Id == recorded.Count.Material)
            .Query(() => authorities, q => q.Match<CountAuthority>(a => a.Actor == recorded.Count.CountedBy).Collect())
            .Match(() => tolerances, t => CountRules.MayPost(t, material, recorded.Count, authorities));
        Then()
            .Do(ctx => ctx.Decide(CountRules.Adjustment(recorded.Count)));
    }
}

/// <summary>
/// Cycle count beyond a limit (the ABC tolerance, or the counter's own item or document limit): pause picks of the
/// material at the location while the variance waits for a supervisor's answer. A variance the counter may post is
/// posted at once and leaves nothing open, so it pauses nothing (open counting work does not block picking).
/// </summary>
[Name(RuleName)]
[Description("While a variance beyond the tolerance or the counter's limits waits for approval, picks of the material at the location are paused.")]
[Tag(StandardRuleSets.CycleCount)]
[Priority(100)]
public sealed class CycleCountPausePicksRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.cycle-count.over-tolerance.pause-picks";

    /// <inheritdoc />
    public override void Define()
    {
        CycleCountRecorded recorded = default!;
        MaterialDefinition material = default!;
        IEnumerable<CountAuthority> authorities = default!;
        CountToleranceProfile tolerances = default!;

        When()
            .Match(() => recorded, r => r.Count.Variance != 0)
            .Match(() => material, m => m.Id == recorded.Count.Material)
            .Query(() => authorities, q => q.Match<CountAuthority>(a => a.Actor == recorded.Count.CountedBy).Collect())
            .Match(() => tolerances, t => !CountRules.MayPost(t, material, recorded.Count, authorities));
        Then()
            .Do(ctx => ctx.Decide(new PausePicks
            {
                Material = recorded.Count.Material,
                Site = recorded.Count.Site,
                Lot = recorded.Count.Lot,
                Location = recorded.Count.Location,
                Bin = recorded.Count.Bin,
                CycleCount = recorded.Count.Id,
                Priority = DecisionPriority.High,
            }));
    }
}

/// <summary>
/// Cycle count beyond a limit (the ABC tolerance, or the counter's own item or document limit): a cycle-count
/// supervisor must approve the adjustment. Both limits apply: an operator's authority never widens the tolerance band,
/// and a variance inside the band still needs approval when it is beyond the counter's own limit. A counter acting as
/// cycle-count supervisor is bound by their own limits instead of the band.
/// </summary>
[Name(RuleName)]
[Description("A variance beyond the ABC tolerance or beyond the counter's item or document limit needs a cycle-count supervisor's approval before it is posted.")]
[Tag(StandardRuleSets.CycleCount)]
public sealed class CycleCountNeedsApprovalRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.cycle-count.over-tolerance.needs-approval";

    /// <inheritdoc />
    public override void Define()
    {
        CycleCountRecorded recorded = default!;
        MaterialDefinition material = default!;
        IEnumerable<CountAuthority> authorities = default!;
        CountToleranceProfile tolerances = default!;

        When()
            .Match(() => recorded, r => r.Count.Variance != 0)
            .Match(() => material, m => m.Id == recorded.Count.Material)
            .Query(() => authorities, q => q.Match<CountAuthority>(a => a.Actor == recorded.Count.CountedBy).Collect())
            .Match(() => tolerances, t => !CountRules.MayPost(t, material, recorded.Count, authorities));
        Then()
            .Do(ctx => ctx.Decide(new RequireApproval
            {
                Role = Role.CycleCountSupervisor,
                Site = recorded.Count.Site,
                Reason = ReasonCodes.ApprovalRequired,
                Note = CountRules.WithinTolerance(tolerances, material, recorded.Count)
                    ? "The variance is inside the tolerance but beyond the counter's own limit."
                    : "The variance is over tolerance.",
                Gated = CountRules.Adjustment(recorded.Count),
            }));
    }
}

/// <summary>Cycle count over tolerance on a controlled material: open a root-cause analysis.</summary>
[Name(RuleName)]
[Description("An over-tolerance variance of a controlled material opens a root-cause investigation.")]
[Tag(StandardRuleSets.CycleCount)]
public sealed class CycleCountControlledMaterialRule : Rule
{
    /// <summary>The rule name.</summary>
    public const string RuleName = "mo.cycle-count.controlled-root-cause";

    /// <inheritdoc />
    public override void Define()
    {
        CycleCountRecorded recorded = default!;
        MaterialDefinition material = default!;
        CountToleranceProfile tolerances = default!;

        When()
            .Match(() => recorded)
            .Match(() => material, m => m.Id == recorded.Count.Material, m => m.IsControlled)
            .Match(() => tolerances, t => !CountRules.WithinTolerance(t, material, recorded.Count));
        Then()
            .Do(ctx => Act(ctx, recorded.Count));
    }

    private static void Act(IContext context, CycleCount count) =>
        context.Decide(new OpenRootCauseAnalysis
        {
            Site = count.Site,
            Material = count.Material,
            Lot = count.Lot,
            Subject = $"cycle count {count.Id}",
            Reason = FormattableString.Invariant($"Controlled material {count.Material}: variance {count.Variance} ({count.VariancePercent:0.##} %) over tolerance."),
            Priority = DecisionPriority.High,
        });
}

internal static class CountRules
{
    public static bool WithinTolerance(CountToleranceProfile tolerances, MaterialDefinition material, CycleCount count) =>
        tolerances.For(material.AbcClass).Allows(count.BookQuantity.Value, count.Variance);

    /// <summary>
    /// Whether the counter may post the count without approval: inside the ABC tolerance band and inside every limit of
    /// the counter's authorities (no authority: the band alone). A counter acting as cycle-count supervisor is bound by
    /// their own item and document limits instead of the band (domain notes §5: D365 sends a count outside the worker's
    /// limits to review unless the worker is a cycle-count supervisor).
    /// </summary>
    public static bool MayPost(CountToleranceProfile tolerances, MaterialDefinition material, CycleCount count, IEnumerable<CountAuthority> authorities)
    {
        var own = authorities as IReadOnlyCollection<CountAuthority> ?? [.. authorities];
        if (!own.All(a => a.Allows(count)))
        {
            return false;
        }

        var supervisor = own.Count > 0 && own.All(a => a.Role == Role.CycleCountSupervisor);
        return supervisor || WithinTolerance(tolerances, material, count);
    }

    public static PostCountAdjustment Adjustment(CycleCount count) => new()
    {
        CycleCount = count.Id,
        Material = count.Material,
        Site = count.Site,
        Lot = count.Lot,
        Category = count.Category,
        Variance = count.Variance,
        Unit = count.BookQuantity.Unit,
    };
}
