using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

/// <summary>
/// Incoming inspection as a quality engineer and a warehouse lead walk it: what the ERP blocks and what the warehouse
/// moves to the hold bin agree, whatever the inspection result names.
/// </summary>
public sealed class IncomingInspectionEndToEndTests
{
    private static readonly LotId Lot = new("L-400");
    private static readonly OrderId Order = new("WO-4");

    [Fact]
    public async Task FailedInspection_RejectingMoreThanIsLeft_MovesOnlyTheBlockedQuantityToTheHoldBin()
    {
        await using var host = await new EngineTestHost(scenarioWorkflows: s => [StockMovementWorkflow.Create(s), IncomingInspectionWorkflow.Create(s)]).StartAsync();
        host.AddLotInInspection(Lot.Value, 100);
        host.Plant.AddOrder(new ProductionOrder { Id = Order, Material = new MaterialId("PCB-1"), Site = EngineTestHost.Site, PlannedQuantity = Quantity.Each(10), Status = ProductionOrderStatus.InProgress });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Lot, Order = Order, Quantity = Quantity.Each(40) });
        await host.PublishAndWaitAsync(EngineTestHost.Passed(Lot.Value, "qi-pass"));
        await ConsumeAsync(host, 40);

        // The QMS rejects the lot's whole received quantity; 40 of it were consumed in the meantime.
        var failed = EngineTestHost.Failed(Lot.Value, "qi-fail");
        await host.PublishAndWaitAsync(failed with { Data = ((InspectionFailed)failed.Data!) with { RejectedQuantity = Quantity.Each(100) } });

        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty(await host.DescribeDeadLettersAsync());
        host.Plant.Erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(60);
        host.Plant.Wms.MoveTasks.Should().ContainSingle(t => t.Lot == Lot).Which.Quantity.Should().Be(60, "only what the ERP blocked can be moved to the hold bin");
        host.Plant.Wms.QuantityIn(Lot, new BinId("HOLD-P1")).Should().Be(60);
    }

    [Fact]
    public async Task PassedInspection_NamingAnotherSiteThanTheLots_IsRejected_TheRegulatedSitesApprovalIsNotBypassed()
    {
        // P1 is not regulated; P3 is, so a release there needs a quality manager's signature.
        var regulated = new SiteProfile { Id = new SiteId("P3"), HoldLocation = new BinId("HOLD-P3"), IsRegulated = true };
        var services = new ScenarioServices(new Rules.DecisionEngineBuilder().AddStandardRules().Build(), new SiteDirectory([EngineTestHost.SiteProfile, regulated]));
        await using var host = await new EngineTestHost(workflows: [IncomingInspectionWorkflow.Create(services)]).StartAsync();
        host.Plant.AddSite(regulated);
        host.Plant.AddLot(new MaterialLot
        {
            Id = Lot,
            Material = EngineTestHost.Capacitor,
            Site = regulated.Id,
            Supplier = EngineTestHost.Supplier,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100) }],
        }, new BinId("RCV-P3"));

        await host.PublishAndWaitAsync(EngineTestHost.Passed(Lot.Value, "qi-pass-p1"));

        host.Plant.Erp.QuantityIn(Lot, StockCategory.QualityInspection).Should().Be(100, "the lot lies at the regulated site, whose release needs an approval");
        host.Plant.Erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(0);
        (await host.Orchestrator.GetAuditTrailAsync(Lot.Value, EngineTestHost.Ct)).Should().ContainSingle(r => r.Action == "transition-rejected")
            .Which.Reason.Should().StartWith(ReasonCodes.OutOfRange.Code).And.Contain("P3");
    }

    private static async Task ConsumeAsync(EngineTestHost host, decimal quantity)
    {
        var posted = await host.Plant.Erp.PostGoodsMovementAsync(new PostGoodsMovementRequest
        {
            Context = new CommandContext { IdempotencyKey = "mes-261-" + quantity, CorrelationId = "shop-floor" },
            Movement = new GoodsMovement
            {
                Kind = MovementKind.Consumption,
                Lot = Lot,
                Material = EngineTestHost.Capacitor,
                Site = EngineTestHost.Site,
                Quantity = Quantity.Each(quantity),
                FromCategory = StockCategory.Unrestricted,
                Order = Order,
            },
        }, EngineTestHost.Ct);
        posted.IsSuccess.Should().BeTrue(posted.ToString());
        await host.PublishAndWaitAsync(new EventEnvelope
        {
            Id = "mes-consumed-" + quantity,
            Source = "mes://plant-1",
            Type = EventTypes.LotConsumed,
            Site = EngineTestHost.Site,
            Data = new LotConsumed { Lot = Lot, Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Order = Order, Quantity = Quantity.Each(quantity) },
        });
    }
}
