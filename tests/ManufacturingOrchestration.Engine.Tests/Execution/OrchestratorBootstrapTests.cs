using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorBootstrapTests
{
    [Fact]
    public async Task FirstEventOfALot_LotFetchedFromErpBeforeTheFirstStep()
    {
        var seen = new ConcurrentQueue<MaterialLot?>();
        await using var host = await new EngineTestHost(workflows: [Capture(seen)]).StartAsync();
        host.AddLotInInspection("L-1", 120, consumed: 5);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-1", "p1"));

        var lot = seen.Should().ContainSingle().Subject;
        lot.Should().NotBeNull();
        lot!.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(120);
        lot.ConsumedQuantity.Should().Be(5);
        lot.Supplier.Should().Be(EngineTestHost.Supplier);
        (await host.Orchestrator.GetPartitionAsync("L-1", EngineTestHost.Ct))!.Lot.Should().BeEquivalentTo(host.Plant.Erp.GetLot(new LotId("L-1")));
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(1);
    }

    [Fact]
    public async Task LaterEventsOfTheLot_UseTheKeptStateWithoutAskingTheErpAgain()
    {
        var seen = new ConcurrentQueue<MaterialLot?>();
        await using var host = await new EngineTestHost(workflows: [Capture(seen)]).StartAsync();
        host.AddLotInInspection("L-2", 10);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-2", "p1"), EngineTestHost.Passed("L-2", "p2"), EngineTestHost.Passed("L-2", "p3"));

        seen.Should().HaveCount(3).And.OnlyContain(l => l != null);
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(1);
    }

    [Fact]
    public async Task BootstrapDisabled_StepSeesNoLot()
    {
        var seen = new ConcurrentQueue<MaterialLot?>();
        await using var host = await new EngineTestHost(o => o.Settings.BootstrapFromErp = false, workflows: [Capture(seen)]).StartAsync();
        host.AddLotInInspection("L-3", 10);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-3", "p1"));

        seen.Should().ContainSingle().Which.Should().BeNull();
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(0);
    }

    [Fact]
    public async Task UnknownLot_WorkflowRejectionAuditedAndNoCommandRuns()
    {
        await using var host = await new EngineTestHost(workflows: [Guarded()]).StartAsync();

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-404", "p1"));

        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(1, "the engine asked the ERP before the first step");
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-404", EngineTestHost.Ct);
        var rejected = audit.Should().ContainSingle().Subject;
        rejected.Action.Should().Be("transition-rejected");
        rejected.Reason.Should().StartWith(ReasonCodes.LotUnknown.Code);
        rejected.Actor.Should().Be("system:guarded");
        host.Plant.Effects.Records.Should().BeEmpty();
        (await host.Store.ReadPendingCommandsAsync("L-404", EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty();
        (await host.Orchestrator.GetPartitionAsync("L-404", EngineTestHost.Ct))!.Lot.Should().BeNull();
    }

    [Fact]
    public async Task ErpLookupFailsOnEveryAttempt_EventDeadLetteredAndReplayableOnceTheErpAnswers()
    {
        var seen = new ConcurrentQueue<MaterialLot?>();
        await using var host = await new EngineTestHost(o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxAttempts = 2 }, workflows: [Capture(seen)]).StartAsync();
        host.AddLotInInspection("L-5", 10);
        host.Plant.Faults.Configure(QueryKinds.ErpGetLot, new FaultProfile { TransientFailureRate = 1 });

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-5", "p1"));
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty("a transient failure is retried first");
        await TestWorkflows.AdvanceUntilAsync(host, () => host.Orchestrator.OpenDeadLetters > 0, TimeSpan.FromMinutes(1));

        var deadLetter = await OrchestratorDeadLetterTests.SingleOpenAsync(host);
        deadLetter.ReasonCode.Should().Be(ReasonCodes.QueryRetriesExhausted);
        host.Plant.Erp.CallCount(QueryKinds.ErpGetLot).Should().Be(2);
        seen.Should().BeEmpty("no step runs on a lot the engine could not load");

        host.Plant.Faults.Clear();
        (await host.ActAsync(OrchestratorDeadLetterTests.Request(deadLetter, OperatorActionKind.Replay, "ERP back"))).Succeeded.Should().BeTrue();
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);
        seen.Should().ContainSingle().Which!.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(10);
    }

    private static WorkflowDefinition Capture(ConcurrentQueue<MaterialLot?> seen) =>
        new WorkflowBuilder("capture", 1)
            .TriggeredBy(EventTypes.InspectionPassed)
            .Step("look", WorkflowStepKind.Enrich, ctx => seen.Enqueue(ctx.State.Lot))
            .Build();

    /// <summary>Rejects an event for a lot the engine could not load, and plans an ERP command otherwise.</summary>
    private static WorkflowDefinition Guarded() =>
        new WorkflowBuilder("guarded", 1)
            .TriggeredBy(EventTypes.InspectionPassed)
            .Step("guard", WorkflowStepKind.Transition, ctx =>
            {
                if (ctx.State.Lot is null)
                {
                    ctx.Reject(ReasonCodes.LotUnknown, "The ERP does not know the lot.", "unknown", []);
                    return;
                }

                ctx.Plan(CommandKinds.ErpPlaceShipmentHold, c => new PlaceShipmentHoldRequest { Context = c, Lot = ctx.State.Lot.Id });
            })
            .Build();
}
