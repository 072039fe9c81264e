using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// Several clustered orchestrator nodes on one in-memory store, each on a fake clock of its own (so one node's lease can
/// run out while that node's clock stands still), all sending to one plant.
/// </summary>
public sealed class ClusteredOrchestratorTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoNodes_OneStore_SplitTheBucketsAndProcessEveryEventOnceInOrder()
    {
        var store = new InMemoryOrchestrationStore();
        await using var a = Node("node-a", store, plant: null);
        await using var b = Node("node-b", store, plant: a);
        await a.StartAsync();
        a.Orchestrator.Cluster!.OwnedBuckets.Should().HaveCount(8, "the only live node takes every bucket");
        await b.StartAsync();

        // A renews at a third of the lease and sees two live nodes: it gives back half; B takes them at its next round.
        await UntilAsync(() => Task.FromResult(a.Orchestrator.Cluster!.OwnedBuckets.Count == 4 && b.Orchestrator.Cluster!.OwnedBuckets.Count == 4), a, b);
        a.Orchestrator.Cluster!.OwnedBuckets.Should().NotIntersectWith(b.Orchestrator.Cluster!.OwnedBuckets);

        var lots = Enumerable.Range(0, 16).Select(i => $"LOT-{i:D3}").ToArray();
        foreach (var lot in lots)
        {
            a.AddLotInInspection(lot, 100);
        }

        // Each lot: failed then passed, published alternately to either node.
        foreach (var (lot, i) in lots.Select((l, i) => (l, i)))
        {
            (await (i % 2 == 0 ? a : b).Orchestrator.PublishAsync(EngineTestHost.Failed(lot, $"f-{lot}", sequence: 1), Ct)).Status.Should().Be(PublishStatus.Accepted);
            (await (i % 2 == 0 ? b : a).Orchestrator.PublishAsync(EngineTestHost.Passed(lot, $"p-{lot}", sequence: 2), Ct)).Status.Should().Be(PublishStatus.Accepted);
        }

        await UntilSettledAsync(store, a, b);

        await AssertEachEventProcessedOnceInOrderAsync(store, lots);
        AssertNoEffectTwice(a);
        a.Plant.Effects.Count.Should().BePositive();
        a.Orchestrator.Runtime.Heads.Should().BeEmpty("a clustered node's checkpoints read the heads from the store: keeping them here only grows");
        b.Orchestrator.Runtime.Heads.Should().BeEmpty();
        (a.Orchestrator.Cluster!.LeaseLosses + b.Orchestrator.Cluster!.LeaseLosses).Should().Be(0);
    }

    [Fact]
    public async Task StoppedNode_ItsBucketsAreTakenOverAndItsKeysProcessed()
    {
        var store = new InMemoryOrchestrationStore();
        await using var a = Node("node-a", store, plant: null);
        await using var b = Node("node-b", store, plant: a);
        await StartSplitAsync(a, b);

        await a.Orchestrator.StopAsync(Ct);
        await UntilAsync(() => Task.FromResult(b.Orchestrator.Cluster!.OwnedBuckets.Count == 8), b);

        var lots = Enumerable.Range(0, 8).Select(i => $"LOT-{i:D3}").ToArray();
        foreach (var lot in lots)
        {
            a.AddLotInInspection(lot, 100);
            (await b.Orchestrator.PublishAsync(EngineTestHost.Failed(lot, $"f-{lot}", sequence: 1), Ct)).Status.Should().Be(PublishStatus.Accepted);
        }

        await UntilSettledAsync(store, b);
        await AssertEachEventProcessedOnceInOrderAsync(store, lots, passed: false);
        AssertNoEffectTwice(a);
    }

    [Fact]
    public async Task NodeWhoseLeaseWasTaken_CannotCommit_SendsNothingAndTheNewOwnerProcessesTheEvent()
    {
        var store = new InMemoryOrchestrationStore();
        await using var a = Node("node-a", store, plant: null, buckets: 1);
        await using var b = Node("node-b", store, plant: a, buckets: 1);
        await a.StartAsync();
        a.Orchestrator.Cluster!.OwnedBuckets.Should().Equal(0);

        // A's clock stands still (a paused process); on B's, A's leases ran out: B's node takes the bucket over (in the
        // store directly, so that B does not process anything before A tried).
        b.Time.Advance(TimeSpan.FromSeconds(11));
        var now = b.Time.GetUtcNow();
        (await store.TryAcquireLeaseGrantAsync("bucket:0", "node-b", now.AddSeconds(9), now, Ct)).Should().NotBeNull();
        a.Orchestrator.Cluster!.OwnedBuckets.Should().Equal([0], "A has not noticed");

        a.AddLotInInspection("LOT-1", 100);
        (await a.Orchestrator.PublishAsync(EngineTestHost.Failed("LOT-1", "f-LOT-1", sequence: 1), Ct)).Status.Should().Be(PublishStatus.Accepted);

        // A processes the event on its stale lease (its clock is not moved: it does not renew); the store refuses the
        // fenced commit and A drops the bucket.
        await UntilAsync(() => Task.FromResult(a.Orchestrator.Cluster!.LeaseLosses == 1));
        a.Orchestrator.Cluster!.OwnedBuckets.Should().BeEmpty();
        a.Plant.Effects.Count.Should().Be(0, "none of the commands the refused commit planned is sent");
        (await store.ReadPendingEventsAsync("LOT-1", 0, 10, Ct)).Should().ContainSingle("nothing of A's step was committed");

        // B, started, holds the bucket, finds the event and processes it, once.
        await b.StartAsync();
        b.Orchestrator.Cluster!.OwnedBuckets.Should().Equal(0);
        await UntilSettledAsync(store, b);
        await AssertEachEventProcessedOnceInOrderAsync(store, ["LOT-1"], passed: false);
        a.Plant.Effects.Count.Should().BePositive();
        AssertNoEffectTwice(a);
    }

    [Fact]
    public async Task NodeSendingWithinAThirdOfALeaseAfterItsRenewal_SendsWithoutAskingTheStoreAgain()
    {
        var store = new InMemoryOrchestrationStore();
        await using var a = Node("node-a", store, plant: null, buckets: 1);
        await a.StartAsync();
        var renewed = (await store.ReadLeasesAsync("bucket:", Ct)).Should().ContainSingle().Subject.Until;

        // A second later (the balancing round renews at a third of the 9 s lease), a step plans commands and sends them.
        a.Time.Advance(TimeSpan.FromSeconds(1));
        a.AddLotInInspection("LOT-1", 100);
        (await a.Orchestrator.PublishAsync(EngineTestHost.Failed("LOT-1", "f-LOT-1", sequence: 1), Ct)).Status.Should().Be(PublishStatus.Accepted);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(Limit);
        while ((await store.ReadPartitionsWithPendingCommandsAsync(limit.Token)).Count > 0 || a.Orchestrator.Backlog > 0 || a.Plant.Effects.Count == 0)
        {
            await Task.Delay(20, limit.Token);
        }

        // A confirmation in the store would have renewed the lease from the new time, a second later.
        (await store.ReadLeasesAsync("bucket:", Ct)).Should().ContainSingle().Which.Until.Should().Be(renewed, "the lease renewed a second ago is confirmed as held");
        AssertNoEffectTwice(a);
    }

    [Fact]
    public async Task Checkpoints_TakenOnEitherNode_ContinueOneChainAndHoldTheHeadsOfEveryNodesRecords()
    {
        var store = new InMemoryOrchestrationStore();
        await using var a = Node("node-a", store, plant: null);
        await using var b = Node("node-b", store, plant: a);
        await StartSplitAsync(a, b);
        var lots = Enumerable.Range(0, 8).Select(i => $"LOT-{i:D3}").ToArray();
        await FailAsync(store, a, lots, a, b);
        var first = await a.Orchestrator.CheckpointAuditAsync(Ct);
        await PublishSettledAsync(store, b, Passed(lots[..4]), a, b);
        var second = await b.Orchestrator.CheckpointAuditAsync(Ct);
        await PublishSettledAsync(store, b, Passed(lots[4..]), a, b);

        // A last appended the first: its append conflicts with B's, and it continues from B's.
        var third = await a.Orchestrator.CheckpointAuditAsync(Ct);

        new[] { first.Number, second.Number, third.Number }.Should().Equal(1, 2, 3);
        second.PreviousHash.Should().Be(first.Hash);
        third.PreviousHash.Should().Be(second.Hash);
        (await store.ReadLatestCheckpointAsync(Ct))!.Hash.Should().Be(third.Hash);
        third.Heads.Keys.Should().BeEquivalentTo(lots);
        foreach (var lot in lots)
        {
            var trail = await store.ReadAuditAsync(lot, 1, Ct);
            first.Heads[lot].Count.Should().BeLessThan(trail.Count, $"{lot} was audited again after the first checkpoint");
            third.Heads[lot].Should().Be(new AuditHead { Count = trail.Count, Hash = trail[^1].Hash });
            AuditVerifier.VerifyChain(lot, trail, third).Should().BeEmpty();
        }
    }

    [Fact]
    public async Task SingletonHolderStopping_NothingAuditedSinceTheLatestCheckpoint_TakesNoOther()
    {
        var store = new InMemoryOrchestrationStore();
        await using var a = Node("node-a", store, plant: null);
        await a.StartAsync();
        await UntilAsync(() => Task.FromResult(a.Orchestrator.Cluster!.HoldsSingleton), a);
        await FailAsync(store, a, ["LOT-1"]);
        var taken = await a.Orchestrator.CheckpointAuditAsync(Ct);

        await a.Orchestrator.StopAsync(Ct);

        (await store.ReadLatestCheckpointsAsync(10, Ct)).Should().ContainSingle()
            .Which.Number.Should().Be(taken.Number, "the latest checkpoint already holds every head: another would write them all again");
    }

    [Fact]
    public async Task SingletonHolderStopping_RecordsAuditedSinceTheLatestCheckpoint_ChecksThemIn()
    {
        var store = new InMemoryOrchestrationStore();
        await using var a = Node("node-a", store, plant: null);
        await a.StartAsync();
        await UntilAsync(() => Task.FromResult(a.Orchestrator.Cluster!.HoldsSingleton), a);
        await FailAsync(store, a, ["LOT-1"]);
        await a.Orchestrator.CheckpointAuditAsync(Ct);
        await FailAsync(store, a, ["LOT-2"]);
        await PublishSettledAsync(store, a, Passed(["LOT-2"]));

        await a.Orchestrator.StopAsync(Ct);

        var latest = await store.ReadLatestCheckpointAsync(Ct);
        latest!.Number.Should().Be(2);
        foreach (var lot in new[] { "LOT-1", "LOT-2" })
        {
            var trail = await store.ReadAuditAsync(lot, 1, Ct);
            latest.Heads[lot].Should().Be(new AuditHead { Count = trail.Count, Hash = trail[^1].Hash }, "the checkpoint holds the last record of each chain");
            AuditVerifier.VerifyChain(lot, trail, latest).Should().BeEmpty();
        }
    }

    [Fact]
    public async Task SingletonHolderStopping_AnotherNodeCheckpointedEverythingSince_TakesNoOther()
    {
        var store = new InMemoryOrchestrationStore();
        await using var a = Node("node-a", store, plant: null);
        await using var b = Node("node-b", store, plant: a);
        await a.StartAsync();
        await UntilAsync(() => Task.FromResult(a.Orchestrator.Cluster!.HoldsSingleton), a);
        await FailAsync(store, a, ["LOT-1"]);
        await a.Orchestrator.CheckpointAuditAsync(Ct);
        await PublishSettledAsync(store, a, Passed(["LOT-1"]));
        await b.StartAsync();
        var bs = await b.Orchestrator.CheckpointAuditAsync(Ct);

        // A's own last checkpoint is the first: the second holds what A's feed shows beyond it.
        await a.Orchestrator.StopAsync(Ct);

        (await store.ReadLatestCheckpointAsync(Ct))!.Number.Should().Be(bs.Number, "B's checkpoint holds every head A would write");
    }

    [Fact]
    public async Task SingletonHolderStopping_TheStoreFailingTheCheckpoint_LogsItAndStillGivesItsLeasesBack()
    {
        var (store, recorded) = RecordingStore.Wrap(new InMemoryOrchestrationStore());
        var logs = new CapturingLoggerFactory();
        await using var a = Node("node-a", store, plant: null, logs: logs);
        await a.StartAsync();
        await UntilAsync(() => Task.FromResult(a.Orchestrator.Cluster!.HoldsSingleton), a);
        await FailAsync(store, a, ["LOT-1"]);
        recorded.Failing = nameof(IOrchestrationStore.AppendCheckpointAsync);

        await a.Orchestrator.Invoking(o => o.StopAsync(Ct)).Should().NotThrowAsync("a checkpoint the store cannot take must not fail the host's shutdown");

        a.Orchestrator.IsRunning.Should().BeFalse();
        logs.Entries.Should().ContainSingle(e => e.Id.Id == 1006).Which.Exception.Should().BeOfType<InvalidOperationException>();
        recorded.Calls.GetValueOrDefault(nameof(IOrchestrationStore.ReleaseLeaseAsync)).Should().BePositive("the node gives its leases back, so the others need not wait for them to expire");
    }

    [Fact]
    public async Task NodeStopping_TheStoreFailingToReleaseItsLeases_LogsItStopsAndTheOtherNodeTakesThemWhenTheyExpire()
    {
        var (store, recorded) = RecordingStore.Wrap(new InMemoryOrchestrationStore());
        var logs = new CapturingLoggerFactory();
        await using var a = Node("node-a", store, plant: null, logs: logs);
        await using var b = Node("node-b", store, plant: a);
        await StartSplitAsync(a, b);
        recorded.Failing = nameof(IOrchestrationStore.ReleaseLeaseAsync);

        await a.Orchestrator.Invoking(o => o.StopAsync(Ct)).Should().NotThrowAsync("a lease the store cannot release expires: it must not fail the host's shutdown");

        a.Orchestrator.IsRunning.Should().BeFalse();
        logs.Entries.Should().ContainSingle(e => e.Id.Id == 1105).Which.Exception.Should().BeOfType<InvalidOperationException>();
        recorded.Calls[nameof(IOrchestrationStore.ReleaseLeaseAsync)].Should().BeGreaterThanOrEqualTo(6, "every bucket's lease, the singleton's and the node's own are each tried, one failure stopping none");
        recorded.Failing = null;
        await UntilAsync(() => Task.FromResult(b.Orchestrator.Cluster!.OwnedBuckets.Count == 8), b);
    }

    [Fact]
    public async Task ClusteredNode_OnAStoreCheckpointedUnclustered_TakesNoCheckpointUntilSomethingIsAudited()
    {
        var store = new InMemoryOrchestrationStore();
        await using (var single = await new EngineTestHost(store: store).StartAsync())
        {
            single.AddLotInInspection("LOT-1", 100);
            await single.PublishAndWaitAsync(EngineTestHost.Failed("LOT-1", "f-LOT-1"), EngineTestHost.Passed("LOT-1", "p-LOT-1"));
            await single.Orchestrator.StopAsync(Ct);
        }

        var unclustered = await store.ReadLatestCheckpointAsync(Ct);
        await using var a = Node("node-a", store, plant: null);
        await a.StartAsync();
        await UntilAsync(() => Task.FromResult(a.Orchestrator.Cluster!.HoldsSingleton), a);

        await a.Orchestrator.StopAsync(Ct);

        (await store.ReadLatestCheckpointAsync(Ct))!.Number.Should().Be(unclustered!.Number, "the whole feed, read from its start, holds nothing beyond the latest checkpoint");
    }

    [Fact]
    public async Task Checkpoint_FeedPositionNotSaved_StandsAndTheNextNodeReadsTheFeedFromThePositionSavedBefore()
    {
        var (store, recorded) = RecordingStore.Wrap(new InMemoryOrchestrationStore());
        await using var a = Node("node-a", store, plant: null);
        await using var b = Node("node-b", store, plant: a);
        await a.StartAsync();
        await FailAsync(store, a, ["LOT-1"]);
        recorded.Failing = nameof(IOrchestrationStore.TrySaveAuditSinkCursorAsync);

        var taken = await a.Orchestrator.CheckpointAuditAsync(Ct);

        (await store.ReadLatestCheckpointAsync(Ct))!.Hash.Should().Be(taken.Hash, "the checkpoint was stored; only its feed position was not");
        recorded.Failing = null;
        await b.StartAsync();
        recorded.FeedReadsAfter.Clear();
        var next = await b.Orchestrator.CheckpointAuditAsync(Ct);
        recorded.FeedReadsAfter.Should().StartWith(0L, "no position was saved: the feed is read from its start");
        next.Heads["LOT-1"].Should().Be(taken.Heads["LOT-1"]);
    }

    [Fact]
    public async Task NodeCheckpointingAgain_ReadsNoCheckpointFromTheStore()
    {
        var (store, recorded) = RecordingStore.Wrap(new InMemoryOrchestrationStore());
        await using var a = Node("node-a", store, plant: null);
        await a.StartAsync();
        await FailAsync(store, a, ["LOT-1"]);
        await a.Orchestrator.CheckpointAuditAsync(Ct);
        await PublishSettledAsync(store, a, Passed(["LOT-1"]));
        var readsBefore = recorded.Calls.GetValueOrDefault(nameof(IOrchestrationStore.ReadLatestCheckpointAsync));

        var second = await a.Orchestrator.CheckpointAuditAsync(Ct);

        recorded.Calls.GetValueOrDefault(nameof(IOrchestrationStore.ReadLatestCheckpointAsync)).Should().Be(readsBefore, "the node knows the latest checkpoint: it appended it");
        second.Number.Should().Be(2);
        AuditVerifier.VerifyChain("LOT-1", await store.ReadAuditAsync("LOT-1", 1, Ct), second).Should().BeEmpty();
    }

    [Fact]
    public async Task NodeWithAKeyTakingTheSingleton_SignsACheckpointReadingTheLatestOnce()
    {
        var inner = new InMemoryOrchestrationStore();
        var (store, recorded) = RecordingStore.Wrap(inner);
        var signer = new HmacAuditCheckpointSigner(Enumerable.Repeat((byte)7, 32).ToArray());
        await using (var unkeyed = Node("node-a", store, plant: null))
        {
            await unkeyed.StartAsync();
            await FailAsync(store, unkeyed, ["LOT-1"]);
            await unkeyed.Orchestrator.CheckpointAuditAsync(Ct);
            await unkeyed.Orchestrator.StopAsync(Ct);
        }

        var readsBefore = recorded.Calls.GetValueOrDefault(nameof(IOrchestrationStore.ReadLatestCheckpointAsync));
        await using var keyed = Node("node-b", store, plant: null, signer: signer);
        await keyed.StartAsync();
        await UntilAsync(async () => (await inner.ReadLatestCheckpointAsync(Ct))?.Mac is not null, keyed);

        recorded.Calls.GetValueOrDefault(nameof(IOrchestrationStore.ReadLatestCheckpointAsync)).Should().Be(readsBefore + 1, "the checkpoint continues the one read to see whether it was signed");
        var latest = await store.ReadLatestCheckpointAsync(Ct);
        latest!.Number.Should().Be(2);
        (await new AuditVerifier(store, new AuditVerifierOptions { CheckpointSigner = signer }).VerifyAllAsync(Ct)).Violations.Should().BeEmpty();
    }

    [Fact]
    public async Task NodeCheckpointingAfterAnother_ReadsTheFeedOnlyAfterWhatTheStoredCheckpointsCover()
    {
        var (store, recorded) = RecordingStore.Wrap(new InMemoryOrchestrationStore());
        await using var a = Node("node-a", store, plant: null);
        await using var b = Node("node-b", store, plant: a);
        await a.StartAsync();
        string[] lots = ["LOT-1", "LOT-2", "LOT-3"];
        await FailAsync(store, a, lots);
        await a.Orchestrator.CheckpointAuditAsync(Ct);
        var covered = (await store.ReadAuditFeedAsync(0, 1000, Ct))[^1].Position;
        await a.Orchestrator.StopAsync(Ct);
        await b.StartAsync();
        await PublishSettledAsync(store, b, Passed(["LOT-2"]));
        recorded.FeedReadsAfter.Clear();

        var checkpoint = await b.Orchestrator.CheckpointAuditAsync(Ct);

        recorded.FeedReadsAfter.Should().NotBeEmpty().And.OnlyContain(p => p >= covered, "what the first checkpoint covers is not read again");
        checkpoint.Number.Should().Be(2);
        foreach (var lot in lots)
        {
            AuditVerifier.VerifyChain(lot, await store.ReadAuditAsync(lot, 1, Ct), checkpoint).Should().BeEmpty();
        }

        checkpoint.Heads["LOT-2"].Count.Should().Be((await store.ReadAuditAsync("LOT-2", 1, Ct)).Count);
    }

    [Fact]
    public void BucketOf_IsStableAndWithinRange()
    {
        var options = new ClusterOptions { BucketCount = 256 };

        var buckets = Enumerable.Range(0, 2000).Select(i => options.BucketOf($"L-{i:D5}")).ToArray();

        buckets.Should().OnlyContain(b => b >= 0 && b < 256);
        buckets.Distinct().Count().Should().BeGreaterThan(200, "2,000 keys spread over nearly every one of 256 buckets");
        options.BucketOf("L-00042").Should().Be(new ClusterOptions { BucketCount = 256 }.BucketOf("L-00042"));
    }

    [Fact]
    public async Task Orchestrator_NotClustered_HasNoClusterStatus()
    {
        await using var host = await new EngineTestHost().StartAsync();

        host.Orchestrator.Cluster.Should().BeNull();
    }

    [Fact]
    public void Settings_ClusterIsOffByDefault()
    {
        var settings = new OrchestratorSettings();

        settings.Cluster.Enabled.Should().BeFalse();
        settings.Cluster.LeaseDuration.Should().Be(TimeSpan.FromSeconds(10));
        settings.Cluster.BucketCount.Should().Be(256);
        settings.Cluster.PollInterval.Should().Be(TimeSpan.FromSeconds(2));
    }

    /// <summary>A node; its audit checkpoints are taken on request only (the interval is longer than any test), so their numbers are known.</summary>
    private static EngineTestHost Node(string id, IOrchestrationStore store, EngineTestHost? plant, int buckets = 8, CapturingLoggerFactory? logs = null, IAuditCheckpointSigner? signer = null) =>
        new(
            o =>
            {
                o.LoggerFactory = logs;
                o.AuditCheckpointSigner = signer;
                o.Settings.NodeId = id;
                o.Settings.CheckpointInterval = TimeSpan.FromDays(1);
                o.Settings.Cluster.Enabled = true;
                o.Settings.Cluster.BucketCount = buckets;
                o.Settings.Cluster.LeaseDuration = TimeSpan.FromSeconds(9);
                o.Settings.Cluster.PollInterval = TimeSpan.FromSeconds(1);
            },
            store,
            adapters: plant is null ? null : _ => plant.Plant.Adapters);

    /// <summary>Starts two nodes and waits until they hold half of the buckets each.</summary>
    private static async Task StartSplitAsync(EngineTestHost a, EngineTestHost b)
    {
        await a.StartAsync();
        await b.StartAsync();
        await UntilAsync(() => Task.FromResult(a.Orchestrator.Cluster!.OwnedBuckets.Count == 4 && b.Orchestrator.Cluster!.OwnedBuckets.Count == 4), a, b);
    }

    /// <summary>Puts each lot in inspection in the plant of <paramref name="node"/> and has it fail there; waits until settled.</summary>
    private static async Task FailAsync(IOrchestrationStore store, EngineTestHost node, string[] lots, params EngineTestHost[] nodes)
    {
        foreach (var lot in lots)
        {
            node.AddLotInInspection(lot, 100);
        }

        await PublishSettledAsync(store, node, lots.Select(lot => EngineTestHost.Failed(lot, $"f-{lot}", sequence: 1)), nodes);
    }

    private static IEnumerable<EventEnvelope> Passed(string[] lots) => lots.Select(lot => EngineTestHost.Passed(lot, $"p-{lot}", sequence: 2));

    /// <summary>Publishes the events through <paramref name="via"/> and waits until the store and the nodes (<paramref name="via"/> when none) have settled.</summary>
    private static async Task PublishSettledAsync(IOrchestrationStore store, EngineTestHost via, IEnumerable<EventEnvelope> events, params EngineTestHost[] nodes)
    {
        foreach (var envelope in events)
        {
            (await via.Orchestrator.PublishAsync(envelope, Ct)).Status.Should().Be(PublishStatus.Accepted);
        }

        await UntilSettledAsync(store, nodes.Length == 0 ? [via] : nodes);
    }

    /// <summary>Moves every node's clock a second at a time (their renewals and polls run on them) until the condition holds.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, params EngineTestHost[] nodes)
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

            await Task.Delay(20, limit.Token);
        }
    }

    private static Task UntilSettledAsync(IOrchestrationStore store, params EngineTestHost[] nodes) =>
        UntilAsync(
            async () => (await store.ReadPendingEventsAsync(null, 0, 1, Ct)).Count == 0
                && (await store.ReadPartitionsWithPendingCommandsAsync(Ct)).Count == 0
                && nodes.All(n => n.Orchestrator.Backlog == 0),
            nodes);

    private static async Task AssertEachEventProcessedOnceInOrderAsync(IOrchestrationStore store, IReadOnlyList<string> lots, bool passed = true)
    {
        foreach (var lot in lots)
        {
            var trail = await store.ReadAuditAsync(lot, 1, Ct);
            var steps = trail.Where(r => r.Action is "processed" or "transition-rejected").Select(r => r.Event!.Value.Id).ToArray();
            steps.Should().Equal(passed ? [$"f-{lot}", $"p-{lot}"] : [$"f-{lot}"], $"each event of {lot} is processed once, in order");
        }
    }

    private static void AssertNoEffectTwice(EngineTestHost plant) =>
        plant.Plant.Effects.Records.GroupBy(r => r.IdempotencyKey).Where(g => g.Count() > 1).Select(g => g.Key).Should().BeEmpty();

    /// <summary>
    /// A store that counts the calls of each store method and records where each audit feed read starts (a proxy, so it
    /// follows the interface as it grows).
    /// </summary>
    public class RecordingStore : DispatchProxy
    {
        private IOrchestrationStore _inner = null!;
        private Func<Task>? _afterNextCommit;

        public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<long> FeedReadsAfter { get; } = new();

        /// <summary>The name of a method that throws instead of reaching the store, or <see langword="null"/>.</summary>
        public string? Failing { get; set; }

        /// <summary>Refuses, once, the first commit whose batch it matches (then cleared); other commits reach the store.</summary>
        public Func<IReadOnlyList<StepCommit>, bool>? RefuseCommitOnce { get; set; }

        /// <summary>Awaited once, after the next commit is in the store and before it returns to the worker (then cleared).</summary>
        public Func<Task>? AfterNextCommit
        {
            get => Volatile.Read(ref _afterNextCommit);
            set => Volatile.Write(ref _afterNextCommit, value);
        }

        public static (IOrchestrationStore Store, RecordingStore Recorded) Wrap(IOrchestrationStore inner)
        {
            var store = DispatchProxy.Create<IOrchestrationStore, RecordingStore>();
            var proxy = (RecordingStore)(object)store;
            proxy._inner = inner;
            return (store, proxy);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            Calls.AddOrUpdate(targetMethod.Name, 1, static (_, count) => count + 1);
            if (targetMethod.Name == nameof(IOrchestrationStore.ReadAuditFeedAsync))
            {
                FeedReadsAfter.Enqueue((long)args![0]!);
            }

            if (targetMethod.Name == Failing)
            {
                throw new InvalidOperationException("The store is unreachable.");
            }

            if (targetMethod.Name == nameof(IOrchestrationStore.CommitAsync) && RefuseCommitOnce is { } refuse && refuse((IReadOnlyList<StepCommit>)args![0]!))
            {
                RefuseCommitOnce = null;
                throw new InvalidOperationException("The store refused the commit.");
            }

            try
            {
                if (targetMethod.Name == nameof(IOrchestrationStore.CommitAsync) && Interlocked.Exchange(ref _afterNextCommit, null) is { } after)
                {
                    return ThenAsync((ValueTask)targetMethod.Invoke(_inner, args)!, after);
                }

                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }

        private static async ValueTask ThenAsync(ValueTask commit, Func<Task> after)
        {
            await commit;
            await after();
        }
    }
}
