using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Testing.Tests.Harness.Scenarios;

/// <summary>Scenario 5 (production order partially completed) tested through the harness.</summary>
public sealed class ProductionConfirmationScenarioTests
{
    private const string Partition = "order/WO-9";
    private static readonly SiteId Site = new("P1");
    private static readonly OrderId Order = new("WO-9");
    private static readonly MaterialId Board = new("PCB-1");
    private static readonly MaterialId Capacitor = new("CAP-100UF");
    private static readonly LotId ComponentLot = new("L-500");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PartialThenFinalConfirmation_PostedToErpAndMes_RemainderKeptThenHandedToThePlanner()
    {
        await using var harness = await StartWithOrderAsync(ProductionOrderStatus.Released);

        await harness.PublishAndWaitAsync([Confirmed("c-1", yield: 40, scrap: 2, isFinal: false)], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.ErpPostProductionConfirmation] = 1,
            [CommandKinds.MesRecordProductionConfirmation] = 1,
        });
        var erpOrder = harness.Plant.Erp.GetOrder(Order)!;
        erpOrder.Status.Should().Be(ProductionOrderStatus.InProgress);
        erpOrder.ConfirmedQuantity.Should().Be(40);
        erpOrder.ScrapQuantity.Should().Be(2);
        var state = (await harness.Orchestrator.GetPartitionAsync(Partition, Ct))!.Order!;
        state.Status.Should().Be(ProductionOrderStatus.InProgress);
        state.RemainingQuantity.Should().Be(60);
        (await harness.Orchestrator.GetAuditTrailAsync(Partition, Ct)).Should().ContainSingle(r => r.Action == "remainder-kept").Which.Reason.Should().Contain("60");

        await harness.PublishAndWaitAsync([Confirmed("c-2", yield: 60, scrap: null, isFinal: true)], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.ErpPostProductionConfirmation] = 2,
            [CommandKinds.MesRecordProductionConfirmation] = 2,
            [CommandKinds.NotificationSend] = 1,
        });
        harness.Plant.Erp.GetOrder(Order)!.Status.Should().Be(ProductionOrderStatus.Completed);
        harness.Plant.Erp.GetOrder(Order)!.ConfirmedQuantity.Should().Be(100);
        harness.Plant.Mes.GetWorkOrder(Order)!.Status.Should().Be(ProductionOrderStatus.Completed);
        harness.Plant.Notification.SentTo(Role.Planner, Site).Should().ContainSingle()
            .Which.Request.Body.Should().Contain(ComponentLot.Value).And.Contain("technically complete");
        await harness.AssertNoOpenDeadLettersAsync(Ct);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task Confirmation_HeldOrder_IsRefusedAuditedAndNothingPosted()
    {
        await using var harness = await StartWithOrderAsync(ProductionOrderStatus.Held);

        await harness.PublishAndWaitAsync([Confirmed("c-3", yield: 10, scrap: null, isFinal: false)], Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int> { [CommandKinds.NotificationSend] = 1 }, "only the planner and quality engineering hear of it");
        harness.Plant.Erp.GetOrder(Order)!.ConfirmedQuantity.Should().Be(0);
        (await harness.Orchestrator.GetAuditTrailAsync(Partition, Ct)).Should().ContainSingle(r => r.Action == "confirmation-refused")
            .Which.Reason.Should().StartWith(ReasonCodes.OrderHeld.Code);
        await harness.AssertAuditIntactAsync(Ct);
    }

    [Fact]
    public async Task Confirmation_ErpUnavailableOnce_TheDurableRetryPostsItExactlyOnce()
    {
        await using var harness = await StartWithOrderAsync(ProductionOrderStatus.Released);
        harness.Plant.Faults.FailNext(CommandKinds.ErpPostProductionConfirmation, 1);

        await harness.PublishAndWaitAsync([Confirmed("c-4", yield: 40, scrap: null, isFinal: false)], Ct);
        harness.EffectsOf(CommandKinds.ErpPostProductionConfirmation).Should().BeEmpty("the first attempt failed");
        harness.EffectsOf(CommandKinds.MesRecordProductionConfirmation).Should().BeEmpty("commands of an order run in plan order");

        await harness.AdvanceAsync(TimeSpan.FromHours(1), Ct);

        harness.EffectCounts().Should().BeEquivalentTo(new Dictionary<string, int>
        {
            [CommandKinds.ErpPostProductionConfirmation] = 1,
            [CommandKinds.MesRecordProductionConfirmation] = 1,
        });
        harness.Plant.Erp.GetOrder(Order)!.ConfirmedQuantity.Should().Be(40);
        await harness.AssertNoOpenDeadLettersAsync(Ct);
        await harness.AssertAuditIntactAsync(Ct);
    }

    private static async Task<OrchestrationTestHarness> StartWithOrderAsync(ProductionOrderStatus status)
    {
        var harness = new OrchestrationTestHarness(new OrchestrationTestHarnessOptions { Workflows = { ProductionConfirmationWorkflow.Create } });
        harness.AddSite(new SiteProfile { Id = Site, HoldLocation = new BinId("HOLD-P1") });
        harness.Plant.AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each });
        harness.Plant.AddLot(
            new MaterialLot
            {
                Id = ComponentLot,
                Material = Capacitor,
                Site = Site,
                Unit = UnitOfMeasure.Each,
                Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(200) }],
            },
            new BinId("A-01"));
        harness.Plant.AddOrder(new ProductionOrder
        {
            Id = Order,
            Material = Board,
            Site = Site,
            PlannedQuantity = Quantity.Each(100),
            Status = status,
            StatusBeforeHold = status == ProductionOrderStatus.Held ? ProductionOrderStatus.Released : null,
            Allocations = [new Allocation { Order = Order, Lot = ComponentLot, Material = Capacitor, Quantity = Quantity.Each(100) }],
        });
        return await harness.StartAsync(Ct);
    }

    private static EventEnvelope Confirmed(string id, decimal yield, decimal? scrap, bool isFinal) => new()
    {
        Id = id,
        Source = "mes://plant-1",
        Type = EventTypes.ProductionConfirmed,
        Site = Site,
        Data = new ProductionConfirmed
        {
            Order = Order,
            Material = Board,
            Site = Site,
            Yield = Quantity.Each(yield),
            Scrap = scrap is { } s ? Quantity.Each(s) : null,
            IsFinal = isFinal,
            ProducedLot = new LotId("FG-9"),
        },
    };
}
