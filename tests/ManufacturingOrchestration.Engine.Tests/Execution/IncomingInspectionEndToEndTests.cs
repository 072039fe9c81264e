using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class IncomingInspectionEndToEndTests
{
    [Fact]
    public async Task InspectionFailed_PartlyConsumedLot_QuarantinesEverywhereExactlyOnce()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("L-100", 60, consumed: 40);
        host.Plant.AddOrder(new ProductionOrder { Id = new OrderId("WO-1"), Material = new MaterialId("PCB-1"), Site = EngineTestHost.Site, PlannedQuantity = Quantity.Each(10), Status = ProductionOrderStatus.InProgress });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = new LotId("L-100"), Order = new OrderId("WO-1"), Quantity = Quantity.Each(40) });

        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-100", "evt-1"));

        (await host.Orchestrator.GetDeadLettersAsync(DeadLetterQuery.Open, EngineTestHost.Ct)).Should().BeEmpty(await host.DescribeDeadLettersAsync());
        var lot = new LotId("L-100");
        host.Plant.Erp.QuantityIn(lot, StockCategory.Blocked).Should().Be(60);
        host.Plant.Erp.QuantityIn(lot, StockCategory.QualityInspection).Should().Be(0);
        host.Plant.Wms.MoveTasks.Should().ContainSingle(t => t.Lot == lot).Which.ToBin.Should().Be(new BinId("HOLD-P1"));
        host.Plant.Notification.SentTo(Role.Buyer, EngineTestHost.Site).Should().NotBeEmpty();
        var supplierCase = host.Plant.Qms.SupplierCases.Should().ContainSingle().Subject;
        supplierCase.Supplier.Should().Be(EngineTestHost.Supplier);
        supplierCase.Evidence.Should().ContainSingle();
        host.Plant.Mes.GetWorkOrder(new OrderId("WO-1"))!.Status.Should().Be(ProductionOrderStatus.Held);
        host.Plant.Mes.ContainmentChecks.Should().ContainSingle().Which.Orders.Should().Equal(new OrderId("WO-1"));

        var effects = host.Plant.Effects.Records;
        effects.Select(e => e.IdempotencyKey).Should().OnlyHaveUniqueItems();

        var state = await host.Orchestrator.GetPartitionAsync("L-100", EngineTestHost.Ct);
        state!.Lot!.QuantityIn(StockCategory.Blocked).Value.Should().Be(60);
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-100", EngineTestHost.Ct);
        audit.Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain("mo.inspection-failed.quarantine");
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task InspectionPassed_LotReleasedToUnrestricted()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("L-200", 100);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-200", "evt-2"));

        host.Plant.Erp.QuantityIn(new LotId("L-200"), StockCategory.Unrestricted).Should().Be(100);
        host.Plant.Wms.MoveTasks.Should().BeEmpty();
        host.Plant.Qms.SupplierCases.Should().BeEmpty();
        (await host.Orchestrator.Audit.VerifyAllAsync(EngineTestHost.Ct)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task InspectionPassed_RestrictedBatch_LandsInRestrictedUse()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("L-300", 50, restricted: true);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-300", "evt-3"));

        host.Plant.Erp.QuantityIn(new LotId("L-300"), StockCategory.RestrictedUse).Should().Be(50);
        host.Plant.Erp.QuantityIn(new LotId("L-300"), StockCategory.Unrestricted).Should().Be(0);
    }

    [Fact]
    public async Task Publish_SameEventTwice_SecondIsDuplicateWithoutEffect()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("L-400", 10);

        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-400", "evt-4"));
        var again = await host.Orchestrator.PublishAsync(EngineTestHost.Failed("L-400", "evt-4"), EngineTestHost.Ct);
        await host.Orchestrator.WaitForIdleAsync(EngineTestHost.Ct);

        again.Status.Should().Be(PublishStatus.Duplicate);
        host.Plant.Erp.CallCount(CommandKinds.ErpChangeStockCategory).Should().Be(1);
    }

    [Fact]
    public async Task SecondInspection_AfterQuarantine_IsRejectedByTheStateMachineAndAudited()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("L-500", 10);

        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-500", "evt-5a"), EngineTestHost.Passed("L-500", "evt-5b"));

        host.Plant.Erp.QuantityIn(new LotId("L-500"), StockCategory.Blocked).Should().Be(10);
        host.Plant.Erp.QuantityIn(new LotId("L-500"), StockCategory.Unrestricted).Should().Be(0);
        var audit = await host.Orchestrator.GetAuditTrailAsync("L-500", EngineTestHost.Ct);
        audit.Select(a => a.Action).Should().Equal("processed", "transition-rejected");
        audit[1].Reason.Should().Contain("lot.");
    }
}
