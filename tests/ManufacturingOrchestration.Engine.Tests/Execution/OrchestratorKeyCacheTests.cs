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
}
