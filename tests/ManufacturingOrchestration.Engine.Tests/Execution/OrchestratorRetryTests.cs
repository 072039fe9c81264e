using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorRetryTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TransientFailure_RetriedOnDurableTimer_AppliedOnceAndLaterEventsOfTheKeyWait()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);

        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a2"), TestWorkflows.Signal("b", "b1"));

        // a1 failed once and waits for its retry; a2 waits behind it; b is not affected.
        TestWorkflows.Delivered(host.Plant, "b").Should().Equal("b1");
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
        var pending = (await host.Store.ReadPendingCommandsAsync("a", EngineTestHost.Ct)).Should().ContainSingle().Subject;
        pending.Attempts.Should().Be(1);
        pending.NextAttemptAt.Should().BeAfter(host.Time.GetUtcNow());
        pending.LastError.Should().Contain("adapter.transient");
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().Be(pending.NextAttemptAt);
        (await host.Store.ReadPendingEventsAsync("a", 0, 10, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().Equal("a2");

        // The next attempt fails too: a second durable retry.
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);
        host.Time.Advance(Step);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        TestWorkflows.Delivered(host.Plant, "a").Should().BeEmpty();
        (await host.Store.ReadCommandAsync(pending.IdempotencyKey, EngineTestHost.Ct))!.Attempts.Should().Be(2);

        await TestWorkflows.AdvanceUntilAsync(host, () => TestWorkflows.Delivered(host.Plant, "a").Count == 2, Step);

        TestWorkflows.Delivered(host.Plant, "a").Should().Equal("a1", "a2");
        var completed = await host.Store.ReadCommandAsync(pending.IdempotencyKey, EngineTestHost.Ct);
        completed!.Status.Should().Be(OutboxStatus.Completed);
        completed.Attempts.Should().Be(3);
        host.Plant.Effects.Records.Where(r => r.IdempotencyKey == pending.IdempotencyKey).Should().ContainSingle();
        host.Plant.Notification.Calls.Count(c => c.Command?.Context.IdempotencyKey == pending.IdempotencyKey).Should().Be(3, "every attempt sends the same idempotency key");
        host.Plant.Faults.InjectedCount(CommandKinds.NotificationSend).Should().Be(2);
        (await host.Store.ReadPendingCommandsAsync("a", EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().BeNull("the retry timers are consumed");
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task TransientFailure_RetryDelayFollowsThePolicyBackoff()
    {
        await using var host = await TestWorkflows.NotifyHost(o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(10), Jitter = 0, Multiplier = 3, MaxAttempts = 5 }).StartAsync();
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 2);
        var start = host.Time.GetUtcNow();

        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        var first = (await host.Store.ReadPendingCommandsAsync("a", EngineTestHost.Ct)).Single();
        host.Time.Advance(TimeSpan.FromSeconds(9));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        var notYet = (await host.Store.ReadPendingCommandsAsync("a", EngineTestHost.Ct)).Single();
        host.Time.Advance(TimeSpan.FromSeconds(1));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        var second = (await host.Store.ReadPendingCommandsAsync("a", EngineTestHost.Ct)).Single();

        first.NextAttemptAt.Should().Be(start + TimeSpan.FromSeconds(10));
        notYet.Attempts.Should().Be(1, "the retry is not due before its delay");
        second.Attempts.Should().Be(2);
        second.NextAttemptAt.Should().Be(start + TimeSpan.FromSeconds(10) + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task TransientFailure_RetryAfterLongerThanBackoff_IsHonoured()
    {
        await using var host = await TestWorkflows.NotifyHost(o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), Jitter = 0 }).StartAsync();
        host.Plant.Faults.Configure(CommandKinds.NotificationSend, new FaultProfile { RetryAfter = TimeSpan.FromMinutes(5) });
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);

        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));

        (await host.Store.ReadPendingCommandsAsync("a", EngineTestHost.Ct)).Single().NextAttemptAt.Should().Be(host.Time.GetUtcNow() + TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task TransientFailure_RetryAfterBeyondTheLongestHonoured_WaitsOnlyThatLong()
    {
        await using var host = await TestWorkflows.NotifyHost(o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), Jitter = 0, MaxRetryAfter = TimeSpan.FromHours(2) }).StartAsync();
        host.Plant.Faults.Configure(CommandKinds.NotificationSend, new FaultProfile { RetryAfter = TimeSpan.FromDays(365 * 68) });
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);

        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));

        (await host.Store.ReadPendingCommandsAsync("a", EngineTestHost.Ct)).Single().NextAttemptAt.Should().Be(host.Time.GetUtcNow() + TimeSpan.FromHours(2));
        host.Time.Advance(TimeSpan.FromHours(2));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        host.Plant.Notification.Sent.Should().ContainSingle("the retry went out once the longest honoured wait had passed");
    }

    [Fact]
    public async Task OutageOfTheTargetSystem_CommandsOfAllKeysRetriedUntilItIsBack_EachAppliedOnceInOrder()
    {
        await using var host = await TestWorkflows.NotifyHost(o => o.Settings.Parallelism = 3).StartAsync();
        host.Plant.Faults.ScheduleOutage(CommandKinds.NotificationSend, TimeSpan.FromMinutes(3));
        var events = Enumerable.Range(0, 4).SelectMany(k => Enumerable.Range(0, 3).Select(i => TestWorkflows.Signal($"k{k}", $"k{k}-e{i}"))).ToArray();

        await host.PublishAndWaitAsync(events);
        host.Plant.Notification.Sent.Should().BeEmpty();
        await TestWorkflows.AdvanceUntilAsync(host, () => host.Plant.Notification.Sent.Count == events.Length, TimeSpan.FromSeconds(30));

        for (var k = 0; k < 4; k++)
        {
            TestWorkflows.Delivered(host.Plant, $"k{k}").Should().Equal($"k{k}-e0", $"k{k}-e1", $"k{k}-e2");
        }

        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task TransientFailures_ExhaustRetries_DeadLetteredWithRetriesExhaustedAndKeyParked()
    {
        await using var host = await TestWorkflows.NotifyHost(o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxAttempts = 3 }).StartAsync();
        host.Plant.Faults.Configure(CommandKinds.NotificationSend, new FaultProfile { TransientFailureRate = 1 });

        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => host.Orchestrator.OpenDeadLetters > 0, Step);

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Code.Should().Be("adapter.retries-exhausted");
        deadLetter.Command!.Attempts.Should().Be(3);
        deadLetter.Command.Status.Should().Be(OutboxStatus.DeadLettered);
        deadLetter.PartitionKey.Should().Be("a");
        host.Plant.Notification.Calls.Should().HaveCount(3);
        (await host.Orchestrator.GetPartitionAsync("a", EngineTestHost.Ct))!.Parked!.DeadLetterId.Should().Be(deadLetter.Id);
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().BeNull("no retry is scheduled after the last attempt");
    }
}
