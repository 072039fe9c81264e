using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;

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

    /// <summary>Today at the site (its time zone), or the UTC date for a site without a profile.</summary>
    public static DateOnly Today(ScenarioServices services, StepContext ctx, SiteId site) => Today(services, ctx.Now, site);

    /// <summary>The date at the site at an instant (its time zone), or the UTC date for a site without a profile.</summary>
    public static DateOnly Today(ScenarioServices services, DateTimeOffset now, SiteId site) =>
        services.Sites.TryGet(site, out var profile) ? profile.DateAt(now) : DateOnly.FromDateTime(now.UtcDateTime);

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
