using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorRecoveryTests
{
    [Fact]
    public async Task Restart_WithPendingRetry_CommandRunsWithSameKeyThenWaitingEventsNothingTwice()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a2"), TestWorkflows.Signal("b", "b1"), TestWorkflows.Signal("a", "a3"));
        var pending = (await host.Store.ReadPendingCommandsAsync("a", EngineTestHost.Ct)).Single();
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);
        var sentBefore = host.Plant.Notification.Sent.Count;

        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);
        await second.WaitForIdleAsync(EngineTestHost.Ct);
        for (var i = 0; i < 20 && TestWorkflows.Delivered(host.Plant, "a").Count < 3; i++)
        {
            host.Time.Advance(TimeSpan.FromMinutes(1));
            await second.WaitForIdleAsync(EngineTestHost.Ct);
        }

        sentBefore.Should().Be(1, "only b1 was delivered before the stop");
        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1", "a2", "a3");
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b1");
        host.Plant.Effects.Records.Should().ContainSingle(r => r.Summary.EndsWith("a:a1", StringComparison.Ordinal)).Which.IdempotencyKey.Should().Be(pending.IdempotencyKey);
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
        (await host.Store.ReadPendingEventsAsync(null, 0, 100, EngineTestHost.Ct)).Should().BeEmpty();
        (await second.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Restart_AfterStopInTheMiddleOfACommand_PendingCommandAndQueuedEventsFinishOnce()
    {
        GatedNotificationAdapter? gate = null;
        await using var host = new EngineTestHost(
            o => o.Settings.Parallelism = 1,
            workflows: [TestWorkflows.Notify()],
            adapters: plant => TestWorkflows.WithNotification(plant, gate = new GatedNotificationAdapter(plant.Notification)));
        await host.StartAsync();
        await host.Orchestrator.PublishAsync(TestWorkflows.Signal("a", "a1"), EngineTestHost.Ct);
        await gate!.Entered.WaitAsync(EngineTestHost.Ct);
        await host.Orchestrator.PublishBatchAsync([TestWorkflows.Signal("a", "a2"), TestWorkflows.Signal("b", "b1"), TestWorkflows.Signal("c", "c1")], EngineTestHost.Ct);

        // The drain times out at once: the worker is stopped while a1's command is held in the adapter.
        using (var expired = new CancellationTokenSource())
        {
            await expired.CancelAsync();
            await host.Orchestrator.StopAsync(expired.Token);
        }

        host.Plant.Notification.Sent.Should().BeEmpty();
        (await host.Store.ReadPartitionsWithPendingCommandsAsync(EngineTestHost.Ct)).Should().Equal("a");
        (await host.Store.ReadPendingEventsAsync(null, 0, 100, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().BeEquivalentTo(["a2", "b1", "c1"]);
        var planned = (await host.Store.ReadPendingCommandsAsync("a", EngineTestHost.Ct)).Single();

        gate.Open();
        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);
        await second.WaitForIdleAsync(EngineTestHost.Ct);

        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1", "a2");
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b1");
        TestWorkflows.Delivered(host.Plant, "c").Should().Equal("c1");
        host.Plant.Effects.Records.Should().HaveCount(4);
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems().And.Contain(planned.IdempotencyKey);
        (await host.Store.ReadPendingEventsAsync(null, 0, 100, EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Store.ReadPartitionsWithPendingCommandsAsync(EngineTestHost.Ct)).Should().BeEmpty();
        var audit = await host.Orchestrator.GetAuditTrailAsync("a", EngineTestHost.Ct);
        audit.Where(r => r.Action == "processed").Select(r => r.Event!.Value.Id).Should().Equal("a1", "a2");
    }

    [Fact]
    public async Task Restart_CommandAppliedButCompletionNotRecorded_SentAgainWithSameKeyAndAnsweredAlreadyApplied()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        var done = (await host.Store.ReadCommandAsync(host.Plant.Effects.Records.Single().IdempotencyKey, EngineTestHost.Ct))!;
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        // Simulate a crash between the adapter call and the outcome commit: the command is pending again in the store.
        await host.Store.CommitAsync(
            [new StepCommit { PartitionKey = "a", ExpectedVersion = (await host.Store.LoadPartitionAsync("a", EngineTestHost.Ct))!.Version, UpdatedCommands = [done with { Status = OutboxStatus.Pending, Attempts = 0 }] }],
            EngineTestHost.Ct);
        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);
        await second.WaitForIdleAsync(EngineTestHost.Ct);

        host.Plant.Notification.Calls.Should().HaveCount(2);
        host.Plant.Notification.Calls[1].Result!.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        host.Plant.Notification.Sent.Should().ContainSingle();
        (await host.Store.ReadCommandAsync(done.IdempotencyKey, EngineTestHost.Ct))!.Status.Should().Be(OutboxStatus.Completed);
    }
}
