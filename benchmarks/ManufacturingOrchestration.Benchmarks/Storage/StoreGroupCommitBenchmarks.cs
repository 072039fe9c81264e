using BenchmarkDotNet.Attributes;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Storage.Sqlite;

namespace ManufacturingOrchestration.Benchmarks.Storage;

/// <summary>
/// What the store does for <see cref="Steps"/> failed incoming inspections handled in one worker round, as the engine
/// drives it: one accept batch of the events, one group commit of the steps (new lot state, event processed, four
/// planned commands, one audit record each), one group commit of the outcomes (four commands completed, one audit record
/// each). One operation = <see cref="Steps"/> events end to end through the store; events/s = Steps / mean. The
/// baseline is the in-memory store; the SQLite store runs on a temp file in WAL mode with synchronous=NORMAL.
/// </summary>
[MemoryDiagnoser]
public class StoreGroupCommitBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private static readonly SiteId Site = new("plant-1");
    private static readonly MaterialId Material = new("CAP-100UF");
    private static readonly OperationRegistry Operations = OperationRegistry.CreateDefault();
    private InMemoryOrchestrationStore _memory = null!;
    private SqliteOrchestrationStore _sqlite = null!;
    private string _folder = null!;
    private long _round;

    /// <summary>Steps grouped in one commit (the engine groups up to its MaxBatchSize, default 256).</summary>
    [Params(1, 32, 256)]
    public int Steps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "mo-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _memory = new InMemoryOrchestrationStore();
        _sqlite = SqliteOrchestrationStore.Open(Path.Combine(_folder, "bench.db"), new SqliteStoreOptions { RetentionWindow = null });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sqlite.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task InMemory() => RoundAsync(_memory);

    [Benchmark]
    public Task Sqlite() => RoundAsync(_sqlite);

    private async Task RoundAsync(IOrchestrationStore store)
    {
        var round = Interlocked.Increment(ref _round);
        var events = new InboxEvent[Steps];
        for (var i = 0; i < Steps; i++)
        {
            events[i] = NewEvent($"L-{round}-{i}");
        }

        await store.AcceptAsync(events, new bool[Steps], CancellationToken.None);
        var steps = new StepCommit[Steps];
        var outcomes = new StepCommit[Steps];
        for (var i = 0; i < Steps; i++)
        {
            (steps[i], outcomes[i]) = NewStep(events[i]);
        }

        await store.CommitAsync(steps, CancellationToken.None);
        await store.CommitAsync(outcomes, CancellationToken.None);
    }

    private static InboxEvent NewEvent(string lot) => new()
    {
        Key = new EventKey("qms://plant-1", "evt-" + lot),
        PartitionKey = lot,
        AcceptedAt = T0,
        Envelope = new EventEnvelope
        {
            Id = "evt-" + lot,
            Source = "qms://plant-1",
            Type = EventTypes.InspectionFailed,
            Time = T0,
            Site = Site,
            Data = new InspectionFailed
            {
                InspectionLot = new InspectionLotId("IL-" + lot),
                Lot = new LotId(lot),
                Material = Material,
                Site = Site,
                Supplier = new SupplierId("S-ACME"),
                Severity = DefectSeverity.Major,
                DefectDescription = "Capacitance out of tolerance",
            },
        },
    };

    private static (StepCommit Step, StepCommit Outcome) NewStep(InboxEvent inboxEvent)
    {
        var key = inboxEvent.PartitionKey;
        var lot = new MaterialLot
        {
            Id = new LotId(key),
            Material = Material,
            Site = Site,
            Supplier = new SupplierId("S-ACME"),
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.Blocked, Quantity = Quantity.Each(500) }],
        };
        var context = new CommandContext { IdempotencyKey = "k", CorrelationId = "corr-" + key, Site = Site };
        AdapterCommand[] requests =
        [
            new ChangeStockCategoryRequest { Context = context, Lot = lot.Id, Material = Material, Site = Site, Quantity = Quantity.Each(500), FromCategory = StockCategory.QualityInspection, ToCategory = StockCategory.Blocked },
            new CreateMoveTaskRequest { Context = context, Lot = lot.Id, Site = Site, ToBin = new BinId("HOLD-P1") },
            new SendNotificationRequest { Context = context, Roles = [Role.Buyer], Site = Site, Subject = $"Lot {key} failed incoming inspection" },
            new SendNotificationRequest { Context = context, Roles = [Role.QualityEngineer], Site = Site, Subject = $"Supplier case for lot {key}" },
        ];
        var commands = requests.Select((request, ordinal) => new OutboxEntry
        {
            IdempotencyKey = $"mo1-{key}-{ordinal}",
            PartitionKey = key,
            Ordinal = ordinal,
            Kind = request.Kind,
            Payload = CommandPayload.Of(request with { Context = context with { IdempotencyKey = $"mo1-{key}-{ordinal}" } }, Operations),
            CorrelationId = "corr-" + key,
            CausedBy = inboxEvent.Key,
            Step = "decide",
            Workflow = "incoming-inspection@1",
            CreatedAt = T0,
        }).ToArray();
        var processed = Audit(key, AuditHead.Genesis, "processed", out var head);
        var state = new PartitionState { Key = key, Version = 1, Lot = lot, NextCommandOrdinal = commands.Length, AuditHead = head };
        var completed = Audit(key, head, "commands-completed", out var completedHead);
        return (
            new StepCommit { PartitionKey = key, ExpectedVersion = 0, NewState = state, ProcessedEvents = [inboxEvent.Key], NewCommands = commands, Audit = [processed] },
            new StepCommit
            {
                PartitionKey = key,
                ExpectedVersion = 1,
                NewState = state with { Version = 2, AuditHead = completedHead },
                UpdatedCommands = [.. commands.Select(c => c with { Status = OutboxStatus.Completed, Attempts = 1 })],
                Audit = [completed],
            });
    }

    private static AuditRecord Audit(string key, AuditHead head, string action, out AuditHead newHead) => AuditHashes.Chain(
        head,
        new AuditRecord
        {
            PartitionKey = key,
            Sequence = 0,
            RecordedAt = T0,
            Actor = "system:incoming-inspection",
            Action = action,
            Reason = "mo.inspection-failed.quarantine; mo.inspection-failed.move-to-hold; mo.inspection-failed.notify-procurement",
            Explanation = "rules fired: quarantine (severity major), move to hold (site hold location HOLD-P1), notify buyer, supplier case (class A)",
            Workflow = "incoming-inspection",
            WorkflowVersion = 1,
            Event = new EventKey("qms://plant-1", "evt-" + key),
            CorrelationId = "corr-" + key,
            Before = "QualityInspection 500 EA",
            After = "Blocked 500 EA",
            PreviousHash = string.Empty,
            Hash = string.Empty,
        },
        out newHead);
}
