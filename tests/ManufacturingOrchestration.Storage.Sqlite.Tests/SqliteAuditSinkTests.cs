using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Storage.Sqlite.Tests;

/// <summary>Audit sinks over the SQLite store: the delivery cursors live in the file and outlast the process.</summary>
public sealed class SqliteAuditSinkTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder;

    public SqliteAuditSinkTests(TempFolder folder)
    {
        _folder = folder;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Orchestrator_RestartedOnTheReopenedFile_EachSinkResumesAfterItsSavedCursor()
    {
        var database = _folder.NewDatabasePath("sinks");
        var export = Path.Combine(_folder.NewFolder("export"), "audit.jsonl");
        var firstRun = new CollectingSink("siem");
        await RunAsync(database, export, firstRun, "S-1", "S-2", "S-3");

        var secondRun = new CollectingSink("siem");
        await RunAsync(database, export, secondRun, "S-4", "S-5");

        // Keys are committed in parallel: within a run the order across keys is the store's commit order.
        firstRun.Ids.Should().BeEquivalentTo("supplier/S-1#1", "supplier/S-2#1", "supplier/S-3#1");
        secondRun.Ids.Should().BeEquivalentTo(["supplier/S-4#1", "supplier/S-5#1"], "the cursor saved in the file marks what the sink already holds");
        var exported = new List<string>();
        await foreach (var record in JsonLinesAuditSink.ReadRecordsAsync(export, Ct))
        {
            exported.Add($"{record.PartitionKey}#{record.Sequence}");
        }

        exported.Should().Equal(firstRun.Ids.Concat(secondRun.Ids), "both sinks get the feed in commit order, each record once");
    }

    /// <summary>One process lifetime: compose over the file, publish supplier updates (one audit record each), wait for the sinks, stop.</summary>
    private static async Task RunAsync(string database, string export, CollectingSink sink, params string[] suppliers)
    {
        using var plant = new PlantSimulator();
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo
            .UseSqlite(database)
            .UseAdapters(plant.Adapters)
            .AddSite(new SiteProfile { Id = new SiteId("P1"), HoldLocation = new BinId("HOLD-P1") })
            .AddIncomingInspection()
            .AddAuditSink(sink)
            .AddAuditSink(_ => new JsonLinesAuditSink(new JsonLinesAuditSinkOptions { Path = export })));
        await using var provider = services.BuildServiceProvider();
        var orchestrator = provider.GetRequiredService<Orchestrator>();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(Limit);
        await orchestrator.StartAsync(limit.Token);
        foreach (var supplier in suppliers)
        {
            var result = await orchestrator.PublishAsync(
                new EventEnvelope
                {
                    Id = "update-" + supplier,
                    Source = "srm://p1",
                    Type = EventTypes.SupplierUpdated,
                    Data = new SupplierUpdated { Supplier = new SupplierId(supplier), Change = "approved" },
                },
                limit.Token);
            result.Status.Should().Be(PublishStatus.Accepted);
        }

        await orchestrator.WaitForIdleAsync(limit.Token);
        await orchestrator.WaitForAuditSinksAsync(limit.Token);
        await orchestrator.StopAsync(limit.Token);
    }

    private sealed class CollectingSink(string name) : IAuditSink
    {
        private readonly List<string> _ids = [];

        public string Name { get; } = name;

        public IReadOnlyList<string> Ids
        {
            get
            {
                lock (_ids)
                {
                    return [.. _ids];
                }
            }
        }

        public ValueTask WriteAsync(IReadOnlyList<AuditRecord> batch, CancellationToken cancellationToken = default)
        {
            lock (_ids)
            {
                _ids.AddRange(batch.Select(r => $"{r.PartitionKey}#{r.Sequence}"));
            }

            return ValueTask.CompletedTask;
        }
    }
}
