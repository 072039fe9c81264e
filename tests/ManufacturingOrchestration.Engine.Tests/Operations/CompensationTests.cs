using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Operations;

public class CompensationTests
{
    [Fact]
    public async Task Compensate_AfterALaterStepFailsPermanently_UndoesCompletedStepsInReverseOrderAndAudits()
    {
        await using var host = await new EngineTestHost(workflows: [ReleaseThenNotify()]).StartAsync();
        host.AddLotInInspection("L-C1", 30);
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-C1", "c-1"));

        var lot = new LotId("L-C1");
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(20);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(10);
        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle().Subject;

        var result = await host.ActAsync(new OperatorRequest { DeadLetterId = deadLetter.Id, Action = OperatorActionKind.Compensate, Reason = "customer cancelled" }, EngineTestHost.OperatorId);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        result.Succeeded.Should().BeTrue(result.Message);
        host.Plant.Erp.QuantityIn(lot, StockCategory.QualityInspection).Should().Be(30);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Unrestricted).Should().Be(0);
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(0);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty();
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-C1", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "operator-compensate").Which.Reason.Should().Contain("customer cancelled").And.Contain("2 compensation(s)");
        var caused = await host.Store.ReadCommandsCausedByAsync(new EventKey("qms://plant-1", "c-1"), EngineTestHost.Ct);
        caused.Where(c => c.Step.EndsWith(":compensate", StringComparison.Ordinal)).Select(c => c.Step).Should().Equal("restrict:compensate", "release:compensate");
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task Act_ReasonWithControlCharacter_IsRefusedWithInvalidTextAndTheDeadLetterStaysOpen()
    {
        await using var host = await new EngineTestHost(workflows: [ReleaseThenNotify()]).StartAsync();
        host.AddLotInInspection("L-C3", 30);
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);
        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-C3", "c-3"));
        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Single();

        var result = await host.ActAsync(new OperatorRequest { DeadLetterId = deadLetter.Id, Action = OperatorActionKind.Skip, Reason = "skip\u0000" }, EngineTestHost.OperatorId);

        result.Succeeded.Should().BeFalse();
        result.Refusal.Should().Be(ReasonCodes.InvalidText);
        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().ContainSingle();
    }

    [Fact]
    public async Task Compensate_ByActorWithoutOperatorRole_IsRefused()
    {
        await using var host = await new EngineTestHost(workflows: [ReleaseThenNotify()]).StartAsync();
        host.AddLotInInspection("L-C2", 30);
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);
        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-C2", "c-2"));
        var deadLetter = (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Single();

        var result = await host.ActAsync(new OperatorRequest { DeadLetterId = deadLetter.Id, Action = OperatorActionKind.Compensate, Reason = "try" }, new ActorId("someone"));

        result.Succeeded.Should().BeFalse();
        host.Plant.Erp.QuantityIn(new LotId("L-C2"), StockCategory.Unrestricted).Should().Be(20);
        host.Plant.Erp.QuantityIn(new LotId("L-C2"), StockCategory.Blocked).Should().Be(10);
    }

    /// <summary>Releases 30 to unrestricted, blocks 10 of it, then notifies; both ERP steps are compensable.</summary>
    private static WorkflowDefinition ReleaseThenNotify() =>
        new WorkflowBuilder("release-then-notify", 1)
            .TriggeredBy(EventTypes.InspectionPassed)
            .Step("release", WorkflowStepKind.Plan, ctx => ctx.Plan(
                CommandKinds.ErpChangeStockCategory,
                c => Move(c, ctx, 30, StockCategory.QualityInspection, StockCategory.Unrestricted),
                c => Move(c, ctx, 30, StockCategory.Unrestricted, StockCategory.QualityInspection)))
            .Step("restrict", WorkflowStepKind.Plan, ctx => ctx.Plan(
                CommandKinds.ErpChangeStockCategory,
                c => Move(c, ctx, 10, StockCategory.Unrestricted, StockCategory.Blocked),
                c => Move(c, ctx, 10, StockCategory.Blocked, StockCategory.Unrestricted)))
            .Step("notify", WorkflowStepKind.Notify, ctx => ctx.Plan(
                CommandKinds.NotificationSend,
                c => new SendNotificationRequest { Context = c, Roles = [Role.Planner], Site = EngineTestHost.Site, Subject = "released" }))
            .Build();

    private static ChangeStockCategoryRequest Move(CommandContext context, StepContext ctx, decimal quantity, StockCategory from, StockCategory to)
    {
        var passed = (InspectionPassed)ctx.Event.Data;
        return new ChangeStockCategoryRequest { Context = context, Lot = passed.Lot, Material = passed.Material, Site = passed.Site, Quantity = Quantity.Each(quantity), FromCategory = from, ToCategory = to };
    }
}
