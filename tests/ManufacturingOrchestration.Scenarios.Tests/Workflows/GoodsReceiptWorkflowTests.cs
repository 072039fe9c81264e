using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using Microsoft.Extensions.DependencyInjection;

namespace ManufacturingOrchestration.Scenarios.Tests.Workflows;

public sealed class GoodsReceiptWorkflowTests
{
    [Fact]
    public async Task GoodsReceived_ThenInspectionFailed_TheLotIsKnownWithoutAnErpRead()
    {
        await using var host = new EngineTestHost(scenarioWorkflows: s => [GoodsReceiptWorkflow.Create(s), IncomingInspectionWorkflow.Create(s)]);
        await host.StartAsync();
        host.AddLotInInspection("L-7", 100);

        await host.PublishAndWaitAsync(Received("L-7", 100, "gr-1"), EngineTestHost.Failed("L-7", "qi-1"));

        host.Plant.Erp.Calls.Select(c => c.Operation).Should().NotContain(QueryKinds.ErpGetLot);
        var state = await host.Store.LoadPartitionAsync("L-7", EngineTestHost.Ct);
        state!.Lot!.QuantityIn(StockCategory.Blocked).Should().Be(Quantity.Each(100));
        host.Plant.Erp.GetLot(new LotId("L-7"))!.QuantityIn(StockCategory.Blocked).Should().Be(Quantity.Each(100));
    }

    [Fact]
    public async Task InspectionFailed_WithoutAReceipt_ReadsTheLotFromTheErpOnce()
    {
        await using var host = new EngineTestHost(scenarioWorkflows: s => [GoodsReceiptWorkflow.Create(s), IncomingInspectionWorkflow.Create(s)]);
        await host.StartAsync();
        host.AddLotInInspection("L-8", 100);

        await host.PublishAndWaitAsync(EngineTestHost.Failed("L-8", "qi-2"));

        host.Plant.Erp.Calls.Count(c => c.Operation == QueryKinds.ErpGetLot).Should().Be(1);
    }

    [Fact]
    public async Task GoodsReceived_TwiceIntoOneLot_AddsTheSecondQuantity()
    {
        await using var host = new EngineTestHost(scenarioWorkflows: s => [GoodsReceiptWorkflow.Create(s)]);
        await host.StartAsync();

        await host.PublishAndWaitAsync(Received("L-9", 60, "gr-2"), Received("L-9", 40, "gr-3"));

        var lot = (await host.Store.LoadPartitionAsync("L-9", EngineTestHost.Ct))!.Lot!;
        lot.QuantityIn(StockCategory.QualityInspection).Should().Be(Quantity.Each(100));
        host.Plant.Erp.Calls.Should().BeEmpty("a receipt is the record of a posting the ERP already made");
    }

    [Fact]
    public async Task AddGoodsReceipt_AndAddShippedScenarios_RegisterEachWorkflowOnce()
    {
        var services = new ServiceCollection();
        services.AddManufacturingOrchestration(mo => mo
            .UseInMemoryStore()
            .UseAdapters(_ => new Testing.PlantSimulator().Adapters)
            .AddAdapter(CommandKinds.TraceabilitySystem, new Engine.Traceability.TraceabilityRepositoryAdapter(new Testing.InMemoryTraceabilityRepository(TimeProvider.System)))
            .AddSite(EngineTestHost.SiteProfile)
            .AddGoodsReceipt()
            .AddShippedScenarios()
            .AddIncomingInspection());
        await using var provider = services.BuildServiceProvider();

        var workflows = provider.GetRequiredService<Orchestrator>().Workflows.All.Select(w => w.Name).ToList();

        workflows.Should().BeEquivalentTo(
            [GoodsReceiptWorkflow.Name, StockMovementWorkflow.Name, QualityRecordWorkflow.Name, IncomingInspectionWorkflow.Name, MrbDispositionWorkflow.Name, FinishedGoodsReleaseWorkflow.Name, CycleCountWorkflow.Name, ScrapSpikeWorkflow.Name, ProductionConfirmationWorkflow.Name, DriftCorrectionWorkflow.Name, LotContainmentWorkflow.Name, WorkOrderHoldWorkflow.Name]);
    }

    private static EventEnvelope Received(string lot, decimal quantity, string id) => new()
    {
        Id = id,
        Source = "erp://plant-1",
        Type = EventTypes.GoodsReceived,
        Site = EngineTestHost.Site,
        Data = new GoodsReceived
        {
            Lot = new LotId(lot),
            Material = EngineTestHost.Capacitor,
            Site = EngineTestHost.Site,
            Quantity = Quantity.Each(quantity),
            Category = StockCategory.QualityInspection,
            Supplier = EngineTestHost.Supplier,
        },
    };
}
