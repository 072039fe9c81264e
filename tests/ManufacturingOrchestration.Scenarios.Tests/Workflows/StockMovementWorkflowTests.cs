using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

public sealed class StockMovementWorkflowTests
{
    private static readonly LotId Lot = new("L-300");

    [Fact]
    public async Task StockMoved_OnAKnownLot_MovesTheCopyThroughTheLotMachine_WithoutAnErpCall()
    {
        await using var host = await StartAsync();
        await host.PublishAndWaitAsync(Received(100, "gr-1"));

        await host.PublishAndWaitAsync(Moved(StockCategory.QualityInspection, StockCategory.Blocked, 30, "mv-1"));

        var lot = await LotAsync(host);
        lot.QuantityIn(StockCategory.Blocked).Should().Be(Quantity.Each(30));
        lot.QuantityIn(StockCategory.QualityInspection).Should().Be(Quantity.Each(70));
        host.Plant.Erp.Calls.Should().BeEmpty("a movement event is the record of a posting the ERP already made");
    }

    [Fact]
    public async Task LotConsumed_OnAKnownLot_TakesUnrestrictedStockAndCountsTheConsumption()
    {
        await using var host = await StartAsync();
        await host.PublishAndWaitAsync(Received(100, "gr-1"), Moved(StockCategory.QualityInspection, StockCategory.Unrestricted, 100, "mv-1"));

        await host.PublishAndWaitAsync(Consumed(40, "c-1"));

        var lot = await LotAsync(host);
        lot.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(60));
        lot.ConsumedQuantity.Should().Be(40);
    }

    [Fact]
    public async Task LotConsumed_OnAnUnknownLot_ReadsTheErpLotOnce_AndDoesNotCountThePostingTwice()
    {
        await using var host = await StartAsync();
        host.AddLotInInspection(Lot.Value, 100, consumed: 0);
        await ReleaseAndConsumeInTheErpAsync(host, 40);

        await host.PublishAndWaitAsync(Consumed(40, "c-1"));

        var lot = await LotAsync(host);
        lot.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(60), "the ERP's lot already holds the consumption the event records");
        lot.ConsumedQuantity.Should().Be(40);
        host.Plant.Erp.Calls.Count(c => c.Operation == QueryKinds.ErpGetLot).Should().Be(1);
        (await ActionsAsync(host)).Should().Contain("lot-read");
    }

    [Fact]
    public async Task LotConsumed_MoreThanTheCopyHolds_ReadsTheLotAgainFromTheErp()
    {
        await using var host = await StartAsync();
        host.AddLotInInspection(Lot.Value, 100);
        await host.PublishAndWaitAsync(Received(100, "gr-1"));
        await ReleaseAndConsumeInTheErpAsync(host, 40);

        // The copy still has all 100 in quality inspection (the release was missed): the consumption does not fit it.
        await host.PublishAndWaitAsync(Consumed(40, "c-1"));

        var lot = await LotAsync(host);
        lot.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(60));
        lot.QuantityIn(StockCategory.QualityInspection).Should().Be(Quantity.Each(0));
        var audit = await host.Store.ReadAuditAsync(Lot.Value, 0, EngineTestHost.Ct);
        audit.Should().ContainSingle(r => r.Action == "lot-refreshed").Which.Reason.Should().StartWith("lot.");
    }

    [Fact]
    public async Task LotConsumed_WithoutAnErpThatReadsLots_IsRejectedAndTheCopyStays()
    {
        await using var host = new EngineTestHost(
            scenarioWorkflows: s => [GoodsReceiptWorkflow.Create(s), StockMovementWorkflow.Create(s)],
            adapters: plant => new AdapterSet().Add(CommandKinds.NotificationSystem, plant.Notification));
        await host.StartAsync();
        await host.PublishAndWaitAsync(Received(100, "gr-1"));

        await host.PublishAndWaitAsync(Consumed(40, "c-1"));

        (await LotAsync(host)).QuantityIn(StockCategory.QualityInspection).Should().Be(Quantity.Each(100));
        var rejected = (await host.Store.ReadAuditAsync(Lot.Value, 0, EngineTestHost.Ct)).Should().ContainSingle(r => r.Action == "transition-rejected").Subject;
        rejected.Reason.Should().StartWith("lot.");
    }

    [Fact]
    public async Task NonconformanceRaised_IsRecordedInItsPartition_AndARepeatChangesNothing()
    {
        await using var host = await StartAsync();
        var raised = Raised("NC-1", "nc-1");

        await host.PublishAndWaitAsync(raised, Raised("NC-1", "nc-1-again"));

        var state = await host.Store.LoadPartitionAsync("ncr/NC-1", EngineTestHost.Ct);
        state!.Nonconformance!.Id.Should().Be(new NonconformanceId("NC-1"));
        state.Nonconformance.Lots.Should().Equal(Lot);
        var actions = (await host.Store.ReadAuditAsync("ncr/NC-1", 0, EngineTestHost.Ct)).Select(r => r.Action).ToList();
        actions.Should().Contain("nonconformance-recorded").And.Contain("transition-rejected").And.NotContain("ignored");
    }

    [Fact]
    public async Task SupplierUpdated_KeepsTheSupplierStatus()
    {
        await using var host = await StartAsync();

        await host.PublishAndWaitAsync(new EventEnvelope
        {
            Id = "sup-1",
            Source = "srm://purchasing",
            Type = EventTypes.SupplierUpdated,
            Data = new SupplierUpdated { Supplier = EngineTestHost.Supplier, Change = "probation", Note = "three failed lots this quarter" },
        });

        var state = await host.Store.LoadPartitionAsync("supplier/" + EngineTestHost.Supplier.Value, EngineTestHost.Ct);
        state!.Values[QualityRecordWorkflow.SupplierStatusValue].Should().Be("probation");
        (await host.Store.ReadAuditAsync(state.Key, 0, EngineTestHost.Ct)).Should().Contain(r => r.Action == "supplier-status" && r.Reason.Contains("three failed lots", StringComparison.Ordinal));
    }

    private static async Task<EngineTestHost> StartAsync() =>
        await new EngineTestHost(scenarioWorkflows: s => [GoodsReceiptWorkflow.Create(s), StockMovementWorkflow.Create(s), QualityRecordWorkflow.Create()]).StartAsync();

    private static async Task<MaterialLot> LotAsync(EngineTestHost host) => (await host.Store.LoadPartitionAsync(Lot.Value, EngineTestHost.Ct))!.Lot!;

    private static async Task<List<string>> ActionsAsync(EngineTestHost host) =>
        (await host.Store.ReadAuditAsync(Lot.Value, 0, EngineTestHost.Ct)).Select(r => r.Action).ToList();

    private static async Task ReleaseAndConsumeInTheErpAsync(EngineTestHost host, decimal quantity)
    {
        host.Plant.AddOrder(new ProductionOrder { Id = new OrderId("WO-3"), Material = new MaterialId("PCB-1"), Site = EngineTestHost.Site, PlannedQuantity = Quantity.Each(10), Status = ProductionOrderStatus.InProgress });
        var released = await host.Plant.Erp.ChangeStockCategoryAsync(new ChangeStockCategoryRequest
        {
            Context = new CommandContext { IdempotencyKey = "erp-321", CorrelationId = "qm" },
            Lot = Lot,
            Material = EngineTestHost.Capacitor,
            Site = EngineTestHost.Site,
            Quantity = Quantity.Each(100),
            FromCategory = StockCategory.QualityInspection,
            ToCategory = StockCategory.Unrestricted,
        }, EngineTestHost.Ct);
        released.IsSuccess.Should().BeTrue(released.ToString());
        var consumed = await host.Plant.Erp.PostGoodsMovementAsync(new PostGoodsMovementRequest
        {
            Context = new CommandContext { IdempotencyKey = "erp-261", CorrelationId = "shop-floor" },
            Movement = new GoodsMovement { Kind = MovementKind.Consumption, Lot = Lot, Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Quantity = Quantity.Each(quantity), FromCategory = StockCategory.Unrestricted, Order = new OrderId("WO-3") },
        }, EngineTestHost.Ct);
        consumed.IsSuccess.Should().BeTrue(consumed.ToString());
    }

    private static EventEnvelope Received(decimal quantity, string id) => new()
    {
        Id = id,
        Source = "erp://plant-1",
        Type = EventTypes.GoodsReceived,
        Site = EngineTestHost.Site,
        Data = new GoodsReceived { Lot = Lot, Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Quantity = Quantity.Each(quantity), Supplier = EngineTestHost.Supplier },
    };

    private static EventEnvelope Moved(StockCategory from, StockCategory to, decimal quantity, string id) => new()
    {
        Id = id,
        Source = "erp://plant-1",
        Type = EventTypes.StockMoved,
        Site = EngineTestHost.Site,
        Data = new StockMoved
        {
            Movement = new GoodsMovement { Kind = MovementKind.CategoryTransfer, Lot = Lot, Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Quantity = Quantity.Each(quantity), FromCategory = from, ToCategory = to },
        },
    };

    private static EventEnvelope Consumed(decimal quantity, string id) => new()
    {
        Id = id,
        Source = "mes://plant-1",
        Type = EventTypes.LotConsumed,
        Site = EngineTestHost.Site,
        Data = new LotConsumed { Lot = Lot, Material = EngineTestHost.Capacitor, Site = EngineTestHost.Site, Order = new OrderId("WO-3"), Quantity = Quantity.Each(quantity) },
    };

    private static EventEnvelope Raised(string id, string eventId) => new()
    {
        Id = eventId,
        Source = "qms://plant-1",
        Type = EventTypes.NonconformanceRaised,
        Site = EngineTestHost.Site,
        Data = new NonconformanceRaised
        {
            Nonconformance = new Nonconformance { Id = new NonconformanceId(id), Problem = "Solder voids above limit", Site = EngineTestHost.Site, Lots = [Lot], Severity = DefectSeverity.Major },
        },
    };
}
