using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Storage.PostgreSql.Tests;

/// <summary>
/// Three clustered orchestrator nodes on one PostgreSQL schema, each with a store instance (own connections, own LISTEN
/// connection) and a fake clock of its own, all sending to one plant. A node whose clock stands still is a paused
/// process: its leases run out on the others' clocks while it still believes it holds them.
/// </summary>
public sealed class PostgreSqlClusteredOrchestratorTests : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private static readonly SiteId Site = new("P1");
    private static readonly MaterialId Material = new("CAP-100UF");
    private static readonly SupplierId Supplier = new("S-ACME");
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);

    private readonly PostgreSqlCluster _cluster;
    private readonly PlantSimulator _plant = new(new PlantSimulatorOptions { Seed = 7, RecordCalls = false });
    private readonly List<Node> _nodes = [];

    public PostgreSqlClusteredOrchestratorTests(PostgreSqlCluster cluster)
    {
        _cluster = cluster;
        _plant.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
        _plant.AddMaterial(new MaterialDefinition { Id = Material, BaseUnit = UnitOfMeasure.Each, Criticality = CriticalityClass.A, Supplier = Supplier });
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeNodes_OnePausedPastItsLease_EveryEventProcessedOnceInOrderAndThePausedNodeCannotCommit()
    {
        _cluster.SkipWhenUnavailable();
        var schema = PostgreSqlCluster.NewSchema("cluster");
        var a = await StartNodeAsync("node-a", schema);
        var b = await StartNodeAsync("node-b", schema);
        var c = await StartNodeAsync("node-c", schema);
        await UntilAsync(() => Task.FromResult(_nodes.All(n => n.Orchestrator.Cluster!.OwnedBuckets.Count == 4)), a, b, c);
        _nodes.SelectMany(n => n.Orchestrator.Cluster!.OwnedBuckets).Should().OnlyHaveUniqueItems().And.HaveCount(12, "the buckets are split between the nodes");

        const int Lots = 30;
        for (var lot = 0; lot < Lots; lot++)
        {
            _plant.AddLot(
                new MaterialLot
                {
                    Id = new LotId(LotId(lot)),
                    Material = Material,
                    Site = Site,
                    Supplier = Supplier,
                    Unit = UnitOfMeasure.Each,
                    Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100) }],
                },
                new BinId("RCV-P1"));
        }

        // The first events of every lot, each lot through one node.
        for (var lot = 0; lot < Lots; lot++)
        {
            await PublishAsync(_nodes[lot % 3], Failed(lot, 1));
        }

        await UntilSettledAsync(a, b, c);

        // C pauses (its clock stands still); on A's and B's clocks its leases run out and they take its buckets over.
        var ofC = c.Orchestrator.Cluster!.OwnedBuckets;
        await UntilAsync(() => Task.FromResult(a.Orchestrator.Cluster!.OwnedBuckets.Count + b.Orchestrator.Cluster!.OwnedBuckets.Count == 12), a, b);
        c.Orchestrator.Cluster!.OwnedBuckets.Should().Equal(ofC, "the paused node has not noticed");

        // Events published to C are accepted (the store holds them); what C processes on its stale leases is refused.
        for (var lot = 0; lot < Lots; lot++)
        {
            await PublishAsync(c, Passed(lot, 2));
        }

        var cLots = Enumerable.Range(0, Lots).Where(lot => ofC.Contains(new ClusterOptions { BucketCount = 12 }.BucketOf(LotId(lot)))).ToList();
        cLots.Should().NotBeEmpty();
        await UntilAsync(() => Task.FromResult(c.Orchestrator.Cluster!.LeaseLosses > 0));
        await UntilSettledAsync(a, b);

        // C resumes, its clock caught up with the others' (as a resumed process's wall clock is): it learns its leases are
        // gone, and the three nodes share the buckets again.
        c.Time.Advance(a.Time.GetUtcNow() - c.Time.GetUtcNow());
        await UntilAsync(() => Task.FromResult(_nodes.All(n => n.Orchestrator.Cluster!.OwnedBuckets.Count == 4)), a, b, c);
        for (var lot = 0; lot < Lots; lot++)
        {
            await PublishAsync(_nodes[(lot + 1) % 3], Passed(lot, 3));
        }

        await UntilSettledAsync(a, b, c);

        var store = a.Store;
        for (var lot = 0; lot < Lots; lot++)
        {
            var trail = await store.ReadAuditAsync(LotId(lot), 1, Ct);
            trail.Where(r => r.Action is "processed" or "transition-rejected").Select(r => r.Event!.Value.Id)
                .Should().Equal([$"e-{LotId(lot)}-1", $"e-{LotId(lot)}-2", $"e-{LotId(lot)}-3"], "each event of a lot is processed once, in order, whichever node accepted it");
        }

        _plant.Effects.Records.GroupBy(r => r.IdempotencyKey).Where(g => g.Count() > 1).Select(g => g.Key).Should().BeEmpty("no command takes effect twice");
        _plant.Effects.Count.Should().BePositive();

        // A and B's own lease losses are not asserted: the test's clocks run a second a poll, and a node the machine
        // holds off the processor for a few polls loses its leases to the other as a stalled node should.

        // Checkpoints asked of B, then C, then B again (whose append conflicts with C's and continues it): one chain that
        // holds every lot's last record, whichever node wrote it.
        var first = await b.Orchestrator.CheckpointAuditAsync(Ct);
        var second = await c.Orchestrator.CheckpointAuditAsync(Ct);
        var third = await b.Orchestrator.CheckpointAuditAsync(Ct);
        second.PreviousHash.Should().Be(first.Hash);
        third.PreviousHash.Should().Be(second.Hash);
        for (var lot = 0; lot < Lots; lot++)
        {
            var trail = await store.ReadAuditAsync(LotId(lot), 1, Ct);
            third.Heads[LotId(lot)].Should().Be(new AuditHead { Count = trail.Count, Hash = trail[^1].Hash });
        }

        (await a.Orchestrator.Audit.VerifyAllAsync(Ct)).Violations.Should().BeEmpty();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.Orchestrator.DisposeAsync();
            await node.Store.DisposeAsync();
        }

        _plant.Dispose();
    }

    private static string LotId(int lot) => $"L-{lot:D4}";

    private static EventEnvelope Failed(int lot, long sequence) => new()
    {
        Id = $"e-{LotId(lot)}-{sequence}",
        Source = "qms://plant-1",
        Type = EventTypes.InspectionFailed,
        Site = Site,
        Sequence = sequence,
        Data = new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + LotId(lot)),
            Lot = new LotId(LotId(lot)),
            Material = Material,
            Site = Site,
            Supplier = Supplier,
            Severity = DefectSeverity.Major,
            DefectDescription = "Capacitance out of tolerance",
        },
    };

    private static EventEnvelope Passed(int lot, long sequence) => new()
    {
        Id = $"e-{LotId(lot)}-{sequence}",
        Source = "qms://plant-1",
        Type = EventTypes.InspectionPassed,
        Site = Site,
        Sequence = sequence,
        Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + LotId(lot)), Lot = new LotId(LotId(lot)), Material = Material, Site = Site },
    };

    private static async Task PublishAsync(Node node, EventEnvelope envelope) =>
        (await node.Orchestrator.PublishAsync(envelope, Ct)).Status.Should().Be(PublishStatus.Accepted, envelope.Id);

    private async Task<Node> StartNodeAsync(string id, string schema)
    {
        var time = new FakeTimeProvider(Start);
        var store = await PostgreSqlOrchestrationStore.OpenAsync(new PostgreSqlStoreOptions { ConnectionString = _cluster.ConnectionString, Schema = schema, RetentionWindow = null }, time, cancellationToken: Ct);
        var services = new ScenarioServices(new DecisionEngineBuilder().AddStandardRules().Build(), new SiteDirectory([new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") }]));
        var options = new OrchestratorOptions
        {
            Store = store,
            Adapters = _plant.Adapters,
            TimeProvider = time,
            Actors = new InMemoryActorDirectory(),
            Settings =
            {
                NodeId = id,
                Parallelism = 2,
                JitterSeed = 1,
                Cluster = { Enabled = true, BucketCount = 12, LeaseDuration = TimeSpan.FromSeconds(9), PollInterval = TimeSpan.FromSeconds(1) },
            },
        };
        options.Workflows.Add(IncomingInspectionWorkflow.Create(services));
        var node = new Node(new Orchestrator(options), store, time);
        _nodes.Add(node);
        await node.Orchestrator.StartAsync(Ct);
        return node;
    }

    /// <summary>Moves the given nodes' clocks a second at a time (renewals and polls run on them) until the condition holds.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, params Node[] nodes)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(Limit);
        while (!await condition())
        {
            limit.Token.ThrowIfCancellationRequested();
            foreach (var node in nodes)
            {
                node.Time.Advance(TimeSpan.FromSeconds(1));
            }

            await Task.Delay(50, limit.Token);
        }
    }

    private static Task UntilSettledAsync(params Node[] nodes) =>
        UntilAsync(
            async () => (await nodes[0].Store.ReadPendingEventsAsync(null, 0, 1, Ct)).Count == 0
                && (await nodes[0].Store.ReadPartitionsWithPendingCommandsAsync(Ct)).Count == 0
                && nodes.All(n => n.Orchestrator.Backlog == 0),
            nodes);

    private sealed record Node(Orchestrator Orchestrator, PostgreSqlOrchestrationStore Store, FakeTimeProvider Time);
}
