using System.Diagnostics;
using System.Globalization;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Storage.Sqlite;
using ManufacturingOrchestration.Storage.Sqlite.CrashHost;
using ManufacturingOrchestration.Testing;

// Usage: CrashHost --db <file> --effects <file> --progress <file> --accepted <file> --lots <n> --seed <n>
//                  [--batch <n>] [--synchronous normal|full]
//                  [--audit-file <file> [--sink-batch <n>] [--hold-after-sink-write <n>] [--tear-sink-write <n>]]
// Publishes the crash scenario from where its durable progress file says (minus a window, so duplicates are exercised),
// waits until everything is processed (and, with --audit-file, exported by a JSON-lines audit sink), stops and prints
// DONE. Killing it at any moment must lose nothing. The --hold/--tear switches stop it inside the sink (InterruptingAuditSink).
var arguments = ParseArguments(args);
var lots = int.Parse(arguments["lots"], CultureInfo.InvariantCulture);
var seed = int.Parse(arguments["seed"], CultureInfo.InvariantCulture);
var batchSize = arguments.TryGetValue("batch", out var batchText) ? int.Parse(batchText, CultureInfo.InvariantCulture) : 50;
var synchronous = arguments.TryGetValue("synchronous", out var syncText) && syncText == "full" ? SqliteSynchronousMode.Full : SqliteSynchronousMode.Normal;
var progressPath = arguments["progress"];
var acceptedPath = arguments["accepted"];
using var stopping = new CancellationTokenSource(TimeSpan.FromMinutes(5));
var ct = stopping.Token;

var site = new SiteId("P1");
var material = new MaterialId("CAP-100UF");
var supplier = new SupplierId("S-ACME");
var siteProfile = new SiteProfile { Id = site, HoldLocation = new BinId("HOLD-P1") };

await using var store = SqliteOrchestrationStore.Open(arguments["db"], new SqliteStoreOptions { Synchronous = synchronous });
using var plant = new PlantSimulator(new PlantSimulatorOptions { EffectsLogPath = arguments["effects"], RecordCalls = false, Seed = seed });
plant.AddSite(siteProfile);
plant.AddMaterial(new MaterialDefinition { Id = material, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = supplier });
for (var lot = 0; lot < lots; lot++)
{
    // The simulators keep stock in memory: every start seeds them identically; idempotency comes from the effects log.
    plant.AddLot(
        new MaterialLot
        {
            Id = new LotId(CrashScenario.LotId(lot)),
            Material = material,
            Site = site,
            Supplier = supplier,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100 + (lot % 7)) }],
        },
        new BinId("RCV-P1"));
}

// A restart re-seeds the simulators, but a real WMS keeps the postings the ERP passed to it before the kill: the
// quarantines applied then (their keys are in the effects log, so they are not posted again) left blocked stock that a
// hold move of the restarted run takes from. Seed that stock too, so the WMS is not emptier than the plant it stands for.
if (ReadProgress(progressPath) > 0)
{
    for (var lot = 0; lot < lots; lot++)
    {
        plant.Wms.AddStock(new LotId(CrashScenario.LotId(lot)), new BinId("RCV-P1"), Quantity.Each(100 + (lot % 7)), StockCategory.Blocked);
    }
}

var services = new ScenarioServices(new DecisionEngineBuilder().AddStandardRules().Build(), new SiteDirectory([siteProfile]));
var options = new OrchestratorOptions
{
    Store = store,
    Adapters = plant.Adapters,
    Settings = { Parallelism = 2, JitterSeed = seed },
    Actors = new InMemoryActorDirectory(),
};
options.Workflows.Add(IncomingInspectionWorkflow.Create(services));
using var auditFile = arguments.TryGetValue("audit-file", out var auditPath)
    ? new JsonLinesAuditSink(new JsonLinesAuditSinkOptions { Path = auditPath, Name = "audit-file" })
    : null;
if (auditFile is not null)
{
    options.AuditSinks.Add(new InterruptingAuditSink(auditFile, Number("hold-after-sink-write"), Number("tear-sink-write")));
    options.Settings.AuditSinkDelivery.BatchSize = arguments.ContainsKey("sink-batch") ? Number("sink-batch") : options.Settings.AuditSinkDelivery.BatchSize;
}

await using var orchestrator = new Orchestrator(options);
await orchestrator.StartAsync(ct);
Console.WriteLine("READY");

var events = CrashScenario.Events(lots, seed);
var progress = ReadProgress(progressPath);
var from = Math.Max(0, progress - 500);
var clock = Stopwatch.StartNew();
using (var acceptedLog = new FileStream(acceptedPath, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.WriteThrough))
{
    for (var i = from; i < events.Count; i += batchSize)
    {
        var slice = events.Skip(i).Take(batchSize).ToArray();
        var results = await orchestrator.PublishBatchAsync(slice.Select(e => Envelope(e, site, material, supplier)).ToArray(), ct);
        var lines = new System.Text.StringBuilder();
        for (var r = 0; r < results.Count; r++)
        {
            switch (results[r].Status)
            {
                case PublishStatus.Accepted:
                    lines.Append(slice[r].EventId).Append('\n');
                    break;
                case PublishStatus.Duplicate:
                    break;
                default:
                    Console.WriteLine($"REJECTED {slice[r].EventId}: {string.Join("; ", results[r].Errors.Select(e => e.Message))}");
                    return 3;
            }
        }

        acceptedLog.Write(System.Text.Encoding.UTF8.GetBytes(lines.ToString()));
        acceptedLog.Flush(flushToDisk: true);
        WriteProgress(progressPath, i + slice.Length);
        Console.WriteLine($"PUBLISHED {i + slice.Length}");
    }
}

await orchestrator.WaitForIdleAsync(ct);
if (auditFile is not null)
{
    await orchestrator.WaitForAuditSinksAsync(ct);
}

var elapsed = clock.Elapsed;
Console.WriteLine(FormattableString.Invariant($"IDLE published={events.Count - from} seconds={elapsed.TotalSeconds:F2} events/s={(events.Count - from) / elapsed.TotalSeconds:F0}"));
await orchestrator.StopAsync(ct);
Console.WriteLine("DONE");
return 0;

int Number(string name) => arguments.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;

static EventEnvelope Envelope(CrashScenarioEvent e, SiteId site, MaterialId material, SupplierId supplier) => new()
{
    Id = e.EventId,
    Source = CrashScenario.Source,
    Type = e.Failed ? EventTypes.InspectionFailed : EventTypes.InspectionPassed,
    Site = site,
    Sequence = e.Sequence,
    Data = e.Failed
        ? new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + e.Lot),
            Lot = new LotId(e.Lot),
            Material = material,
            Site = site,
            Supplier = supplier,
            Severity = DefectSeverity.Major,
            DefectDescription = "Capacitance out of tolerance",
        }
        : new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + e.Lot), Lot = new LotId(e.Lot), Material = material, Site = site },
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

static int ReadProgress(string path)
{
    try
    {
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }
    catch (IOException)
    {
        return 0;
    }
}

static void WriteProgress(string path, int value)
{
    var temp = path + ".tmp";
    using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64, FileOptions.WriteThrough))
    {
        file.Write(System.Text.Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
        file.Flush(flushToDisk: true);
    }

    File.Move(temp, path, overwrite: true);
}
