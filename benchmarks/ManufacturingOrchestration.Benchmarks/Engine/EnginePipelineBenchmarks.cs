using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.StateMachines;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Benchmarks.Engine;

/// <summary>
/// The full engine pipeline per event on the in-memory store, for the standard incoming-inspection scenario (every
/// fifth lot fails; failed lots are quarantined, moved to hold, procurement is notified, class A lots get a supplier
/// case): publish → de-duplicate → per-key worker → enrich → decide → transition → plan → group commit with audit →
/// execute against the simulators → commit outcomes. Each invocation publishes <see cref="EventsPerInvoke"/> events
/// on fresh lots and waits until idle; results are per event.
/// The baseline is the same decisions, transitions and simulator calls as plain single-threaded method calls: no
/// store, no audit, no outbox, no ordering or retry guarantees.
/// </summary>
[MemoryDiagnoser]
public class EnginePipelineBenchmarks
{
    /// <summary>Events per invocation.</summary>
    public const int EventsPerInvoke = 2_000;

    private static readonly SiteProfile Site = new() { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") };
    private static readonly DecisionEngine Rules = new DecisionEngineBuilder().AddStandardRules().Build();
    private readonly MaterialDefinition[] _materials = CreateMaterials();
    private int _round;
    private PlantSimulator _plant = null!;
    private MaterialLot[] _lots = null!;
    private EventEnvelope[] _events = null!;
    private ServiceProvider? _provider;
    private Orchestrator? _orchestrator;
    private ActivityListener? _listener;

    [IterationSetup(Target = nameof(DirectCalls))]
    public void SetupDirect() => CreatePlant();

    [IterationSetup(Target = nameof(EngineOneWorker))]
    public void SetupOneWorker() => CreateEngine(parallelism: 1);

    [IterationSetup(Target = nameof(EngineTwoWorkers))]
    public void SetupTwoWorkers() => CreateEngine(parallelism: 2);

    [IterationSetup(Target = nameof(EngineTwoWorkersTraced))]
    public void SetupTwoWorkersTraced()
    {
        // Every span recorded, as an exporter would: what tracing costs when it is on (off, it costs nothing: the rows above).
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OrchestrationTelemetry.Name,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
        CreateEngine(parallelism: 2);
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _listener = null;
        if (_orchestrator is not null)
        {
            _orchestrator.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            _orchestrator = null;
        }

        _provider?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _provider = null;
        _plant.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventsPerInvoke, Description = "direct method calls (no guarantees)")]
    public int DirectCalls()
    {
        var effects = 0;
        var today = DateOnly.FromDateTime(new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc));
        for (var k = 0; k < _events.Length; k++)
        {
            var envelope = _events[k];
            var lot = _lots[k];
            var facts = new FactSet { Event = envelope.Data, Lot = lot, Material = _materials[k % _materials.Length], Site = Site };
            var decisions = Rules.Decide(facts);
            var explanation = decisions.Describe();
            foreach (var decision in decisions.Decisions)
            {
                var context = new CommandContext { IdempotencyKey = envelope.Id + ":" + decision.GetType().Name, CorrelationId = envelope.Id, Site = Site.Id };
                AdapterCommand? command = decision switch
                {
                    QuarantineLot => LotStockMachine.BlockFromInspection(lot, null, LotPolicy.Default, today).Value is not null
                        ? new ChangeStockCategoryRequest { Context = context, Lot = lot.Id, Material = lot.Material, Site = lot.Site, Quantity = lot.TotalQuantity, FromCategory = StockCategory.QualityInspection, ToCategory = StockCategory.Blocked }
                        : null,
                    ReleaseLot => LotStockMachine.ReleaseFromInspection(lot, null, LotPolicy.Default, today).Value is not null
                        ? new ChangeStockCategoryRequest { Context = context, Lot = lot.Id, Material = lot.Material, Site = lot.Site, Quantity = lot.TotalQuantity, FromCategory = StockCategory.QualityInspection, ToCategory = StockCategory.Unrestricted }
                        : null,
                    MoveStockToHold hold => new CreateMoveTaskRequest { Context = context, Lot = hold.Lot, Site = hold.Site, ToBin = Site.HoldLocation!.Value, TargetCategory = StockCategory.Blocked },
                    NotifyProcurement notify => new SendNotificationRequest { Context = context, Roles = [Role.Buyer], Site = notify.Site, Subject = "Supply affected", Body = notify.Message, Lot = notify.Lot },
                    OpenSupplierCase open => new OpenSupplierCaseRequest { Context = context, Supplier = open.Supplier, Problem = "Incoming inspection failed", Lots = [open.Lot], Material = open.Material, Severity = open.Severity },
                    _ => null,
                };
                if (command is not null && _plant.ExecuteAsync(command, CancellationToken.None).AsTask().GetAwaiter().GetResult().IsSuccess)
                {
                    effects++;
                }
            }

            effects += explanation.Length > 0 ? 0 : -1;
        }

        return effects;
    }

    [Benchmark(OperationsPerInvoke = EventsPerInvoke, Description = "engine, in-memory store, 1 worker")]
    public long EngineOneWorker() => PublishAndWait();

    [Benchmark(OperationsPerInvoke = EventsPerInvoke, Description = "engine, in-memory store, 2 workers")]
    public long EngineTwoWorkers() => PublishAndWait();

    [Benchmark(OperationsPerInvoke = EventsPerInvoke, Description = "engine, in-memory store, 2 workers, every span recorded")]
    public long EngineTwoWorkersTraced() => PublishAndWait();

    private long PublishAndWait()
    {
        var orchestrator = _orchestrator!;
        for (var start = 0; start < _events.Length; start += 256)
        {
            var batch = new ArraySegment<EventEnvelope>(_events, start, Math.Min(256, _events.Length - start));
            orchestrator.PublishBatchAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        orchestrator.WaitForIdleAsync(CancellationToken.None).GetAwaiter().GetResult();
        return orchestrator.Backlog;
    }

    private void CreateEngine(int parallelism)
    {
        CreatePlant();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(builder => builder
            .UseStore(new InMemoryOrchestrationStore())
            .UseAdapters(_plant.Adapters)
            .AddIncomingInspection()
            .AddSite(Site)
            .Configure(o => o.Settings.Parallelism = parallelism));
        _provider = services.BuildServiceProvider();
        _orchestrator = _provider.GetRequiredService<Orchestrator>();
        _orchestrator.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private void CreatePlant()
    {
        var round = ++_round;
        _plant = new PlantSimulator(new PlantSimulatorOptions { RecordCalls = false });
        _plant.AddSite(Site);
        foreach (var material in _materials)
        {
            _plant.AddMaterial(material);
        }

        _lots = new MaterialLot[EventsPerInvoke];
        _events = new EventEnvelope[EventsPerInvoke];
        for (var k = 0; k < EventsPerInvoke; k++)
        {
            var material = _materials[k % _materials.Length];
            var id = new LotId(string.Create(CultureInfo.InvariantCulture, $"L-{round}-{k}"));
            var lot = new MaterialLot
            {
                Id = id,
                Material = material.Id,
                Site = Site.Id,
                Supplier = material.Supplier,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100) }],
            };
            _plant.AddLot(lot, new BinId("RCV-P1"));
            _lots[k] = lot;
            var inspectionLot = new InspectionLotId("IL-" + id.Value);
            _events[k] = new EventEnvelope
            {
                Id = string.Create(CultureInfo.InvariantCulture, $"insp-{round}-{k}"),
                Source = "qms://benchmark",
                Type = k % 5 == 0 ? EventTypes.InspectionFailed : EventTypes.InspectionPassed,
                Site = Site.Id,
                Data = k % 5 == 0
                    ? new InspectionFailed { InspectionLot = inspectionLot, Lot = id, Material = material.Id, Site = Site.Id, Supplier = material.Supplier, Severity = k % 15 == 0 ? DefectSeverity.Critical : DefectSeverity.Major, DefectDescription = "Dimension out of tolerance" }
                    : new InspectionPassed { InspectionLot = inspectionLot, Lot = id, Material = material.Id, Site = Site.Id },
            };
        }
    }

    private static MaterialDefinition[] CreateMaterials()
    {
        var materials = new MaterialDefinition[500];
        for (var i = 0; i < materials.Length; i++)
        {
            materials[i] = new MaterialDefinition
            {
                Id = new MaterialId(string.Create(CultureInfo.InvariantCulture, $"M-{i:D3}")),
                BaseUnit = UnitOfMeasure.Each,
                Criticality = (i % 10) switch { 0 => CriticalityClass.A, 1 or 2 or 3 => CriticalityClass.B, _ => CriticalityClass.C },
                Supplier = new SupplierId(string.Create(CultureInfo.InvariantCulture, $"S{i % 50}")),
            };
        }

        return materials;
    }
}
