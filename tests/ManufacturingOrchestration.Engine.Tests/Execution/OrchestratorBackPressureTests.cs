using ManufacturingOrchestration.Engine.Execution;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorBackPressureTests
{
    [Fact]
    public async Task PublishAsync_QueueFullBehindASlowAdapter_WaitsUntilCapacityFrees()
    {
        var (started, gate) = await StartGatedAsync(queueCapacity: 4);
        await using var host = started;

        for (var i = 0; i < 4; i++)
        {
            (await host.Orchestrator.PublishAsync(TestWorkflows.Signal($"k{i}", $"e{i}"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Accepted);
        }

        await gate.Entered.WaitAsync(EngineTestHost.Ct);
        var fifth = host.Orchestrator.PublishAsync(TestWorkflows.Signal("k4", "e4"), EngineTestHost.Ct).AsTask();
        await Task.Yield();

        fifth.IsCompleted.Should().BeFalse("four events hold the whole capacity while the adapter is stuck");
        host.Orchestrator.Backlog.Should().BeLessThanOrEqualTo(4);
        (await host.Store.ReadPendingEventsAsync(null, 0, 100, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().NotContain("e4", "a waiting publisher has not written to the inbox");

        gate.Open();
        (await fifth.WaitAsync(EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Accepted);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        host.Plant.Notification.Sent.Should().HaveCount(5);
    }

    [Fact]
    public async Task PublishAsync_WaitingForCapacityCancelled_ThrowsAndAcceptsNothing()
    {
        var (started, gate) = await StartGatedAsync(queueCapacity: 1);
        await using var host = started;
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k0", "e0"), EngineTestHost.Ct);
        await gate.Entered.WaitAsync(EngineTestHost.Ct);
        using var cancel = new CancellationTokenSource();

        var blocked = host.Orchestrator.PublishAsync(TestWorkflows.Signal("k1", "e1"), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await blocked.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();
        gate.Open();
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        TestWorkflows.Delivered(host.Plant, "k1").Should().BeEmpty();
        (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k1", "e1"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Accepted, "the cancelled publish left no trace");
    }

    [Fact]
    public async Task PublishBatchAsync_LargerThanCapacity_WaitsThenAcceptsAll()
    {
        var (started, gate) = await StartGatedAsync(queueCapacity: 2);
        await using var host = started;
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k0", "e0"), EngineTestHost.Ct);
        await gate.Entered.WaitAsync(EngineTestHost.Ct);

        var batch = host.Orchestrator.PublishBatchAsync([TestWorkflows.Signal("k1", "e1"), TestWorkflows.Signal("k2", "e2")], EngineTestHost.Ct).AsTask();
        await Task.Yield();

        batch.IsCompleted.Should().BeFalse();
        gate.Open();
        (await batch.WaitAsync(EngineTestHost.Ct)).Should().OnlyContain(r => r.Status == PublishStatus.Accepted);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        host.Plant.Notification.Sent.Should().HaveCount(3);
    }

    [Fact]
    public async Task PublishBatchAsync_CancelledWhileWaitingForPartOfTheBatch_ReleasesWhatItHeld()
    {
        var (started, gate) = await StartGatedAsync(queueCapacity: 2);
        await using var host = started;
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k0", "e0"), EngineTestHost.Ct);
        await gate.Entered.WaitAsync(EngineTestHost.Ct);
        using var cancel = new CancellationTokenSource();

        var batch = host.Orchestrator.PublishBatchAsync([TestWorkflows.Signal("k1", "e1"), TestWorkflows.Signal("k2", "e2")], cancel.Token).AsTask();
        await cancel.CancelAsync();
        await batch.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();

        // One slot is still free (e0 holds the other): a publish goes through while the adapter is still stuck.
        var next = host.Orchestrator.PublishAsync(TestWorkflows.Signal("k3", "e3"), EngineTestHost.Ct).AsTask();
        await Task.Yield();
        next.IsCompleted.Should().BeTrue("a cancelled batch must give back the capacity it had taken");
        gate.Open();
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
    }

    [Fact]
    public async Task PublishBatchAsync_LargerThanTheWholeCapacity_CompletesInsteadOfWaitingForever()
    {
        await using var host = await TestWorkflows.NotifyHost(o =>
        {
            o.Settings.Parallelism = 1;
            o.Settings.QueueCapacity = 3;
        }).StartAsync();
        var events = Enumerable.Range(0, 10).Select(i => TestWorkflows.Signal("k", $"e{i}")).ToArray();

        // A real-time bound only as a safety net: without it a deadlock would hang the run.
        var results = await host.Orchestrator.PublishBatchAsync(events, EngineTestHost.Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        results.Should().HaveCount(10).And.OnlyContain(r => r.Status == PublishStatus.Accepted);
        TestWorkflows.Delivered(host.Plant, "k").Should().Equal(events.Select(e => e.Id));
    }

    [Fact]
    public async Task PublishBatchAsync_TwoBatchesWaitingForTheWholeCapacity_BothComplete()
    {
        var (started, gate) = await StartGatedAsync(queueCapacity: 4);
        await using var host = started;
        for (var i = 0; i < 4; i++)
        {
            await host.Orchestrator.PublishAsync(TestWorkflows.Signal($"k{i}", $"e{i}"), EngineTestHost.Ct);
        }

        await gate.Entered.WaitAsync(EngineTestHost.Ct);

        // Each batch needs every slot. Taken a slot at a time as the stuck events finish, they would share the slots
        // between them, each wait for the rest, and nothing in flight would ever free another.
        var first = host.Orchestrator.PublishBatchAsync(Enumerable.Range(0, 4).Select(i => TestWorkflows.Signal($"a{i}", $"a{i}")).ToArray(), EngineTestHost.Ct).AsTask();
        var second = host.Orchestrator.PublishBatchAsync(Enumerable.Range(0, 4).Select(i => TestWorkflows.Signal($"b{i}", $"b{i}")).ToArray(), EngineTestHost.Ct).AsTask();
        await Task.Yield();
        gate.Open();

        // A real-time bound only as a safety net: without it a deadlock would hang the run.
        var results = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30), EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        results.SelectMany(r => r).Should().HaveCount(8).And.OnlyContain(r => r.Status == PublishStatus.Accepted);
        host.Plant.Notification.Sent.Should().HaveCount(12);
    }

    [Fact]
    public async Task PublishBatchAsync_WaitingBatchCancelled_TheBatchBehindItGetsTheCapacity()
    {
        var (started, gate) = await StartGatedAsync(queueCapacity: 2);
        await using var host = started;
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("k0", "e0"), EngineTestHost.Ct);
        await gate.Entered.WaitAsync(EngineTestHost.Ct);
        using var cancel = new CancellationTokenSource();

        // The first batch takes the one free slot and waits for the second; the batch behind it waits its turn.
        var first = host.Orchestrator.PublishBatchAsync([TestWorkflows.Signal("a", "a0"), TestWorkflows.Signal("a", "a1")], cancel.Token).AsTask();
        var second = host.Orchestrator.PublishBatchAsync([TestWorkflows.Signal("b", "b0")], EngineTestHost.Ct).AsTask();
        await Task.Yield();
        second.IsCompleted.Should().BeFalse("the batch ahead of it is still taking its slots");

        await cancel.CancelAsync();
        await first.Invoking(t => t).Should().ThrowAsync<OperationCanceledException>();

        // The cancelled batch gave back its slot and its turn: the one-event batch gets the free slot at once.
        (await second.WaitAsync(TimeSpan.FromSeconds(30), EngineTestHost.Ct)).Should().ContainSingle().Which.Status.Should().Be(PublishStatus.Accepted);
        gate.Open();
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b0");
    }

    /// <summary>One worker with a queue of <paramref name="queueCapacity"/>; its notification adapter holds every call until the gate opens.</summary>
    private static async Task<(EngineTestHost Host, GatedNotificationAdapter Gate)> StartGatedAsync(int queueCapacity)
    {
        GatedNotificationAdapter? gate = null;
        var host = new EngineTestHost(
            o =>
            {
                o.Settings.Parallelism = 1;
                o.Settings.QueueCapacity = queueCapacity;
            },
            workflows: [TestWorkflows.Notify()],
            adapters: plant => TestWorkflows.WithNotification(plant, gate = new GatedNotificationAdapter(plant.Notification)));
        try
        {
            await host.StartAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return (host, gate!);
    }
}
