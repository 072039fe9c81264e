using System.Collections.Concurrent;
using System.Text.Json;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class BootstrapRetriesTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TransientErpFailure_EventWaitsOnDurableTimerThenProcessedOnceWithItsEffects()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("L-1", 100);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetLot, 2);
        var start = host.Time.GetUtcNow();

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-1", "p1"));

        // The first attempt failed: nothing happened in the plant, the event is still pending and a retry is due.
        host.Plant.Effects.Records.Should().BeEmpty();
        (await host.Store.ReadPendingEventsAsync("L-1", 0, 10, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().Equal("p1");
        var waiting = await WaitingAsync(host, "L-1");
        Attempts(waiting).Should().Be(1);
        var due = await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct);
        due.Should().NotBeNull().And.BeOnOrAfter(start + TimeSpan.FromSeconds(1.6)).And.BeOnOrBefore(start + TimeSpan.FromSeconds(2.4), "the first delay is the policy's 2 s ±20 %");
        JsonDocument.Parse(waiting.Data!).RootElement.GetProperty("nextAttemptAt").GetDateTimeOffset().Should().Be(due!.Value);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty();

        // The second attempt fails too.
        host.Time.Advance(Step);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        Attempts(await WaitingAsync(host, "L-1")).Should().Be(2);
        host.Plant.Effects.Records.Should().BeEmpty();

        await TestWorkflows.AdvanceUntilAsync(host, () => host.Plant.Erp.QuantityIn(new LotId("L-1"), StockCategory.Unrestricted) == 100, Step);

        host.Plant.Erp.QuantityIn(new LotId("L-1"), StockCategory.Unrestricted).Should().Be(100);
        host.Plant.Erp.QuantityIn(new LotId("L-1"), StockCategory.QualityInspection).Should().Be(0);
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(3);
        host.Plant.Effects.Records.Select(r => r.IdempotencyKey).Should().OnlyHaveUniqueItems();
        host.Plant.Effects.Records.Where(r => r.CommandKind == CommandKinds.ErpChangeStockCategory).Should().ContainSingle();
        var state = await host.Orchestrator.GetPartitionAsync("L-1", EngineTestHost.Ct);
        state!.Instances.Should().BeEmpty();
        state.IsParked.Should().BeFalse();
        (await host.Store.ReadPendingEventsAsync(null, 0, 10, EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().BeNull();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-1", EngineTestHost.Ct);
        audit.Select(r => r.Action).Should().StartWith(["query-retry-scheduled", "query-retry-scheduled", "query-recovered", "processed"]);
        audit.Should().ContainSingle(r => r.Action == "processed");
        audit[0].Reason.Should().StartWith(ReasonCodes.AdapterTransient.Code).And.Contain("erp.get-lot of lot L-1").And.Contain("attempt 1 of 10");
        audit[2].Reason.Should().Contain("attempt 3");
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task LaterEventOfTheLot_WaitsBehindTheRetriedEvent_OtherLotsGoOn()
    {
        var seen = new ConcurrentQueue<string>();
        await using var host = await new EngineTestHost(workflows: [Capture(seen)]).StartAsync();
        host.AddLotInInspection("L-2", 10);
        host.AddLotInInspection("L-9", 10);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetLot, 1);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-2", "p1"));
        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-2", "f2"), EngineTestHost.Passed("L-9", "other"));

        seen.Should().Equal("other:lot");
        (await host.Store.ReadPendingEventsAsync("L-2", 0, 10, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().Equal("p1", "f2");

        await TestWorkflows.AdvanceUntilAsync(host, () => seen.Count == 3, Step);

        seen.Should().Equal("other:lot", "p1:lot", "f2:lot");
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(3, "L-2 was asked twice (one failure), L-9 once; f2 used the kept state");
        (await host.Store.ReadPendingEventsAsync(null, 0, 10, EngineTestHost.Ct)).Should().BeEmpty();
        var processed = (await host.Orchestrator.GetAuditTrailAsync("L-2", EngineTestHost.Ct)).Where(r => r.Action == "processed").Select(r => r.Event!.Value.Id);
        processed.Should().Equal("p1", "f2");
    }

    [Fact]
    public async Task TransientFailuresExhaustTheRetries_EventDeadLetteredAndKeyParked_ReplayProcessesInOrder()
    {
        var seen = new ConcurrentQueue<string>();
        await using var host = await new EngineTestHost(o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxAttempts = 3 }, workflows: [Capture(seen)]).StartAsync();
        host.AddLotInInspection("L-3", 10);
        host.Plant.Faults.Configure(QueryKinds.ErpGetLot, new FaultProfile { TransientFailureRate = 1 });

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-3", "p1"), EngineTestHost.Failed("L-3", "f2"));
        await TestWorkflows.AdvanceUntilAsync(host, () => host.Orchestrator.OpenDeadLetters > 0, Step);

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Should().Be(ReasonCodes.QueryRetriesExhausted);
        deadLetter.Event.Should().Be(new EventKey("qms://plant-1", "p1"));
        deadLetter.Command.Should().BeNull();
        deadLetter.Message.Should().Contain("after 3 attempt(s)").And.Contain(ReasonCodes.AdapterTransient.Code);
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(3);
        var state = await host.Orchestrator.GetPartitionAsync("L-3", EngineTestHost.Ct);
        state!.Parked!.DeadLetterId.Should().Be(deadLetter.Id);
        state.Parked.ReasonCode.Should().Be(ReasonCodes.QueryRetriesExhausted);
        state.Instances.Should().BeEmpty("the dead letter replaces the waiting retry");
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().BeNull("no retry is scheduled after the last attempt");
        (await host.Store.ReadPendingEventsAsync("L-3", 0, 10, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().Equal("p1", "f2");
        seen.Should().BeEmpty();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-3", EngineTestHost.Ct);
        audit.Select(r => r.Action).Should().Equal("query-retry-scheduled", "query-retry-scheduled", "dead-lettered");
        audit[^1].Reason.Should().StartWith(ReasonCodes.QueryRetriesExhausted.Code);

        host.Plant.Faults.Clear();
        (await host.ActAsync(OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Replay, "ERP back"))).Succeeded.Should().BeTrue();
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        seen.Should().Equal("p1:lot", "f2:lot");
        (await host.Orchestrator.GetPartitionAsync("L-3", EngineTestHost.Ct))!.IsParked.Should().BeFalse();
    }

    [Fact]
    public async Task PermanentErpRefusal_EventDeadLetteredAtOnceWithoutRetry()
    {
        var seen = new ConcurrentQueue<string>();
        await using var host = await new EngineTestHost(workflows: [Capture(seen)]).StartAsync();
        host.AddLotInInspection("L-4", 10);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetLot, 1, AdapterResultStatus.PermanentFailure);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-4", "p1"), EngineTestHost.Passed("L-4", "p2"));

        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;
        deadLetter.ReasonCode.Should().Be(ReasonCodes.QueryRefused);
        deadLetter.Event!.Value.Id.Should().Be("p1");
        deadLetter.Message.Should().Contain("after 1 attempt(s)").And.Contain(ReasonCodes.AdapterPermanent.Code);
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(1);
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().BeNull();
        (await host.Orchestrator.GetPartitionAsync("L-4", EngineTestHost.Ct))!.Parked!.ReasonCode.Should().Be(ReasonCodes.QueryRefused);
        (await host.Store.ReadPendingEventsAsync("L-4", 0, 10, EngineTestHost.Ct)).Select(e => e.Key.Id).Should().Equal("p1", "p2");
        seen.Should().BeEmpty();
        (await host.Orchestrator.GetAuditTrailAsync("L-4", EngineTestHost.Ct)).Should().ContainSingle().Which.Action.Should().Be("dead-lettered");
    }

    [Fact]
    public async Task OrderSeenForTheFirstTime_TransientErpFailure_RetriedThenProcessed()
    {
        var orders = new ConcurrentQueue<ProductionOrder?>();
        var workflow = new WorkflowBuilder("orders", 1)
            .TriggeredBy(EventTypes.ProductionConfirmed)
            .Step("look", WorkflowStepKind.Enrich, ctx => orders.Enqueue(ctx.State.Order))
            .Build();
        await using var host = await new EngineTestHost(workflows: [workflow]).StartAsync();
        host.Plant.AddOrder(new ProductionOrder { Id = new OrderId("WO-7"), Material = new MaterialId("PCB-1"), Site = EngineTestHost.Site, PlannedQuantity = Quantity.Each(10), Status = ProductionOrderStatus.InProgress });
        host.Plant.Faults.FailNext(QueryKinds.ErpGetProductionOrder, 1);

        await host.PublishAndWaitAsync(Confirmed("WO-7", "c1"));
        orders.Should().BeEmpty();
        Attempts(await WaitingAsync(host, "order/WO-7")).Should().Be(1);

        await TestWorkflows.AdvanceUntilAsync(host, () => !orders.IsEmpty, Step);

        orders.Should().ContainSingle().Which!.Id.Should().Be(new OrderId("WO-7"));
        host.Plant.Erp.CallCount(QueryKinds.ErpGetProductionOrder).Should().Be(2);
    }

    [Fact]
    public async Task RestartWhileWaiting_NewOrchestratorContinuesTheScheduleAndProcessesOnce()
    {
        var seen = new ConcurrentQueue<string>();
        await using var host = await new EngineTestHost(workflows: [Capture(seen)]).StartAsync();
        host.AddLotInInspection("L-6", 10);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetLot, 3);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-6", "p1"), EngineTestHost.Passed("L-6", "p2"));
        host.Time.Advance(Step);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        Attempts(await WaitingAsync(host, "L-6")).Should().Be(2);
        var due = (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct))!.Value;
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        // Started before the retry is due: the key keeps waiting, nothing is asked early.
        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);
        await second.WaitForIdleAsync(EngineTestHost.Ct);
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(2);
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().Be(due);
        seen.Should().BeEmpty();

        // The third attempt (due before the restart) fails; the fourth succeeds.
        host.Time.Advance(due - host.Time.GetUtcNow());
        await second.WaitForIdleAsync(EngineTestHost.Ct);
        Attempts(await WaitingAsync(host, "L-6")).Should().Be(3, "the attempt count survived the restart");
        for (var i = 0; i < 20 && seen.Count < 2; i++)
        {
            host.Time.Advance(Step);
            await second.WaitForIdleAsync(EngineTestHost.Ct);
        }

        seen.Should().Equal("p1:lot", "p2:lot");
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(4);
        var audit = await host.Store.ReadAuditAsync("L-6", 0, EngineTestHost.Ct);
        audit.Select(r => r.Action).Should().Equal("query-retry-scheduled", "query-retry-scheduled", "query-retry-scheduled", "query-recovered", "processed", "processed");
        audit[3].Reason.Should().Contain("attempt 4");
        (await host.Store.ReadPendingEventsAsync(null, 0, 10, EngineTestHost.Ct)).Should().BeEmpty();
        (await second.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task RestartWithBootstrapTurnedOff_WaitingEventProcessedWhenDueAndTheWaitEnds()
    {
        var seen = new ConcurrentQueue<string>();
        await using var host = await new EngineTestHost(workflows: [Capture(seen)]).StartAsync();
        host.AddLotInInspection("L-8", 10);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetLot, 1);
        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-8", "p1"));
        await host.Orchestrator.StopAsync(EngineTestHost.Ct);

        host.Options.Settings.BootstrapFromErp = false;
        await using var second = new Orchestrator(host.Options);
        await second.StartAsync(EngineTestHost.Ct);
        await second.WaitForIdleAsync(EngineTestHost.Ct);
        seen.Should().BeEmpty("the key waits for its retry timer even though no ERP read is needed any more");
        host.Time.Advance(Step);
        await second.WaitForIdleAsync(EngineTestHost.Ct);

        seen.Should().Equal("p1:none");
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(1);
        (await second.GetPartitionAsync("L-8", EngineTestHost.Ct))!.Instances.Should().BeEmpty();
        (await host.Store.ReadAuditAsync("L-8", 0, EngineTestHost.Ct)).Select(r => r.Action).Should().Equal("query-retry-scheduled", "query-recovered", "processed");
    }

    private static async Task<WorkflowInstanceState> WaitingAsync(EngineTestHost host, string key) =>
        (await host.Orchestrator.GetPartitionAsync(key, EngineTestHost.Ct))!.Instances.Should().ContainSingle(i => i.WaitingFor == "query-retry").Subject;

    private static int Attempts(WorkflowInstanceState instance) =>
        JsonDocument.Parse(instance.Data!).RootElement.GetProperty("attempts").GetInt32();

    /// <summary>Records each event it sees and whether the lot was loaded.</summary>
    private static WorkflowDefinition Capture(ConcurrentQueue<string> seen) =>
        new WorkflowBuilder("capture", 1)
            .TriggeredBy(EventTypes.InspectionPassed, EventTypes.InspectionFailed)
            .Step("look", WorkflowStepKind.Enrich, ctx => seen.Enqueue(ctx.Event.Id + (ctx.State.Lot is null ? ":none" : ":lot")))
            .Build();

    private static EventEnvelope Confirmed(string order, string eventId) => new()
    {
        Id = eventId,
        Source = "mes://line-1",
        Type = EventTypes.ProductionConfirmed,
        Site = EngineTestHost.Site,
        Data = new ProductionConfirmed { Order = new OrderId(order), Site = EngineTestHost.Site, Material = new MaterialId("PCB-1"), Yield = Quantity.Each(5) },
    };
}
