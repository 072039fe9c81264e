using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

public sealed class PlantSimulatorTests
{
    private static readonly CancellationToken s_ct = CancellationToken.None;

    private static PlantSimulator CreateSut()
    {
        var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = new FakeTimeProvider(), Seed = 3 });
        plant.AddSite(new SiteProfile { Id = Plant, HoldLocation = Hold })
            .AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each, Supplier = Supplier, AlternateSuppliers = [new SupplierId("SUP-BETA")] })
            .AddLot(LotWith(unrestricted: 500), Rack)
            .AddOrder(OrderIn(ProductionOrderStatus.InProgress) with { Allocations = [new Allocation { Order = Order, Lot = Lot, Material = Capacitor, Quantity = Ea(200) }] })
            .AddGenealogy(new GenealogyLink { ComponentLot = Lot, Order = Order, Quantity = Ea(40) });
        return plant;
    }

    [Fact]
    public async Task FailedInspectionScenario_EveryStepLandsInItsSystem()
    {
        using var plant = CreateSut();
        AdapterCommand[] plan =
        [
            Change(500, StockCategory.Unrestricted, StockCategory.Blocked),
            new ReevaluateAllocationsRequest { Context = Context(), Lot = Lot },
            new CreateMoveTaskRequest { Context = Context(), Lot = Lot, Site = Plant, ToBin = Hold, TargetCategory = StockCategory.Blocked },
            new RequestAlternateSupplyRequest { Context = Context(), Material = Capacitor, Site = Plant, Quantity = Ea(200), ExcludedSupplier = Supplier, PreferredSuppliers = [new SupplierId("SUP-BETA")] },
            new OpenSupplierCaseRequest { Context = Context(), Supplier = Supplier, Problem = "Capacitance out of tolerance", Lots = [Lot] },
            new HoldWorkOrderRequest { Context = Context(), Order = Order, Lot = Lot },
            new SendNotificationRequest { Context = Context(), Roles = [Role.Planner], Site = Plant, Subject = "Lot LOT-4711 blocked" },
        ];

        var results = new List<AdapterResult>();
        foreach (var command in plan)
        {
            results.Add(await plant.ExecuteAsync(command, s_ct));
        }

        results.Should().OnlyContain(r => r.IsSuccess);
        plant.Erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(500);
        (await plant.Erp.GetOpenAllocationsAsync(Lot, s_ct)).Should().BeEmpty();
        plant.Wms.QuantityIn(Lot, Hold).Should().Be(500);
        (await plant.Wms.GetStockAsync(Lot, s_ct))!.ToSnapshot().QuantityIn(StockCategory.Blocked)
            .Should().Be((await plant.Erp.GetStockAsync(Lot, s_ct))!.QuantityIn(StockCategory.Blocked));
        plant.Procurement.AlternateSupplyRequests.Should().ContainSingle();
        plant.Qms.SupplierCases.Should().ContainSingle();
        plant.Mes.GetWorkOrder(Order)!.Status.Should().Be(ProductionOrderStatus.Held);
        plant.Notification.Sent.Should().ContainSingle();
        plant.Effects.Records.Select(r => r.System).Should().Equal("erp", "erp", "wms", "procurement", "qms", "mes", "notification");
    }

    [Fact]
    public async Task ExecuteAsync_CommandsFromManyThreads_EachKeyAppliedOnce()
    {
        using var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = new FakeTimeProvider(), RecordCalls = false });
        var lots = Enumerable.Range(0, 32).Select(i => new LotId($"LOT-{i}")).ToArray();
        foreach (var lot in lots)
        {
            plant.AddLot(LotWith(unrestricted: 1000, id: lot));
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, 3200), async (i, ct) =>
        {
            var lot = lots[i % lots.Length];
            var key = $"k-{i % 1600}";
            await plant.ExecuteAsync(Change(1, StockCategory.Unrestricted, StockCategory.Blocked, key) with { Lot = lot }, ct);
        });

        plant.Effects.Count.Should().Be(1600);
        lots.Sum(l => plant.Erp.QuantityIn(l, StockCategory.Blocked)).Should().Be(1600);
    }

    [Fact]
    public async Task AddSite_TheSitesTimeZone_DecidesExpiryInTheErp()
    {
        // 03:00 UTC on 2 November is still 1 November in Los Angeles: a lot expiring on 1 November is usable there.
        using var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 3, 0, 0, TimeSpan.Zero)) });
        plant.AddSite(new SiteProfile { Id = Plant, TimeZone = "America/Los_Angeles" })
            .AddLot(LotWith(unrestricted: 100) with { ExpiryDate = new DateOnly(2026, 11, 1) });

        var result = await plant.ExecuteAsync(Movement(MovementKind.Consumption, 10, from: StockCategory.Unrestricted), s_ct);

        result.IsSuccess.Should().BeTrue(result.Message);
    }
}
