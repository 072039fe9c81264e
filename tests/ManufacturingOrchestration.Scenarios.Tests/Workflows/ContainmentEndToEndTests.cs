using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

/// <summary>
/// Containment of a failed, partly consumed lot through genealogy (<see cref="LotContainmentWorkflow"/>) and the holds
/// of the orders that used it (<see cref="WorkOrderHoldWorkflow"/>, <see cref="ProductionConfirmationWorkflow"/>),
/// end to end against the simulators.
/// </summary>
public class ContainmentEndToEndTests
{
    private static readonly LotId Failed = new("L-100");
    private static readonly LotId Intermediate = new("INT-1");
    private static readonly LotId FinishedGood = new("FG-1");
    private static readonly OrderId SubAssembly = new("WO-1");
    private static readonly OrderId FinalAssembly = new("WO-2");
    private static readonly BinId Hold = new("HOLD-P1");

    [Fact]
    public async Task InspectionFailed_TwoLevelsOfGenealogy_BlocksAndHoldsBothProducedLotsNamingTheOrigin()
    {
        await using var host = await ScenarioTestHost.StartAsync();
        AddLot(host, Failed, StockCategory.QualityInspection, 60, consumed: 40);
        AddLot(host, Intermediate, StockCategory.Unrestricted, 30, consumed: 20);
        AddLot(host, FinishedGood, StockCategory.QualityInspection, 50, consumed: 0);
        AddOrder(host, SubAssembly);
        AddOrder(host, FinalAssembly);
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Failed, ProducedLot = Intermediate, Order = SubAssembly, Quantity = Quantity.Each(40) });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Intermediate, ProducedLot = FinishedGood, Order = FinalAssembly, Quantity = Quantity.Each(20) });

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Failed.Value, "evt-fail"));

        await host.ShouldHaveNoDeadLettersAsync();
        var erp = host.Plant.Erp;
        erp.QuantityIn(Intermediate, StockCategory.Blocked).Should().Be(30, "unrestricted stock of the intermediate lot is blocked (344)");
        erp.QuantityIn(Intermediate, StockCategory.Unrestricted).Should().Be(0);
        erp.QuantityIn(FinishedGood, StockCategory.Blocked).Should().Be(50, "quality-inspection stock of the finished good is blocked (350)");
        erp.QuantityIn(FinishedGood, StockCategory.QualityInspection).Should().Be(0);
        host.Plant.Wms.QuantityIn(Intermediate, Hold).Should().Be(30);
        host.Plant.Wms.QuantityIn(FinishedGood, Hold).Should().Be(50);

        var intermediate = (await host.Orchestrator.GetPartitionAsync(Intermediate.Value, ScenarioTestHost.Ct))!.Lot!;
        intermediate.QuantityIn(StockCategory.Blocked).Value.Should().Be(30, "the orchestrator's copy of the lot follows the block");
        intermediate.Holds.Should().ContainSingle().Which.Should().Contain(Failed.Value);
        (await host.AuditOfAsync(Intermediate.Value)).Should().ContainSingle(r => r.Action == "contained")
            .Which.Reason.Should().Contain("failed lot L-100").And.Contain("L-100 → INT-1").And.Contain("by order WO-1").And.Contain("HOLD-P1");
        (await host.AuditOfAsync(FinishedGood.Value)).Should().ContainSingle(r => r.Action == "contained")
            .Which.Reason.Should().Contain("failed lot L-100").And.Contain("L-100 → INT-1 → FG-1").And.Contain("by order WO-2");

        host.Plant.Mes.GetWorkOrder(SubAssembly)!.Status.Should().Be(ProductionOrderStatus.Held);
        host.Plant.Mes.GetWorkOrder(FinalAssembly)!.Status.Should().Be(ProductionOrderStatus.Held, "the intermediate lot's consumer is contained in turn");
        host.Plant.Mes.ContainmentChecks.Select(c => (c.Lot, c.Orders.Single())).Should().BeEquivalentTo([(Failed, SubAssembly), (Intermediate, FinalAssembly)]);
        foreach (var order in new[] { SubAssembly, FinalAssembly })
        {
            (await host.Orchestrator.GetPartitionAsync("order/" + order.Value, ScenarioTestHost.Ct))!.Order!.Status.Should().Be(ProductionOrderStatus.Held, "the hold is mirrored in the order's partition");
        }

        host.Plant.Effects.Records.Select(e => e.IdempotencyKey).Should().OnlyHaveUniqueItems();
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task InspectionFailed_GenealogyCycle_WalkEndsWithEveryLotContainedOnce()
    {
        await using var host = await ScenarioTestHost.StartAsync();
        var a = new LotId("A-1");
        var b = new LotId("B-1");
        AddLot(host, Failed, StockCategory.QualityInspection, 60, consumed: 40);
        AddLot(host, a, StockCategory.Unrestricted, 10, consumed: 5);
        AddLot(host, b, StockCategory.Unrestricted, 8, consumed: 2);
        AddOrder(host, SubAssembly);
        AddOrder(host, FinalAssembly);
        AddOrder(host, new OrderId("WO-3"));
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Failed, ProducedLot = a, Order = SubAssembly, Quantity = Quantity.Each(40) });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = a, ProducedLot = b, Order = FinalAssembly, Quantity = Quantity.Each(5) });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = b, ProducedLot = a, Order = new OrderId("WO-3"), Quantity = Quantity.Each(2) });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = b, ProducedLot = Failed, Order = new OrderId("WO-3"), Quantity = Quantity.Each(2) });

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Failed.Value, "evt-cycle"));

        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Erp.QuantityIn(a, StockCategory.Blocked).Should().Be(10);
        host.Plant.Erp.QuantityIn(b, StockCategory.Blocked).Should().Be(8);
        var cycle = (await host.AuditOfAsync(b.Value)).Where(r => r.Action == "genealogy-cycle").Select(r => r.Reason).ToList();
        cycle.Should().HaveCount(2).And.Contain(r => r.StartsWith("Lot A-1 ", StringComparison.Ordinal)).And.Contain(r => r.StartsWith("Lot L-100 ", StringComparison.Ordinal));
        (await host.AuditOfAsync(a.Value)).Should().ContainSingle(r => r.Action == "contained");
        host.Plant.Erp.CallCount(CommandKinds.ErpChangeStockCategory).Should().Be(3, "the failed lot, A-1 and B-1 are each blocked once");
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task InspectionFailed_ProducedLotsInRestrictedUseOrWithoutStock_BlocksThroughUnrestrictedAndWalksTheEmptyLot()
    {
        await using var host = await ScenarioTestHost.StartAsync();
        var restricted = new LotId("R-1");
        var empty = new LotId("E-1");
        var finished = new LotId("FG-2");
        AddLot(host, Failed, StockCategory.QualityInspection, 60, consumed: 40);
        AddLot(host, restricted, StockCategory.RestrictedUse, 12, consumed: 0);
        AddLot(host, empty, category: null, 0, consumed: 30);
        AddLot(host, finished, StockCategory.Unrestricted, 5, consumed: 0);
        AddOrder(host, SubAssembly);
        AddOrder(host, FinalAssembly);
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Failed, ProducedLot = restricted, Order = SubAssembly, Quantity = Quantity.Each(20) });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Failed, ProducedLot = empty, Order = SubAssembly, Quantity = Quantity.Each(20) });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = empty, ProducedLot = finished, Order = FinalAssembly, Quantity = Quantity.Each(30) });

        await host.PublishAndWaitAsync(EngineTestHost.Failed(Failed.Value, "evt-fail"));

        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Erp.QuantityIn(restricted, StockCategory.Blocked).Should().Be(12, "restricted-use stock is blocked through unrestricted (342, 344)");
        host.Plant.Erp.QuantityIn(restricted, StockCategory.RestrictedUse).Should().Be(0);
        host.ErpMovements("342").Should().Be(1);
        host.Plant.Wms.QuantityIn(restricted, Hold).Should().Be(12);
        (await host.AuditOfAsync(empty.Value)).Should().ContainSingle(r => r.Action == "nothing-to-block").Which.Reason.Should().Contain("failed lot L-100");
        host.Plant.Erp.QuantityIn(finished, StockCategory.Blocked).Should().Be(5, "a lot without stock of its own is still walked");
        (await host.AuditOfAsync(finished.Value)).Should().ContainSingle(r => r.Action == "contained").Which.Reason.Should().Contain("L-100 → E-1 → FG-2");
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task InspectionFailed_ProducedLotAlreadyContainedFromAnotherFailure_StopsTheWalkThere()
    {
        await using var host = await ScenarioTestHost.StartAsync();
        var second = new LotId("L-200");
        AddLot(host, Failed, StockCategory.QualityInspection, 60, consumed: 40);
        AddLot(host, second, StockCategory.QualityInspection, 50, consumed: 10);
        AddLot(host, Intermediate, StockCategory.Unrestricted, 30, consumed: 20);
        AddLot(host, FinishedGood, StockCategory.Unrestricted, 50, consumed: 0);
        AddOrder(host, SubAssembly);
        AddOrder(host, FinalAssembly);
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Failed, ProducedLot = Intermediate, Order = SubAssembly, Quantity = Quantity.Each(40) });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = second, ProducedLot = Intermediate, Order = SubAssembly, Quantity = Quantity.Each(10) });
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Intermediate, ProducedLot = FinishedGood, Order = FinalAssembly, Quantity = Quantity.Each(20) });
        await host.PublishAndWaitAsync(EngineTestHost.Failed(Failed.Value, "evt-fail-1"));
        var changes = host.Plant.Erp.CallCount(CommandKinds.ErpChangeStockCategory);
        var genealogyReads = host.Plant.Mes.CallCount(QueryKinds.MesGetConsumers);

        await host.PublishAndWaitAsync(EngineTestHost.Failed(second.Value, "evt-fail-2"));

        await host.ShouldHaveNoDeadLettersAsync();
        (await host.AuditOfAsync(Intermediate.Value)).Should().ContainSingle(r => r.Action == "already-contained").Which.Reason.Should().Contain("failed lot L-200");
        host.Plant.Erp.CallCount(CommandKinds.ErpChangeStockCategory).Should().Be(changes + 1, "only the second failed lot itself is blocked");
        host.Plant.Mes.CallCount(QueryKinds.MesGetConsumers).Should().Be(genealogyReads + 1, "only the second failed lot's consumers are read: the walk stops at the lot already contained");
        (await host.AuditOfAsync("order/WO-1")).Should().ContainSingle(r => r.Action == "already-held");
        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task Confirmation_OrderHeldByContainment_IsRefusedNotifiedAndReachesNeitherErpNorMes()
    {
        await using var host = await StartWithContainedOrderAsync();

        await host.PublishAndWaitAsync(Confirmed("c-held"));

        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Erp.CallCount(CommandKinds.ErpPostProductionConfirmation).Should().Be(0);
        host.Plant.Mes.CallCount(CommandKinds.MesRecordProductionConfirmation).Should().Be(0);
        host.Plant.Erp.GetOrder(SubAssembly)!.ConfirmedQuantity.Should().Be(0);
        var order = (await host.Orchestrator.GetPartitionAsync("order/WO-1", ScenarioTestHost.Ct))!.Order!;
        order.Status.Should().Be(ProductionOrderStatus.Held);
        order.ConfirmedQuantity.Should().Be(0);
        (await host.AuditOfAsync("order/WO-1")).Should().ContainSingle(r => r.Action == "confirmation-refused").Which.Reason.Should().StartWith("order.held");
        foreach (var role in new[] { Role.Planner, Role.QualityEngineer })
        {
            host.Plant.Notification.SentTo(role, EngineTestHost.Site).Should().Contain(n => n.Request.Order == SubAssembly && n.Request.Subject.Contains("refused"));
        }

        await host.ShouldHaveValidAuditAsync();
    }

    [Fact]
    public async Task Confirmation_AfterHoldLifted_GoesThroughToErpAndMes()
    {
        await using var host = await StartWithContainedOrderAsync();

        await host.PublishAndWaitAsync(
            ScenarioTestHost.Envelope("release-1", EventTypes.WorkOrderHoldReleased, new WorkOrderHoldReleased { Order = SubAssembly, Site = EngineTestHost.Site, ReleasedBy = ScenarioTestHost.QualityManagerId, Reason = "containment check: no defect found" }),
            Confirmed("c-after"));

        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Erp.CallCount(CommandKinds.ErpPostProductionConfirmation).Should().Be(1);
        host.Plant.Erp.GetOrder(SubAssembly)!.ConfirmedQuantity.Should().Be(10);
        host.Plant.Mes.GetWorkOrder(SubAssembly)!.Status.Should().Be(ProductionOrderStatus.InProgress);
        host.Plant.Mes.GetWorkOrder(SubAssembly)!.ConfirmedQuantity.Should().Be(10);
        var order = (await host.Orchestrator.GetPartitionAsync("order/WO-1", ScenarioTestHost.Ct))!.Order!;
        order.Status.Should().Be(ProductionOrderStatus.InProgress, "the hold returns the order to its prior status");
        order.StatusBeforeHold.Should().BeNull();
        (await host.AuditOfAsync("order/WO-1")).Should().ContainSingle(r => r.Action == "hold-released").Which.Reason.Should().Contain("back to InProgress");
        await host.ShouldHaveValidAuditAsync();
    }

    [Theory]
    [InlineData("op-unknown")]
    [InlineData(null)]
    public async Task HoldRelease_ByNoVerifiedQualityPerson_LeavesTheOrderHeldAndTheConfirmationRefused(string? releasedBy)
    {
        await using var host = await StartWithContainedOrderAsync();

        await host.PublishAndWaitAsync(
            ScenarioTestHost.Envelope("release-forged", EventTypes.WorkOrderHoldReleased, new WorkOrderHoldReleased { Order = SubAssembly, Site = EngineTestHost.Site, ReleasedBy = releasedBy is null ? null : new ActorId(releasedBy) }),
            Confirmed("c-after"));

        (await host.Orchestrator.GetPartitionAsync("order/WO-1", ScenarioTestHost.Ct))!.Order!.Status.Should().Be(ProductionOrderStatus.Held);
        (await host.AuditOfAsync("order/WO-1")).Should().Contain(r => r.Action == "transition-rejected" && r.Reason.StartsWith("approval.release-authority-unverified", StringComparison.Ordinal));
        host.Plant.Erp.CallCount(CommandKinds.ErpPostProductionConfirmation).Should().Be(0);
        host.Plant.Mes.GetWorkOrder(SubAssembly)!.Status.Should().Be(ProductionOrderStatus.Held, "the MES is not told to release");
    }

    /// <summary>A failed lot consumed by WO-1 (in progress): after the failure WO-1 is held by containment.</summary>
    private static async Task<ScenarioTestHost> StartWithContainedOrderAsync()
    {
        var host = await ScenarioTestHost.StartAsync();
        AddLot(host, Failed, StockCategory.QualityInspection, 60, consumed: 40);
        AddOrder(host, SubAssembly);
        host.Plant.AddGenealogy(new GenealogyLink { ComponentLot = Failed, Order = SubAssembly, Quantity = Quantity.Each(40) });
        await host.PublishAndWaitAsync(EngineTestHost.Failed(Failed.Value, "evt-fail"));
        host.Plant.Mes.GetWorkOrder(SubAssembly)!.Status.Should().Be(ProductionOrderStatus.Held);
        return host;
    }

    private static void AddLot(ScenarioTestHost host, LotId id, StockCategory? category, decimal quantity, decimal consumed) =>
        host.Plant.AddLot(new MaterialLot
        {
            Id = id,
            Material = id == Failed ? EngineTestHost.Capacitor : ScenarioTestHost.Board,
            Site = EngineTestHost.Site,
            Supplier = id == Failed ? EngineTestHost.Supplier : null,
            Unit = UnitOfMeasure.Each,
            Buckets = category is { } c ? [new StockBucket { Category = c, Quantity = Quantity.Each(quantity) }] : [],
            ConsumedQuantity = consumed,
        }, new BinId("RCV-P1"));

    private static void AddOrder(ScenarioTestHost host, OrderId order) => host.Plant.AddOrder(new ProductionOrder
    {
        Id = order,
        Material = ScenarioTestHost.Board,
        Site = EngineTestHost.Site,
        PlannedQuantity = Quantity.Each(100),
        Status = ProductionOrderStatus.InProgress,
    });

    private static EventEnvelope Confirmed(string eventId) =>
        ScenarioTestHost.Envelope(eventId, EventTypes.ProductionConfirmed, new ProductionConfirmed
        {
            Order = SubAssembly,
            Material = ScenarioTestHost.Board,
            Site = EngineTestHost.Site,
            Yield = Quantity.Each(10),
            ProducedLot = Intermediate,
        });
}
