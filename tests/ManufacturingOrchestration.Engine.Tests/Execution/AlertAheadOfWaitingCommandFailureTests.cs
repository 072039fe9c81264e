using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// A step-deadline alert goes out ahead of the command it escalates, which waits a day for its retry. When the alert's
/// send fails there, the failure is recorded as any command's is: counted, retried on the retry policy's schedule with a
/// timer of its own, and dead-lettered once permanent or out of attempts — without parking the key behind it.
/// </summary>
public sealed class AlertAheadOfWaitingCommandFailureTests
{
    private const string AlertSubject = "Overdue:";
    private const string Key = "a";

    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task AlertFailsTransiently_TheAttemptIsRecordedAndItIsNotSentAgainBeforeItsRetryIsDue()
    {
        var alerts = new ScriptedAlerts(_ => AdapterResult.Transient("The notification service is busy."));
        await using var host = await StartAsync(alerts, maxAttempts: 10);

        host.Time.Advance(TimeSpan.FromMinutes(11));
        await host.WaitForIdleAsync();
        alerts.Calls.Should().Be(1, "the alert went out ahead of the waiting command, and failed");

        var alert = await PendingAlertAsync(host);
        alert.Attempts.Should().Be(1, "the failed attempt is counted");
        alert.NextAttemptAt.Should().Be(host.Time.GetUtcNow() + TimeSpan.FromHours(1), "the retry policy's first delay");
        alert.LastError.Should().Contain("busy");

        // Another round of the key before the alert's retry is due (an operator-independent wake-up: the key's work is
        // resumed) does not send it again.
        await ResumeKeyAsync(host);
        alerts.Calls.Should().Be(1, "the alert's retry is not due yet");

        host.Time.Advance(TimeSpan.FromHours(1));
        await host.WaitForIdleAsync();
        alerts.Calls.Should().Be(2, "the alert's own retry timer woke the key while the command still waits");
        (await PendingAlertAsync(host)).Attempts.Should().Be(2);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task AlertFailsTransientlyOnEveryAttempt_IsDeadLetteredAfterTheLastAndTheKeyIsNotParked()
    {
        var alerts = new ScriptedAlerts(_ => AdapterResult.Transient("The notification service is busy."));
        await using var host = await StartAsync(alerts, maxAttempts: 3);

        host.Time.Advance(TimeSpan.FromMinutes(11));
        await host.WaitForIdleAsync();
        for (var hour = 0; hour < 3 && alerts.Calls < 3; hour++)
        {
            host.Time.Advance(TimeSpan.FromHours(1));
            await host.WaitForIdleAsync();
        }

        alerts.Calls.Should().Be(3, "the retry policy allows three attempts");
        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Should().Be(ReasonCodes.RetriesExhausted);
        deadLetter.Command!.Step.Should().Be("step-deadline");
        deadLetter.Command.Attempts.Should().Be(3);
        deadLetter.PartitionKey.Should().Be(Key);
        host.Orchestrator.OpenDeadLetters.Should().Be(1);
        await AssertNotParkedAndTheCommandStillWaitsAsync(host);

        host.Time.Advance(TimeSpan.FromHours(2));
        await host.WaitForIdleAsync();
        alerts.Calls.Should().Be(3, "a dead-lettered alert is not sent again");
    }

    [Fact]
    public async Task AlertFailsPermanently_IsDeadLetteredWithoutParkingTheKeyAndAnOperatorCanReplayIt()
    {
        var alerts = new ScriptedAlerts(call => call == 1 ? AdapterResult.Permanent(ReasonCodes.AdapterPermanent, "No such distribution list.") : null);
        await using var host = await StartAsync(alerts, maxAttempts: 10);

        host.Time.Advance(TimeSpan.FromMinutes(11));
        await host.WaitForIdleAsync();

        alerts.Calls.Should().Be(1);
        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Should().Be(ReasonCodes.AdapterPermanent);
        deadLetter.Message.Should().Contain("distribution list");
        deadLetter.Site.Should().Be(EngineTestHost.Site.Value);
        deadLetter.Command!.Status.Should().Be(OutboxStatus.DeadLettered);
        deadLetter.Command.Attempts.Should().Be(1);
        await AssertNotParkedAndTheCommandStillWaitsAsync(host);
        var audit = await host.Orchestrator.GetAuditTrailAsync(Key, Ct);
        audit.Should().ContainSingle(r => r.Action == "dead-lettered").Which.After.Should().NotBe("parked");

        await ResumeKeyAsync(host);
        alerts.Calls.Should().Be(1, "a dead-lettered alert is not sent again by the key's next round");

        var replayed = await host.ActAsync(OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Replay, "distribution list fixed"));
        await host.WaitForIdleAsync();
        replayed.Succeeded.Should().BeTrue(replayed.ToString());
        alerts.Calls.Should().Be(2);
        host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle();
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, Ct)).Should().BeEmpty();
        host.Orchestrator.OpenDeadLetters.Should().Be(0);
        await AssertNotParkedAndTheCommandStillWaitsAsync(host);
        (await host.Orchestrator.Audit.VerifyAllAsync(Ct)).IsValid.Should().BeTrue();
    }

    private static async Task AssertNotParkedAndTheCommandStillWaitsAsync(EngineTestHost host)
    {
        (await host.Orchestrator.GetPartitionAsync(Key, Ct))!.IsParked.Should().BeFalse("the key's effects do not wait for an alert");
        var waiting = (await host.Store.ReadPendingCommandsAsync(Key, Ct)).Should().ContainSingle().Subject;
        waiting.Step.Should().Be("notify", "only the escalated command is left, waiting for its retry");
        waiting.Attempts.Should().Be(1);
    }

    /// <summary>Runs the key's pending commands again through the worker, as recovery does, and waits until it is idle.</summary>
    private static async Task ResumeKeyAsync(EngineTestHost host)
    {
        host.Orchestrator.Runtime.Route(new ResumeWork(Key));
        await host.WaitForIdleAsync();
    }

    private static async Task<OutboxEntry> PendingAlertAsync(EngineTestHost host) =>
        (await host.Store.ReadPendingCommandsAsync(Key, Ct)).Should().ContainSingle(p => p.Step == "step-deadline").Subject;

    /// <summary>
    /// A host whose key <see cref="Key"/> has a notification waiting a day for its retry, with a step deadline ten minutes
    /// ahead whose alert <paramref name="alerts"/> answers; the retry policy waits an hour, then two, without jitter.
    /// </summary>
    private static async Task<EngineTestHost> StartAsync(ScriptedAlerts alerts, int maxAttempts)
    {
        var host = await new EngineTestHost(
            o =>
            {
                o.Settings.Parallelism = 1;
                o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(2), Jitter = 0, MaxAttempts = maxAttempts };
                o.Actors = new InMemoryActorDirectory([new Actor { Id = EngineTestHost.OperatorId, Roles = [new RoleAssignment { Role = Role.OrchestrationOperator }] }]);
            },
            workflows: [NotifyWithDeadline()],
            adapters: plant => TestWorkflows.WithNotification(plant, new Notifications(plant.Notification, alerts))).StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal(Key, "a1"));
        var waiting = (await host.Store.ReadPendingCommandsAsync(Key, Ct)).Should().ContainSingle().Subject;
        waiting.NextAttemptAt.Should().Be(host.Time.GetUtcNow() + TimeSpan.FromDays(1));
        return host;
    }

    private static WorkflowDefinition NotifyWithDeadline() =>
        new WorkflowBuilder("notify-with-deadline", 1)
            .TriggeredBy(EventTypes.SupplierUpdated)
            .WithDeadline(TimeSpan.FromMinutes(10), Role.Planner)
            .Step("notify", WorkflowStepKind.Notify, ctx => ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
            {
                Context = c,
                Roles = [Role.Buyer],
                Site = EngineTestHost.Site,
                Subject = ctx.State.Key + ":" + ctx.EventKey.Id,
            }))
            .Build();

    /// <summary>Answers the n-th call of a step-deadline alert (from 1) as the script says, or lets the simulator answer when it says <see langword="null"/>.</summary>
    private sealed class ScriptedAlerts(Func<int, AdapterResult?> script)
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public AdapterResult? Next() => script(Interlocked.Increment(ref _calls));
    }

    /// <summary>Every notification but the alerts asks to be tried again a day later; the alerts are answered by the script.</summary>
    private sealed class Notifications(ICommandHandler<SendNotificationRequest> inner, ScriptedAlerts alerts) : ICommandHandler<SendNotificationRequest>
    {
        public ValueTask<AdapterResult> ExecuteAsync(SendNotificationRequest request, CancellationToken cancellationToken)
        {
            if (!request.Subject.StartsWith(AlertSubject, StringComparison.Ordinal))
            {
                return ValueTask.FromResult(AdapterResult.Transient("The buyer's mailbox is full.", TimeSpan.FromDays(1)));
            }

            return alerts.Next() is { } answer ? ValueTask.FromResult(answer) : inner.ExecuteAsync(request, cancellationToken);
        }
    }
}
