using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorKeyCacheTests
{
    private const int Keys = 400;

    // KeyCacheCapacity below the per-worker minimum: each of the two workers keeps at most 64 keys once idle.
    private static EngineTestHost SmallCacheHost() => TestWorkflows.NotifyHost(o =>
    {
        o.Settings.Parallelism = 2;
        o.Settings.KeyCacheCapacity = 1;
        o.Settings.MaxBatchSize = 16;
    });

    [Fact]
    public async Task PublishAsync_FarMoreKeysThanTheCache_CacheStaysBoundedAndEveryKeyIsProcessedOnce()
    {
        await using var host = await SmallCacheHost().StartAsync();

        await host.Orchestrator.PublishBatchAsync([.. Enumerable.Range(0, Keys).Select(k => TestWorkflows.Signal($"key-{k}", $"k{k}-e1", sequence: 1))], EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        host.Orchestrator.Runtime.Workers.Should().AllSatisfy(w => w.CachedKeys.Should().BeLessThanOrEqualTo(64));
        host.Plant.Notification.Sent.Should().HaveCount(Keys);
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task PublishAsync_KeyDroppedFromTheCache_NextEventsContinueFromItsStoredState()
    {
        await using var host = await SmallCacheHost().StartAsync();
        await host.Orchestrator.PublishBatchAsync([.. Enumerable.Range(0, Keys).Select(k => TestWorkflows.Signal($"key-{k}", $"k{k}-e1", sequence: 1))], EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        // Sequence 2 continues each key; sequence 1 again (a new event id) is older than what each key has applied. Both
        // are decided on the state read back from the store: a key that forgot its last sequence would take the old one.
        await host.Orchestrator.PublishBatchAsync([.. Enumerable.Range(0, Keys).Select(k => TestWorkflows.Signal($"key-{k}", $"k{k}-e2", sequence: 2))], EngineTestHost.Ct);
        await host.Orchestrator.PublishBatchAsync([.. Enumerable.Range(0, Keys).Select(k => TestWorkflows.Signal($"key-{k}", $"k{k}-old", sequence: 1))], EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        foreach (var k in new[] { 0, 1, Keys / 2, Keys - 1 })
        {
            TestWorkflows.Delivered(host.Plant, $"key-{k}").Should().Equal($"k{k}-e1", $"k{k}-e2");
            var audit = await host.Orchestrator.GetAuditTrailAsync($"key-{k}", EngineTestHost.Ct);
            audit.Select(r => r.Action).Should().Equal("processed", "processed", "out-of-order");
            audit.Select(r => r.Sequence).Should().Equal(1, 2, 3);
        }

        host.Plant.Notification.Sent.Should().HaveCount(2 * Keys);
        host.Orchestrator.Runtime.Workers.Should().AllSatisfy(w => w.CachedKeys.Should().BeLessThanOrEqualTo(64));
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task PublishBatchAsync_KeyDroppedWhileItsNextEventWaitsAndThatRoundsCommitFails_TheEventIsStillProcessed()
    {
        // A key dropped from the cache while its next event waits in the round after reads its pending events from the
        // store once that round is committed, instead of trusting the queued event. When that commit fails (for another
        // key of the round), the key must still read them, not leave the event until its next one.
        using var gate = new ManualResetEventSlim();
        var (store, recorded) = ClusteredOrchestratorTests.RecordingStore.Wrap(new InMemoryOrchestrationStore());
        await using var host = await new EngineTestHost(
            o =>
            {
                o.Settings.Parallelism = 1;
                o.Settings.KeyCacheCapacity = 1;
            },
            store,
            workflows: [TestWorkflows.Notify(ctx =>
            {
                if (ctx.EventKey.Id == "hold" && !gate.Wait(TimeSpan.FromSeconds(60), EngineTestHost.Ct))
                {
                    throw new TimeoutException("The batch was not published.");
                }
            })]).StartAsync();

        // While the worker is held, the batch is queued whole: k and j with two events each and 69 more keys, so that the
        // first round (71 keys) overflows the cache of 64; k, read first, is dropped, and j, read last, is kept. k2 waits
        // for the second round behind j1, which was taken after it: k is read again not knowing whether it handled k2.
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("hold", "hold"), EngineTestHost.Ct);
        var others = Enumerable.Range(0, 69).Select(i => TestWorkflows.Signal($"key-{i}", $"key-{i}-e1"));
        EventEnvelope[] batch = [TestWorkflows.Signal("k", "k1"), .. others, TestWorkflows.Signal("k", "k2"), TestWorkflows.Signal("j", "j1"), TestWorkflows.Signal("j", "j2")];
        recorded.RefuseCommitOnce = commits => commits.Any(c => c.ProcessedEvents.Any(e => e.Id == "j2"));
        (await host.Orchestrator.PublishBatchAsync(batch, EngineTestHost.Ct)).Should().AllSatisfy(r => r.Status.Should().Be(PublishStatus.Accepted));
        gate.Set();

        // j2's commit is refused and retried after a short wait on the orchestrator's clock.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((TestWorkflows.Delivered(host.Plant, "j").Count < 2 || TestWorkflows.Delivered(host.Plant, "k").Count < 2) && waited.Elapsed < TimeSpan.FromSeconds(60))
        {
            host.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(20, EngineTestHost.Ct);
        }

        recorded.RefuseCommitOnce.Should().BeNull("the round with j2 was refused once");
        TestWorkflows.Delivered(host.Plant, "j").Should().Equal("j1", "j2");
        TestWorkflows.Delivered(host.Plant, "k").Should().Equal(["k1", "k2"], "k2 waited in the store for k to read it");
        await host.WaitForIdleAsync();
        (await store.ReadPendingEventsAsync(null, 0, int.MaxValue, EngineTestHost.Ct)).Should().BeEmpty();
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
    }
}
