using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Composition;

/// <summary>A query inside a step fails: the event waits behind a durable retry (transient) or is dead-lettered naming the query (permanent).</summary>
public class StepQueryFailurePolicyTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    /// <summary>A user workflow that asks the ERP for a lot's open allocations, then plans one notification naming how many.</summary>
    private static WorkflowDefinition AllocationsNotice() => new WorkflowBuilder("allocations-notice", 1)
        .TriggeredBy(EventTypes.InspectionPassed)
        .Requires(QueryKinds.ErpGetOpenAllocations, CommandKinds.NotificationSend)
        .Step("enrich", WorkflowStepKind.Enrich, async (ctx, ct) =>
        {
            var passed = (InspectionPassed)ctx.Event.Data;
            var allocations = await ctx.QueryAsync(new GetOpenAllocationsQuery(passed.Lot), ct);
            ctx.Plan(CommandKinds.NotificationSend, c => new SendNotificationRequest
            {
                Context = c,
                Roles = [Role.Planner],
                Site = passed.Site,
                Subject = $"{passed.Lot}: {allocations.Count} open allocation(s)",
            });
        })
        .Build();

    [Fact]
    public async Task TransientQueryFault_EventRetriedDurably_ProcessedOnceWithNoOperator()
    {
        await using var host = await new EngineTestHost(o => o.Settings.BootstrapFromErp = false, workflows: [AllocationsNotice()]).StartAsync();
        host.AddLotInInspection("L-1", 100);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetOpenAllocations, 2);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-1", "p1"));

        host.Plant.Notification.Sent.Should().BeEmpty("the first attempt failed and nothing of the event is applied");
        (await host.Store.ReadPendingEventsAsync("L-1", 0, 10, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().Equal("p1");

        await TestWorkflows.AdvanceUntilAsync(host, () => host.Plant.Notification.Sent.Count == 1, Step);

        host.Plant.Notification.Sent.Should().ContainSingle().Which.Request.Subject.Should().Be("L-1: 0 open allocation(s)");
        host.Plant.Erp.CallCount(QueryKinds.ErpGetOpenAllocations).Should().Be(3);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-1", EngineTestHost.Ct);
        audit.Select(r => r.Action).Should().Equal("query-retry-scheduled", "query-retry-scheduled", "query-recovered", "processed");
        audit[0].Reason.Should().StartWith("adapter.transient: erp.get-open-allocations of GetOpenAllocationsQuery { Lot = L-1 } failed (attempt 1 of 10)");
        audit[2].Reason.Should().Be("the event is processed on attempt 3 (after erp.get-open-allocations failed)");
        (await host.Orchestrator.GetPartitionAsync("L-1", EngineTestHost.Ct))!.Instances.Should().BeEmpty();
    }

    [Fact]
    public async Task TransientQueryFault_LaterEventOfTheKeyWaitsBehindIt()
    {
        await using var host = await new EngineTestHost(o => o.Settings.BootstrapFromErp = false, workflows: [AllocationsNotice()]).StartAsync();
        host.AddLotInInspection("L-1", 100);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetOpenAllocations, 1);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-1", "p1"), EngineTestHost.Passed("L-1", "p2"));
        host.Plant.Notification.Sent.Should().BeEmpty("p2 waits behind p1 on the same key");

        await TestWorkflows.AdvanceUntilAsync(host, () => host.Plant.Notification.Sent.Count == 2, Step);

        host.Plant.Notification.Sent.Select(s => s.Request.Context.CausationId).Should().Equal("p1", "p2");
    }

    [Fact]
    public async Task PermanentQueryRefusal_EventDeadLetteredNamingTheQuery_ReplayRunsItAgain()
    {
        await using var host = await new EngineTestHost(o => o.Settings.BootstrapFromErp = false, workflows: [AllocationsNotice()]).StartAsync();
        host.AddLotInInspection("L-1", 100);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetOpenAllocations, 1, AdapterResultStatus.PermanentFailure);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-1", "p1"));

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Should().Be(ReasonCodes.QueryRefused);
        deadLetter.Message.Should().StartWith("erp.get-open-allocations of GetOpenAllocationsQuery { Lot = L-1 } failed after 1 attempt(s): adapter.permanent");
        deadLetter.Event!.Value.Id.Should().Be("p1");
        host.Plant.Notification.Sent.Should().BeEmpty();

        var replay = await host.ActAsync(new OperatorRequest { DeadLetterId = deadLetter.Id, Action = OperatorActionKind.Replay, Reason = "ERP fixed" }, EngineTestHost.OperatorId);
        await host.WaitForIdleAsync();

        replay.Succeeded.Should().BeTrue(replay.ToString());
        host.Plant.Notification.Sent.Should().ContainSingle();
    }

    [Fact]
    public async Task QueryRetriesExhausted_DeadLetteredWithTheQueryAndEveryAttempt()
    {
        await using var host = await new EngineTestHost(o => { o.Settings.BootstrapFromErp = false; o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxAttempts = 3 }; }, workflows: [AllocationsNotice()]).StartAsync();
        host.AddLotInInspection("L-1", 100);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetOpenAllocations, 5);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-1", "p1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => host.Plant.Erp.CallCount(QueryKinds.ErpGetOpenAllocations) == 3, Step);
        await host.WaitForIdleAsync();

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Should().Be(ReasonCodes.QueryRetriesExhausted);
        deadLetter.Message.Should().Contain("erp.get-open-allocations").And.Contain("after 3 attempt(s)");
    }
}
