using BenchmarkDotNet.Attributes;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.StateMachines;

namespace ManufacturingOrchestration.Benchmarks.StateMachines;

/// <summary>One transition on an existing lot or order, as the engine does per event.</summary>
[MemoryDiagnoser]
public class LotTransitionBenchmarks
{
    private static readonly DateOnly Today = new(2026, 3, 1);
    private MaterialLot _lot = null!;
    private GoodsMovement _release = null!;
    private GoodsMovement _forbiddenConsumption = null!;
    private ProductionOrder _order = null!;
    private ProductionOrderTriggerArgs _confirmation = null!;

    /// <summary>Builds the lot, movements and order once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _lot = new MaterialLot
        {
            Id = new LotId("LOT-1"),
            Material = new MaterialId("CAP-100"),
            Site = new SiteId("PLANT-1"),
            Unit = UnitOfMeasure.Each,
            Buckets =
            [
                new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(100) },
                new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(50) },
            ],
        };
        _release = new GoodsMovement
        {
            Kind = MovementKind.CategoryTransfer,
            Lot = _lot.Id,
            Material = _lot.Material,
            Site = _lot.Site,
            Quantity = Quantity.Each(30),
            FromCategory = StockCategory.QualityInspection,
            ToCategory = StockCategory.Unrestricted,
        };
        _forbiddenConsumption = _release with { Kind = MovementKind.Consumption, ToCategory = null };
        _order = new ProductionOrder
        {
            Id = new OrderId("PO-1"),
            Material = new MaterialId("ASSY-1"),
            Site = new SiteId("PLANT-1"),
            PlannedQuantity = Quantity.Each(100),
            Status = ProductionOrderStatus.InProgress,
            ConfirmedQuantity = 10,
        };
        _confirmation = new ProductionOrderTriggerArgs { Yield = Quantity.Each(5) };
    }

    /// <summary>A permitted partial release QI → unrestricted (SAP 321) on a lot with two buckets.</summary>
    [Benchmark(Baseline = true)]
    public MaterialLot? ReleasePartialFromInspection() => LotStockMachine.Apply(_lot, _release, LotPolicy.Default, Today).Value;

    /// <summary>A forbidden consumption from QI stock: a typed rejection with permitted triggers.</summary>
    [Benchmark]
    public TransitionRejection? RejectConsumptionFromInspection() => LotStockMachine.Apply(_lot, _forbiddenConsumption, LotPolicy.Default, Today).Rejection;

    /// <summary>A partial confirmation on an in-progress order.</summary>
    [Benchmark]
    public ProductionOrder? ConfirmOrder() => ProductionOrderMachine.Fire(_order, ProductionOrderTrigger.Confirm, _confirmation).Value;
}
