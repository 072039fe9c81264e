using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Scenarios;

/// <summary>What the shipped scenario workflows need besides the adapters: the rules, the sites, the lot policy and cached master data.</summary>
public sealed class ScenarioServices
{
    private readonly ConcurrentDictionary<(SiteId? Site, MaterialId Material), (MaterialDefinition? Material, DateTimeOffset FetchedAt)> _materials = new();

    /// <summary>Creates the services.</summary>
    /// <param name="rules">The compiled decision engine (shared, thread-safe).</param>
    /// <param name="sites">The site directory; a default one when <see langword="null"/>.</param>
    public ScenarioServices(DecisionEngine rules, SiteDirectory? sites = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Rules = rules;
        Sites = sites ?? new SiteDirectory();
    }

    /// <summary>The decision engine.</summary>
    public DecisionEngine Rules { get; }

    /// <summary>The site profiles.</summary>
    public SiteDirectory Sites { get; }

    /// <summary>
    /// Who exists and which roles they hold: where the shipped workflows look up whoever an event names as releasing or
    /// authorizing, so the decision policy can tell an authorized claim from one that needs an approval. Use the
    /// orchestrator's own directory (the service registration and the test harness do). Default: an empty directory, so
    /// every named releaser or authorizer is unknown and every such release waits for an approval.
    /// </summary>
    public IActorDirectory Actors { get; init; } = new InMemoryActorDirectory();

    /// <summary>The lot policy (expiry handling). Default <see cref="LotPolicy.Default"/>.</summary>
    public LotPolicy LotPolicy { get; init; } = LotPolicy.Default;

    /// <summary>How long material master data is cached. Default 10 minutes.</summary>
    public TimeSpan MaterialCacheDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The window of supplier quality history the rules look at. Default 90 days.</summary>
    public TimeSpan SupplierHistoryWindow { get; init; } = TimeSpan.FromDays(90);

    /// <summary>Cycle-count tolerances per ABC class (percentage and absolute). Default <see cref="CountToleranceProfile.Default"/>.</summary>
    public CountToleranceProfile CountTolerances { get; init; } = CountToleranceProfile.Default;

    /// <summary>
    /// The adjustment authority of a counter at a site (how much they may post without a supervisor), or
    /// <see langword="null"/> when they have none. Default: nobody has authority beyond the tolerance.
    /// </summary>
    public Func<ActorId, SiteId, CountAuthority?> CountAuthorities { get; init; } = static (_, _) => null;

    /// <summary>The scrap window and baseline yields per site and line, for the scrap-spike workflow.</summary>
    public ScrapSpikeSettings ScrapSpike { get; init; } = new();

    /// <summary>
    /// Reads a material definition (<see cref="QueryKinds.ErpGetMaterial"/>) from the ERP the step's site routes to,
    /// through a short-lived cache per site; a failure propagates to the orchestrator, which retries the event.
    /// </summary>
    /// <param name="ctx">The step.</param>
    /// <param name="material">The material.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The definition, or <see langword="null"/> when the ERP does not know it or none is composed for the site.</returns>
    public async ValueTask<MaterialDefinition?> GetMaterialAsync(StepContext ctx, MaterialId material, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var key = (ctx.Event.Site, material);
        if (_materials.TryGetValue(key, out var cached) && ctx.Now - cached.FetchedAt < MaterialCacheDuration)
        {
            return cached.Material;
        }

        if (!ctx.Supports(QueryKinds.ErpGetMaterial))
        {
            return null;
        }

        var fetched = await ctx.QueryAsync(new GetMaterialQuery(material), cancellationToken).ConfigureAwait(false);
        _materials[key] = (fetched, ctx.Now);
        return fetched;
    }
}
