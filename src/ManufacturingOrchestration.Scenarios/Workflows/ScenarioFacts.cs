using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>Fact gathering and transition helpers shared by the shipped scenario workflows.</summary>
internal static class ScenarioFacts
{
    /// <summary>The profile of the event's site, or <see langword="null"/> after rejecting the step when the site has none.</summary>
    public static SiteProfile? SiteOrReject(ScenarioServices services, StepContext ctx, SiteId site)
    {
        if (services.Sites.TryGet(site, out var profile))
        {
            return profile;
        }

        ctx.Reject(
            ReasonCodes.SiteProfileMissing,
            $"Site {site} has no profile, so nothing is decided for {ctx.Event.Type} (whether a release needs an approval depends on it): register the site's profile with AddSite(...) and replay the event.",
            "site-without-profile",
            []);
        return null;
    }

    /// <summary>
    /// Whether the event's site is the site the orchestrator's lot is kept at; rejects the step (<c>payload.out-of-range</c>)
    /// when it is not. A site's rules — whether a release needs an approval, who may sign, where the hold bin is — are
    /// those of the site holding the stock: deciding on another site's profile would apply the wrong site's overlay (an
    /// unregulated site's, say, to a regulated site's stock).
    /// </summary>
    public static bool LotAtEventSite(StepContext ctx, SiteId site)
    {
        if (ctx.State.Lot is not { } lot || lot.Site == site)
        {
            return true;
        }

        ctx.Reject(
            ReasonCodes.OutOfRange,
            $"Lot {lot.Id} is kept at site {lot.Site}; this {ctx.Event.Type} names site {site}. Nothing is decided on another site's rules: send the event for site {lot.Site}.",
            "site-mismatch",
            []);
        return false;
    }

    /// <summary>Today at the site (its time zone), or the UTC date for a site without a profile.</summary>
    public static DateOnly Today(ScenarioServices services, StepContext ctx, SiteId site) => Today(services, ctx.Now, site);

    /// <summary>The date at the site at an instant (its time zone), or the UTC date for a site without a profile.</summary>
    public static DateOnly Today(ScenarioServices services, DateTimeOffset now, SiteId site) =>
        services.Sites.TryGet(site, out var profile) ? profile.DateAt(now) : DateOnly.FromDateTime(now.UtcDateTime);

    /// <summary>
    /// What a release of a lot for a customer with quality requirements is decided on, each read only when composed and
    /// only when it can matter: the lot's open allocations from the ERP when the rules hold any customer's requirements
    /// (<see cref="DecisionEngine.CustomersWithRequirements"/>), then, when one of them is for a customer requiring a
    /// certificate of analysis, the certificates on file in the QMS. Without a QMS that serves them, such a release waits
    /// for an approval as if none were on file.
    /// </summary>
    public static async ValueTask GatherCustomerFactsAsync(ScenarioServices services, StepContext ctx, LotId lot, CancellationToken ct)
    {
        var rules = services.Rules;
        if (rules.CustomersWithRequirements.Count == 0)
        {
            return;
        }

        var allocations = ctx.GetFact(ScenarioFactKeys.Allocations);
        if (allocations is null && ctx.Supports(QueryKinds.ErpGetOpenAllocations))
        {
            allocations = await ctx.QueryAsync(new GetOpenAllocationsQuery(lot), ct).ConfigureAwait(false);
            ctx.SetFact(ScenarioFactKeys.Allocations, allocations);
        }

        if (allocations is null || !ctx.Supports(QueryKinds.QmsGetCertificatesOfAnalysis))
        {
            return;
        }

        foreach (var allocation in allocations)
        {
            if (allocation.Customer is { } customer && rules.TryGetCustomerRequirements(customer, out var requirements) && requirements.RequiresCertificateOfAnalysis)
            {
                ctx.SetFact(ScenarioFactKeys.CertificatesOfAnalysis, await ctx.QueryAsync(new GetCertificatesOfAnalysisQuery(lot), ct).ConfigureAwait(false));
                return;
            }
        }
    }

    /// <summary>Allocations, supplier history and genealogy of a lot whose inspection failed.</summary>
    public static async ValueTask GatherFailureFactsAsync(ScenarioServices services, StepContext ctx, LotId lot, SupplierId? supplier, CancellationToken ct)
    {
        if (ctx.Supports(QueryKinds.ErpGetOpenAllocations))
        {
            ctx.SetFact(ScenarioFactKeys.Allocations, await ctx.QueryAsync(new GetOpenAllocationsQuery(lot), ct).ConfigureAwait(false));
        }

        if (supplier is { } s && ctx.Supports(QueryKinds.QmsGetSupplierQualityHistory)
            && await ctx.QueryAsync(new GetSupplierQualityHistoryQuery(s, ctx.Now - services.SupplierHistoryWindow, ctx.Now), ct).ConfigureAwait(false) is { } history)
        {
            ctx.SetFact(ScenarioFactKeys.SupplierHistory, history);
        }

        if (ctx.Supports(QueryKinds.MesGetConsumers) && ctx.State.Lot is { IsPartiallyConsumed: true })
        {
            ctx.SetFact(ScenarioFactKeys.Genealogy, await ctx.QueryAsync(new GetConsumersQuery(lot), ct).ConfigureAwait(false));
        }
    }
}
