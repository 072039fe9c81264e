using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.DependencyInjection;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds the shipped manufacturing scenarios to an orchestrator composed with
/// <c>services.AddManufacturingOrchestration(...)</c>: each <c>AddXxx()</c> registers one shipped workflow over the
/// registered <see cref="ScenarioServices"/>; <see cref="AddShippedScenarios"/> registers them all.
/// </summary>
/// <remarks>
/// The first call registers the <see cref="DecisionEngine"/> (the standard rules unless <see cref="UseRules"/> says
/// otherwise), the <see cref="SiteDirectory"/> (the sites added with <see cref="AddSite"/>) and the
/// <see cref="ScenarioServices"/>, each with <c>TryAdd</c> so a registration of the caller's own wins. Adding a scenario
/// twice has no effect.
/// </remarks>
public static class ScenarioBuilderExtensions
{
    /// <summary>
    /// Registers the incoming-inspection workflow (<see cref="IncomingInspectionWorkflow"/>) with the containment it
    /// starts: <see cref="LotContainmentWorkflow"/> for the lots made from a failed lot and
    /// <see cref="WorkOrderHoldWorkflow"/> for the orders held.
    /// </summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddIncomingInspection(this ManufacturingOrchestrationBuilder builder)
    {
        AddScenario(builder, LotContainmentWorkflow.Name, LotContainmentWorkflow.Create);
        AddScenario(builder, WorkOrderHoldWorkflow.Name, WorkOrderHoldWorkflow.Create);
        return AddScenario(builder, IncomingInspectionWorkflow.Name, IncomingInspectionWorkflow.Create);
    }

    /// <summary>Registers the MRB disposition workflow (<see cref="MrbDispositionWorkflow"/>).</summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddMrbDisposition(this ManufacturingOrchestrationBuilder builder) =>
        AddScenario(builder, MrbDispositionWorkflow.Name, MrbDispositionWorkflow.Create);

    /// <summary>Registers the finished-goods release workflow (<see cref="FinishedGoodsReleaseWorkflow"/>).</summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddFinishedGoodsRelease(this ManufacturingOrchestrationBuilder builder) =>
        AddScenario(builder, FinishedGoodsReleaseWorkflow.Name, FinishedGoodsReleaseWorkflow.Create);

    /// <summary>Registers the cycle-count workflow (<see cref="CycleCountWorkflow"/>).</summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddCycleCount(this ManufacturingOrchestrationBuilder builder) =>
        AddScenario(builder, CycleCountWorkflow.Name, CycleCountWorkflow.Create);

    /// <summary>Registers the scrap-spike workflow (<see cref="ScrapSpikeWorkflow"/>).</summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddScrapSpike(this ManufacturingOrchestrationBuilder builder) =>
        AddScenario(builder, ScrapSpikeWorkflow.Name, ScrapSpikeWorkflow.Create);

    /// <summary>
    /// Registers the production-confirmation workflow (<see cref="ProductionConfirmationWorkflow"/>) with
    /// <see cref="WorkOrderHoldWorkflow"/>, which keeps the orders' holds that confirmations are refused on.
    /// </summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddProductionConfirmation(this ManufacturingOrchestrationBuilder builder)
    {
        AddScenario(builder, WorkOrderHoldWorkflow.Name, WorkOrderHoldWorkflow.Create);
        return AddScenario(builder, ProductionConfirmationWorkflow.Name, ProductionConfirmationWorkflow.Create);
    }

    /// <summary>Registers the goods-receipt workflow (<see cref="GoodsReceiptWorkflow"/>): received lots become known without an ERP read.</summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddGoodsReceipt(this ManufacturingOrchestrationBuilder builder) =>
        AddScenario(builder, GoodsReceiptWorkflow.Name, GoodsReceiptWorkflow.Create);

    /// <summary>
    /// Registers the stock-movement workflow (<see cref="StockMovementWorkflow"/>): consumptions and movements posted
    /// outside the orchestrator move its copy of the lot too.
    /// </summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddStockMovements(this ManufacturingOrchestrationBuilder builder) =>
        AddScenario(builder, StockMovementWorkflow.Name, StockMovementWorkflow.Create);

    /// <summary>Registers the quality-record workflow (<see cref="QualityRecordWorkflow"/>): nonconformances raised and supplier status changes are recorded.</summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddQualityRecords(this ManufacturingOrchestrationBuilder builder) =>
        AddScenario(builder, QualityRecordWorkflow.Name, static _ => QualityRecordWorkflow.Create());

    /// <summary>Registers the stock-drift correction workflow (<see cref="DriftCorrectionWorkflow"/>) with its default options.</summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddDriftCorrection(this ManufacturingOrchestrationBuilder builder) =>
        AddScenario(builder, DriftCorrectionWorkflow.Name, static services => DriftCorrectionWorkflow.Create(services));

    /// <summary>
    /// Registers every shipped workflow: incoming inspection (with lot containment and work-order holds), goods receipt,
    /// stock movements, quality records, MRB disposition, finished-goods release, cycle count, scrap spike, production
    /// confirmation and drift correction.
    /// </summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddShippedScenarios(this ManufacturingOrchestrationBuilder builder) =>
        builder
            .AddIncomingInspection()
            .AddGoodsReceipt()
            .AddStockMovements()
            .AddQualityRecords()
            .AddMrbDisposition()
            .AddFinishedGoodsRelease()
            .AddCycleCount()
            .AddScrapSpike()
            .AddProductionConfirmation()
            .AddDriftCorrection();

    /// <summary>
    /// Configures the decision engine of the shipped workflows. Without any call the standard rules are used; with
    /// calls, only what they add (start with <see cref="DecisionEngineBuilder.AddStandardRules()"/> to keep them).
    /// </summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <param name="configure">Configures the rules (site overlays, policy, extra rules).</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder UseRules(this ManufacturingOrchestrationBuilder builder, Action<DecisionEngineBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Composition(builder).Rules.Add(configure);
        return builder;
    }

    /// <summary>Adds (or replaces, by id) a site profile for the shipped workflows' <see cref="SiteDirectory"/>.</summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <param name="site">The profile.</param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder AddSite(this ManufacturingOrchestrationBuilder builder, SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var sites = Composition(builder).Sites;
        sites.RemoveAll(s => s.Id == site.Id);
        sites.Add(site);
        return builder;
    }

    /// <summary>
    /// Configures the <see cref="ScenarioServices"/> the shipped workflows share (lot policy, tolerances, scrap-spike
    /// settings…), from the container's decision engine and sites.
    /// </summary>
    /// <param name="builder">The orchestrator builder.</param>
    /// <param name="create">
    /// Creates the services; the default is <c>(rules, sites) =&gt; new ScenarioServices(rules, sites) { Actors = directory }</c>
    /// with the orchestrator's actor directory. Set <see cref="ScenarioServices.Actors"/> to that directory too, or every
    /// release an event names a releaser for waits for an approval.
    /// </param>
    /// <returns>The builder.</returns>
    public static ManufacturingOrchestrationBuilder UseScenarioServices(this ManufacturingOrchestrationBuilder builder, Func<DecisionEngine, SiteDirectory, ScenarioServices> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        Composition(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton(sp => create(sp.GetRequiredService<DecisionEngine>(), sp.GetRequiredService<SiteDirectory>())));
        return builder;
    }

    private static ManufacturingOrchestrationBuilder AddScenario(ManufacturingOrchestrationBuilder builder, string name, Func<ScenarioServices, WorkflowDefinition> create)
    {
        if (Composition(builder).Workflows.Add(name))
        {
            builder.AddWorkflow(sp => create(sp.GetRequiredService<ScenarioServices>()));
        }

        return builder;
    }

    /// <summary>The scenario composition of this builder's services, registered (with the services it feeds) on first use.</summary>
    private static ScenarioComposition Composition(ManufacturingOrchestrationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.LastOrDefault(d => d.ServiceType == typeof(ScenarioComposition) && !d.IsKeyedService)?.ImplementationInstance is ScenarioComposition existing)
        {
            return existing;
        }

        var composition = new ScenarioComposition();
        services.AddSingleton(composition);
        services.TryAddSingleton(static sp =>
        {
            var configurations = sp.GetRequiredService<ScenarioComposition>().Rules;
            var rules = new DecisionEngineBuilder();
            if (configurations.Count == 0)
            {
                rules.AddStandardRules();
            }

            foreach (var configure in configurations)
            {
                configure(rules);
            }

            return rules.Build();
        });
        services.TryAddSingleton(static sp => new SiteDirectory(sp.GetRequiredService<ScenarioComposition>().Sites));
        services.TryAddSingleton(static sp => new ScenarioServices(sp.GetRequiredService<DecisionEngine>(), sp.GetRequiredService<SiteDirectory>()) { Actors = sp.GetRequiredService<IActorDirectory>() });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OrchestratorOptions>, ScenarioSitesValidator>());
        return composition;
    }

    /// <summary>
    /// Refuses to start an orchestrator whose shipped workflows would meet a site without a profile: a rule overlay for a
    /// site no profile names, or no site profile at all. Events of a site without a profile are rejected at run time
    /// (<see cref="ReasonCodes.SiteProfileMissing"/>); this names the ones known at start.
    /// </summary>
    private sealed class ScenarioSitesValidator(IServiceProvider services) : IValidateOptions<OrchestratorOptions>
    {
        public ValidateOptionsResult Validate(string? name, OrchestratorOptions options)
        {
            if (name != Options.Options.DefaultName)
            {
                return ValidateOptionsResult.Skip;
            }

            var scenarios = services.GetRequiredService<ScenarioServices>();
            var failures = new List<string>();
            if (scenarios.Sites.All.Count == 0)
            {
                failures.Add("No site profile is registered for the shipped scenarios: call AddSite(...) for every site whose events they handle (whether a release needs an approval depends on the site's profile).");
            }

            foreach (var site in scenarios.Rules.OverlaySites.OrderBy(s => s.Value, StringComparer.Ordinal))
            {
                if (!scenarios.Sites.TryGet(site, out _))
                {
                    failures.Add($"Site {site} has a rule overlay but no profile: call AddSite(...) for {site}.");
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    /// <summary>What the scenario extensions have been told: rule configurations, sites and the scenarios added.</summary>
    private sealed class ScenarioComposition
    {
        public List<Action<DecisionEngineBuilder>> Rules { get; } = [];

        public List<SiteProfile> Sites { get; } = [];

        public HashSet<string> Workflows { get; } = new(StringComparer.Ordinal);
    }
}
