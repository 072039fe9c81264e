using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Engine.Tests.Approvals;

public class StepDeadlineTests
{
    [Fact]
    public async Task CommandsStillRetryingAtTheDeadline_BreachTheSlaAndAlertTheRoleWithoutWaitingBehindThem()
    {
        await using var host = await CreateHostAsync();
        host.AddLotInInspection("L-D1", 10);
        host.Plant.Faults.FailNext(CommandKinds.ErpChangeStockCategory, 1000);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-D1", "d-1"));
        host.Time.Advance(TimeSpan.FromMinutes(11));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        var alert = host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle().Subject;
        alert.Request.ReasonCode.Should().Be(ReasonCodes.SlaBreached);
        host.Plant.Erp.QuantityIn(new LotId("L-D1"), StockCategory.Unrestricted).Should().Be(0);
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-D1", EngineTestHost.Ct);
        audit.Should().ContainSingle(a => a.Action == "sla-breached").Which.Reason.Should().Contain("release-with-deadline");
    }

    [Fact]
    public async Task CommandsCompletedBeforeTheDeadline_NoBreach()
    {
        await using var host = await CreateHostAsync();
        host.AddLotInInspection("L-D2", 10);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-D2", "d-2"));
        host.Time.Advance(TimeSpan.FromMinutes(11));
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        host.Plant.Notification.Sent.Should().BeEmpty();
        (await host.Orchestrator.GetAuditTrailAsync("L-D2", EngineTestHost.Ct)).Should().NotContain(a => a.Action == "sla-breached");
        (await host.Store.ReadNextTimerDueAsync(EngineTestHost.Ct)).Should().BeNull();
    }

    private static Task<EngineTestHost> CreateHostAsync() =>
        new EngineTestHost(o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromHours(1), MaxDelay = TimeSpan.FromHours(2) }, workflows: [Workflow()]).StartAsync();

    private static WorkflowDefinition Workflow() =>
        new WorkflowBuilder("release-with-deadline", 1)
            .TriggeredBy(EventTypes.InspectionPassed)
            .WithDeadline(TimeSpan.FromMinutes(10), Role.Planner)
            .Step("release", WorkflowStepKind.Plan, ctx =>
            {
                var passed = (InspectionPassed)ctx.Event.Data;
                ctx.Plan(CommandKinds.ErpChangeStockCategory, c => new ChangeStockCategoryRequest { Context = c, Lot = passed.Lot, Material = passed.Material, Site = passed.Site, Quantity = Quantity.Each(10), FromCategory = StockCategory.QualityInspection, ToCategory = StockCategory.Unrestricted });
            })
            .Build();
}
