using System.Globalization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Storage.PostgreSql;
using ManufacturingOrchestration.Storage.PostgreSql.NodeHost;
using ManufacturingOrchestration.Testing;
using Npgsql;

// Usage: NodeHost --connection <string> --schema <name> --node <index> --nodes <count> --effects <file>
//                 --lots <n> --events-per-lot <n> --seed <n> [--lease-ms <n>] [--poll-ms <n>]
// Runs one clustered node: publishes its share of the cluster scenario (the lots whose number modulo --nodes is --node),
// prints PUBLISHED, then a STATUS line every 200 ms, until a line "stop" arrives on its input: then it stops gracefully and
// prints DONE with its lease losses. Killing, stopping (SIGSTOP) or continuing it at any moment must lose nothing.
var arguments = ParseArguments(args);
var node = Number("node");
var nodes = Number("nodes");
var lots = Number("lots");
var eventsPerLot = Number("events-per-lot");
var seed = Number("seed");
using var stopping = new CancellationTokenSource(TimeSpan.FromMinutes(5));
var ct = stopping.Token;

var site = new SiteId("P1");
var material = new MaterialId("CAP-100UF");
var supplier = new SupplierId("S-ACME");
var siteProfile = new SiteProfile { Id = site, HoldLocation = new BinId("HOLD-P1") };

await using var store = await PostgreSqlOrchestrationStore.OpenAsync(
    new PostgreSqlStoreOptions
    {
        ConnectionString = arguments["connection"],
        Schema = arguments["schema"],
        RetentionWindow = null,

        // A stopped node's open transaction gives up its locks within a lease, as the store's documentation advises; not
        // much less, so that a node merely slowed down by a loaded machine keeps its transactions.
        IdleInTransactionTimeout = TimeSpan.FromMilliseconds((arguments.ContainsKey("lease-ms") ? Number("lease-ms") : 3000) * 2 / 3),
    },
    cancellationToken: ct);

// Each node has simulators of its own, seeded alike, and an effects log of its own (crash-proof: flushed before the
// simulator answers success).
using var plant = new PlantSimulator(new PlantSimulatorOptions { EffectsLogPath = arguments["effects"], RecordCalls = false, Seed = seed });
plant.AddSite(siteProfile);
plant.AddMaterial(new MaterialDefinition { Id = material, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = supplier });
for (var lot = 0; lot < lots; lot++)
{
    plant.AddLot(
        new MaterialLot
        {
            Id = new LotId(ClusterScenario.LotId(lot)),
            Material = material,
            Site = site,
            Supplier = supplier,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100) }],
        },
        new BinId("RCV-P1"));
}

var services = new ScenarioServices(new DecisionEngineBuilder().AddStandardRules().Build(), new SiteDirectory([siteProfile]));
var options = new OrchestratorOptions
{
    Store = store,
    Adapters = new AdapterSet()
        .Add(CommandKinds.ErpSystem, plant.Erp)
        .Add(CommandKinds.MesSystem, plant.Mes)
        .Add(CommandKinds.QmsSystem, plant.Qms)
        .Add(CommandKinds.WmsSystem, plant.Wms)
        .Add(CommandKinds.ProcurementSystem, plant.Procurement)
        .Add(CommandKinds.NotificationSystem, new SlaProbe.LateNotifications(plant.Notification)),
    Actors = new InMemoryActorDirectory(),
    Settings =
    {
        NodeId = "node-" + node.ToString(CultureInfo.InvariantCulture),
        Parallelism = 2,
        JitterSeed = seed,
        Cluster =
        {
            Enabled = true,
            BucketCount = 64,
            LeaseDuration = TimeSpan.FromMilliseconds(arguments.ContainsKey("lease-ms") ? Number("lease-ms") : 3000),
            PollInterval = TimeSpan.FromMilliseconds(arguments.ContainsKey("poll-ms") ? Number("poll-ms") : 500),
        },
    },
};
options.Workflows.Add(IncomingInspectionWorkflow.Create(services));
options.Workflows.Add(SlaProbe.Create());

await using var orchestrator = new Orchestrator(options);
await orchestrator.StartAsync(ct);
Console.WriteLine("READY");

var mine = ClusterScenario.Events(lots, eventsPerLot, seed).Where(e => e.Lot % nodes == node).ToArray();
for (var i = 0; i < mine.Length; i += 50)
{
    var slice = mine.Skip(i).Take(50).ToArray();
    IReadOnlyList<PublishResult> results;
    for (var attempt = 1; ; attempt++)
    {
        try
        {
            results = await orchestrator.PublishBatchAsync(slice.Select(e => Envelope(e, site, material, supplier)).ToArray(), ct);
            break;
        }
        catch (NpgsqlException e) when (attempt < 10)
        {
            // As a publisher does: what the store did not accept (its transaction ended by the server on a loaded machine,
            // say) is sent again; what it did accept comes back as a duplicate.
            Console.Error.WriteLine($"RETRY publish: {e.Message}");
            await Task.Delay(200, ct);
        }
    }

    foreach (var (result, e) in results.Zip(slice))
    {
        if (result.Status == PublishStatus.Rejected)
        {
            Console.WriteLine($"REJECTED {e.EventId}: {string.Join("; ", result.Errors.Select(x => x.Message))}");
            return 3;
        }
    }
}

Console.WriteLine("PUBLISHED");
var stop = Task.Run(() => Console.In.ReadLine(), CancellationToken.None);
while (!stop.IsCompleted)
{
    var status = orchestrator.Cluster!;
    Console.WriteLine(FormattableString.Invariant($"STATUS owned={status.OwnedBuckets.Count} singleton={status.HoldsSingleton} losses={status.LeaseLosses}"));
    await Task.WhenAny(stop, Task.Delay(200, ct));
}

var losses = orchestrator.Cluster!.LeaseLosses;
await orchestrator.StopAsync(ct);
Console.WriteLine(FormattableString.Invariant($"DONE losses={losses}"));
return 0;

int Number(string name) => int.Parse(arguments[name], CultureInfo.InvariantCulture);

static EventEnvelope Envelope(ClusterScenarioEvent e, SiteId site, MaterialId material, SupplierId supplier) => new()
{
    Id = e.EventId,
    Source = ClusterScenario.Source,
    Type = e.Failed ? EventTypes.InspectionFailed : EventTypes.InspectionPassed,
    Site = site,
    Sequence = e.Sequence,
    Data = e.Failed
        ? new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + e.LotId),
            Lot = new LotId(e.LotId),
            Material = material,
            Site = site,
            Supplier = supplier,
            Severity = DefectSeverity.Major,
            DefectDescription = "Capacitance out of tolerance",
        }
        : new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + e.LotId), Lot = new LotId(e.LotId), Material = material, Site = site },
};

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        result[args[i].TrimStart('-')] = args[i + 1];
    }

    return result;
}
