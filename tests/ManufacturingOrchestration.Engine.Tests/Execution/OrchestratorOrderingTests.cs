using System.Collections.Concurrent;
using ManufacturingOrchestration.Engine.Execution;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorOrderingTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task PublishAsync_ManyKeysFromConcurrentPublishers_EffectsFollowAcceptanceOrderPerKey(int parallelism)
    {
        const int keys = 8;
        const int perKey = 30;
        const int publishers = 4;
        await using var host = await TestWorkflows.NotifyHost(o => o.Settings.Parallelism = parallelism).StartAsync();
        var events = Enumerable.Range(0, perKey)
            .SelectMany(i => Enumerable.Range(0, keys).Select(k => TestWorkflows.Signal($"key-{k}", $"k{k}-e{i}")))
            .ToArray();
        var accepted = new ConcurrentBag<(string Key, string Id, long Position)>();

        // Each publisher takes every n-th event, so every key is fed from several tasks at once.
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(
            async () =>
            {
                for (var i = p; i < events.Length; i += publishers)
                {
                    var result = await host.Orchestrator.PublishAsync(events[i], EngineTestHost.Ct);
                    result.Status.Should().Be(PublishStatus.Accepted);
                    accepted.Add((events[i].PartitionKey!, events[i].Id, result.Position!.Value));
                }
            },
            EngineTestHost.Ct)));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        host.Plant.Notification.Sent.Should().HaveCount(keys * perKey);
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
        foreach (var group in accepted.GroupBy(a => a.Key))
        {
            var acceptanceOrder = group.OrderBy(a => a.Position).Select(a => a.Id).ToList();
            TestWorkflows.Delivered(host.Plant, group.Key).Should().Equal(acceptanceOrder, "the effects of {0} follow acceptance order", group.Key);
            var audit = await host.Orchestrator.GetAuditTrailAsync(group.Key, EngineTestHost.Ct);
            audit.Where(r => r.Action == "processed").Select(r => r.Event!.Value.Id).Should().Equal(acceptanceOrder);
        }

        (await host.Store.ReadPendingEventsAsync(null, 0, int.MaxValue, EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task PublishBatchAsync_EventsOfOneKey_EffectsInBatchOrder()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        var batch = Enumerable.Range(0, 50).Select(i => TestWorkflows.Signal(i % 2 == 0 ? "even" : "odd", $"e{i:D2}")).ToArray();

        var results = await host.Orchestrator.PublishBatchAsync(batch, EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        results.Select(r => r.Position!.Value).Should().BeInAscendingOrder();
        TestWorkflows.Delivered(host.Plant, "even").Should().Equal(batch.Where((_, i) => i % 2 == 0).Select(e => e.Id));
        TestWorkflows.Delivered(host.Plant, "odd").Should().Equal(batch.Where((_, i) => i % 2 == 1).Select(e => e.Id));
    }

    [Fact]
    public async Task PublishAsync_OneKeyBlockedInItsAdapter_KeysOnOtherWorkersStillProceed()
    {
        GatedNotificationAdapter? gate = null;
        await using var host = new EngineTestHost(
            o => o.Settings.Parallelism = 2,
            workflows: [TestWorkflows.Notify()],
            adapters: plant => TestWorkflows.WithNotification(plant, gate = new GatedNotificationAdapter(plant.Notification, r => r.Subject.StartsWith("blocked", StringComparison.Ordinal))));
        var runtime = host.Orchestrator.Runtime;
        var blocked = Enumerable.Range(0, 100).Select(i => $"blocked-{i}").First(k => runtime.WorkerOf(k) == 0);
        var free = Enumerable.Range(0, 100).Select(i => $"free-{i}").First(k => runtime.WorkerOf(k) == 1);
        await host.StartAsync();

        await host.Orchestrator.PublishAsync(TestWorkflows.Signal(blocked, "b1"), EngineTestHost.Ct);
        await gate!.Entered.WaitAsync(EngineTestHost.Ct);
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal(free, "f1"), EngineTestHost.Ct);
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal(free, "f2"), EngineTestHost.Ct);
        await gate.Passed.WaitAsync(EngineTestHost.Ct);
        await gate.Passed.WaitAsync(EngineTestHost.Ct);

        TestWorkflows.Delivered(host.Plant, free).Should().Equal("f1", "f2");
        TestWorkflows.Delivered(host.Plant, blocked).Should().BeEmpty("its call is still held in the adapter");
        gate.Open();
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        TestWorkflows.Delivered(host.Plant, blocked).Should().Equal("b1");
    }

    [Fact]
    public async Task PublishAsync_OlderSequenceFromSameSource_AuditedOutOfOrderAndNotApplied()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();

        await host.PublishAndWaitAsync(
            TestWorkflows.Signal("lot-7", "s1", sequence: 1),
            TestWorkflows.Signal("lot-7", "s3", sequence: 3),
            TestWorkflows.Signal("lot-7", "s2", sequence: 2),
            TestWorkflows.Signal("lot-7", "s3-again", sequence: 3),
            TestWorkflows.Signal("lot-7", "other-1", sequence: 1, source: "test://line-2"),
            TestWorkflows.Signal("lot-7", "s4", sequence: 4));

        TestWorkflows.Delivered(host.Plant, "lot-7").Should().Equal("s1", "s3", "other-1", "s4");
        var audit = await host.Orchestrator.GetAuditTrailAsync("lot-7", EngineTestHost.Ct);
        var outOfOrder = audit.Where(r => r.Action == "out-of-order").ToList();
        outOfOrder.Select(r => r.Event!.Value.Id).Should().Equal("s2", "s3-again");
        outOfOrder.Should().OnlyContain(r => r.Reason.Contains("event.out-of-order", StringComparison.Ordinal));
        outOfOrder[0].Reason.Should().Contain("sequence 2").And.Contain("after 3");
        var state = await host.Orchestrator.GetPartitionAsync("lot-7", EngineTestHost.Ct);
        state!.LastSequenceBySource.Should().Contain(TestWorkflows.Source, 4).And.Contain("test://line-2", 1);
        (await host.Store.ReadPendingEventsAsync("lot-7", 0, int.MaxValue, EngineTestHost.Ct)).Should().BeEmpty("out-of-order events are consumed, not left pending");
    }

    [Fact]
    public async Task PublishAsync_SequenceOnOneKey_DoesNotAffectAnotherKey()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();

        await host.PublishAndWaitAsync(
            TestWorkflows.Signal("lot-a", "a5", sequence: 5),
            TestWorkflows.Signal("lot-b", "b1", sequence: 1));

        TestWorkflows.Delivered(host.Plant, "lot-b").Should().Equal("b1");
        (await host.Orchestrator.GetAuditTrailAsync("lot-b", EngineTestHost.Ct)).Should().NotContain(r => r.Action == "out-of-order");
    }
}
