using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

/// <summary>An <see cref="EngineTestHost"/> running every shipped scenario workflow, with a JSON-file traceability repository.</summary>
internal sealed class ScenarioTestHost : IAsyncDisposable
{
    private static readonly Lazy<DecisionEngine> SharedRules = new(() => new DecisionEngineBuilder().AddStandardRules().Build());

    public static readonly ActorId QualityManagerId = new("qm-bob");
    public static readonly MaterialId Board = new("PCB-1");

    private ScenarioTestHost(EngineTestHost host, ScenarioServices services, JsonFileTraceabilityRepository traceability, string directory)
    {
        Host = host;
        Services = services;
        Traceability = traceability;
        TraceabilityDirectory = directory;
    }

    public EngineTestHost Host { get; }

    public ScenarioServices Services { get; }

    public JsonFileTraceabilityRepository Traceability { get; }

    public string TraceabilityDirectory { get; }

    public Orchestrator Orchestrator => Host.Orchestrator;

    public Testing.PlantSimulator Plant => Host.Plant;

    public static CancellationToken Ct => EngineTestHost.Ct;

    /// <summary>Starts the host; <paramref name="rules"/> replaces the shared standard rules (customer requirements, say), <paramref name="adapters"/> the plant's adapters.</summary>
    public static async Task<ScenarioTestHost> StartAsync(bool regulated = false, ScrapSpikeSettings? scrapSpike = null, bool withTraceability = true, ErpSimulatorProfile erpProfile = ErpSimulatorProfile.SapLike, DecisionEngine? rules = null, Func<Testing.PlantSimulator, AdapterSet>? adapters = null)
    {
        var site = new SiteProfile { Id = EngineTestHost.Site, HoldLocation = new BinId("HOLD-P1"), IsRegulated = regulated };
        // The quality manager who releases and authorizes in these tests holds the role at the site; the workflows look
        // releasers up in the same directory the orchestrator checks signers against.
        var actors = new InMemoryActorDirectory([
            new Actor { Id = EngineTestHost.OperatorId, Roles = [new RoleAssignment { Role = Role.OrchestrationOperator }] },
            new Actor { Id = QualityManagerId, Roles = [new RoleAssignment { Role = Role.QualityManager, Site = EngineTestHost.Site }] },
        ]);
        var services = new ScenarioServices(rules ?? SharedRules.Value, new SiteDirectory([site])) { ScrapSpike = scrapSpike ?? new ScrapSpikeSettings(), Actors = actors };
        var directory = Path.Combine(Path.GetTempPath(), "mo-traceability-" + Guid.NewGuid().ToString("N"));
        JsonFileTraceabilityRepository? repository = null;
        var host = new EngineTestHost(
            options =>
            {
                options.Actors = actors;
                repository = new JsonFileTraceabilityRepository(directory, options.TimeProvider);
                if (withTraceability)
                {
                    options.Adapters.Add(CommandKinds.TraceabilitySystem, new TraceabilityRepositoryAdapter(repository));
                }
            },
            workflows:
            [
                IncomingInspectionWorkflow.Create(services),
                MrbDispositionWorkflow.Create(services),
                FinishedGoodsReleaseWorkflow.Create(services),
                ScrapSpikeWorkflow.Create(services),
                ProductionConfirmationWorkflow.Create(services),
                LotContainmentWorkflow.Create(services),
                WorkOrderHoldWorkflow.Create(services),
            ],
            adapters: adapters,
            erpProfile: erpProfile);
        await host.StartAsync();
        return new ScenarioTestHost(host, services, repository!, directory);
    }

    /// <summary>Adds a lot of capacitors from the test supplier, all in one category.</summary>
    public MaterialLot AddLot(string lotId, decimal quantity, StockCategory category, MaterialId? material = null)
    {
        var lot = new MaterialLot
        {
            Id = new LotId(lotId),
            Material = material ?? EngineTestHost.Capacitor,
            Site = EngineTestHost.Site,
            Supplier = material is null ? EngineTestHost.Supplier : null,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = category, Quantity = Quantity.Each(quantity) }],
            QualityDecision = category == StockCategory.Blocked ? QualityDecision.Rejected : QualityDecision.Pending,
        };
        Plant.AddLot(lot, new BinId("RCV-P1"));
        return lot;
    }

    public async Task PublishAndWaitAsync(params EventEnvelope[] events) => await Host.PublishAndWaitAsync(events);

    public async Task<IReadOnlyList<Engine.Audit.AuditRecord>> AuditOfAsync(string partitionKey) =>
        await Orchestrator.GetAuditTrailAsync(partitionKey, Ct);

    public async Task ShouldHaveNoDeadLettersAsync() =>
        (await Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty(await Host.DescribeDeadLettersAsync());

    public async Task ShouldHaveValidAuditAsync() =>
        (await Orchestrator.Audit.VerifyAllAsync(Ct)).IsValid.Should().BeTrue();

    public int ErpMovements(string movementType) =>
        Plant.Effects.Records.Count(r => r.System == CommandKinds.ErpSystem && r.Summary.StartsWith(movementType + " ", StringComparison.Ordinal));

    public static EventEnvelope Envelope(string eventId, string type, EventPayload data, DateTimeOffset? time = null, string source = "mes://plant-1") => new()
    {
        Id = eventId,
        Source = source,
        Type = type,
        Site = EngineTestHost.Site,
        Time = time,
        Data = data,
    };

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        try
        {
            Directory.Delete(TraceabilityDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
