using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Rules.Standard;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

public class ProductionConfirmationEndToEndTests
{
    private static readonly OrderId Order = new("WO-9");
    private const string Partition = "order/WO-9";

    [Fact]
    public async Task PartialThenFinal_PostsToErpAndMesKeepsThenReleasesReservations()
    {
        await using var host = await StartWithOrderAsync(ProductionOrderStatus.Released);

        await host.PublishAndWaitAsync(Confirmed("c-1", yield: 40, scrap: 2, isFinal: false));

        await host.ShouldHaveNoDeadLettersAsync();
        var erpOrder = host.Plant.Erp.GetOrder(Order)!;
        erpOrder.Status.Should().Be(ProductionOrderStatus.InProgress);
        erpOrder.ConfirmedQuantity.Should().Be(40);
        erpOrder.ScrapQuantity.Should().Be(2);
        host.Plant.Mes.GetWorkOrder(Order)!.Status.Should().Be(ProductionOrderStatus.InProgress);
        var state = (await host.Orchestrator.GetPartitionAsync(Partition, ScenarioTestHost.Ct))!.Order!;
        state.Status.Should().Be(ProductionOrderStatus.InProgress);
        state.RemainingQuantity.Should().Be(60);
        host.Plant.Notification.Sent.Should().BeEmpty("a partial confirmation keeps the reservations");
        var audit = await host.AuditOfAsync(Partition);
        audit.Should().ContainSingle(r => r.Action == "processed").Which.Explanation.Should().Contain(ProductionPartialRemainderRule.RuleName);
        audit.Should().ContainSingle(r => r.Action == "remainder-kept").Which.Reason.Should().Contain("60");

        await host.PublishAndWaitAsync(Confirmed("c-2", yield: 60, scrap: null, isFinal: true));

        host.Plant.Erp.GetOrder(Order)!.Status.Should().Be(ProductionOrderStatus.Completed);
        host.Plant.Erp.GetOrder(Order)!.ConfirmedQuantity.Should().Be(100);
        host.Plant.Mes.GetWorkOrder(Order)!.Status.Should().Be(ProductionOrderStatus.Completed);
        (await host.Orchestrator.GetPartitionAsync(Partition, ScenarioTestHost.Ct))!.Order!.Status.Should().Be(ProductionOrderStatus.Completed);
        var planner = host.Plant.Notification.SentTo(Role.Planner, EngineTestHost.Site).Should().ContainSingle().Subject;
        planner.Request.Order.Should().Be(Order);
        planner.Request.Body.Should().Contain("L-500").And.Contain("technically complete");
        (await host.AuditOfAsync(Partition)).Should().Contain(r => r.Action == "processed" && r.Explanation!.Contains(ProductionFinalRemainderRule.RuleName));
        host.Plant.Erp.CallCount(CommandKinds.ErpPostProductionConfirmation).Should().Be(2);
        await host.ShouldHaveValidAuditAsync();
    }

    [Theory]
    [InlineData(ProductionOrderStatus.Closed, "order.closed")]
    [InlineData(ProductionOrderStatus.Created, "order.not-released")]
    public async Task Confirmation_OrderNotConfirmable_IsRejectedAuditedAndNothingPosted(ProductionOrderStatus status, string reason)
    {
        await using var host = await StartWithOrderAsync(status);

        await host.PublishAndWaitAsync(Confirmed("c-3", yield: 10, scrap: null, isFinal: false));

        host.Plant.Erp.CallCount(CommandKinds.ErpPostProductionConfirmation).Should().Be(0);
        host.Plant.Mes.CallCount(CommandKinds.MesRecordProductionConfirmation).Should().Be(0);
        host.Plant.Erp.GetOrder(Order)!.ConfirmedQuantity.Should().Be(0);
        var rejected = (await host.AuditOfAsync(Partition)).Should().ContainSingle(r => r.Action == "transition-rejected").Subject;
        rejected.Reason.Should().StartWith(reason);
        rejected.Explanation.Should().Contain(ProductionConfirmedRule.RuleName);
        await host.ShouldHaveValidAuditAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LateConfirmation_OnATechnicallyCompletedOrder_IsPostedWithoutAskingToReleaseReservationsOrTecoAgain(bool isFinal)
    {
        await using var host = await StartWithOrderAsync(ProductionOrderStatus.TechnicallyCompleted);

        await host.PublishAndWaitAsync(Confirmed("c-late", yield: 10, scrap: null, isFinal));

        await host.ShouldHaveNoDeadLettersAsync();
        host.Plant.Erp.CallCount(CommandKinds.ErpPostProductionConfirmation).Should().Be(1, "TECO still accepts late postings");
        host.Plant.Mes.CallCount(CommandKinds.MesRecordProductionConfirmation).Should().Be(1);
        (await host.Orchestrator.GetPartitionAsync(Partition, ScenarioTestHost.Ct))!.Order!.Status.Should().Be(ProductionOrderStatus.TechnicallyCompleted);
        host.Plant.Notification.Sent.Should().BeEmpty("technical completion already released the reservations; there is nothing to ask the planner");
        var audit = await host.AuditOfAsync(Partition);
        audit.Should().NotContain(r => r.Action == "remainder-kept", "a technically completed order keeps no reservations");
        audit.Should().ContainSingle(r => r.Action == "late-confirmation").Which.Reason.Should().Contain("technically completed");
    }

    [Fact]
    public async Task Confirmation_UnknownOrder_IsRejected()
    {
        await using var host = await ScenarioTestHost.StartAsync();

        await host.PublishAndWaitAsync(Confirmed("c-4", yield: 10, scrap: null, isFinal: false));

        (await host.AuditOfAsync(Partition)).Should().ContainSingle(r => r.Action == "transition-rejected").Which.Reason.Should().StartWith("adapter.reference-unknown");
        host.Plant.Effects.Records.Should().BeEmpty();
    }

    private static async Task<ScenarioTestHost> StartWithOrderAsync(ProductionOrderStatus status)
    {
        var host = await ScenarioTestHost.StartAsync();
        host.AddLot("L-500", 200, StockCategory.Unrestricted);
        host.Plant.AddOrder(new ProductionOrder
        {
            Id = Order,
            Material = ScenarioTestHost.Board,
            Site = EngineTestHost.Site,
            PlannedQuantity = Quantity.Each(100),
            Status = status,
            StatusBeforeHold = status == ProductionOrderStatus.Held ? ProductionOrderStatus.Released : null,
            Allocations = [new Allocation { Order = Order, Lot = new LotId("L-500"), Material = EngineTestHost.Capacitor, Quantity = Quantity.Each(100) }],
        });
        return host;
    }

    private static EventEnvelope Confirmed(string eventId, decimal yield, decimal? scrap, bool isFinal) =>
        ScenarioTestHost.Envelope(eventId, EventTypes.ProductionConfirmed, new ProductionConfirmed
        {
            Order = Order,
            Material = ScenarioTestHost.Board,
            Site = EngineTestHost.Site,
            Yield = Quantity.Each(yield),
            Scrap = scrap is { } s ? Quantity.Each(s) : null,
            IsFinal = isFinal,
            ProducedLot = new LotId("FG-9"),
        });
}
