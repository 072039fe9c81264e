using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.Tests.Support;

/// <summary>Test data shared by the simulator tests.</summary>
internal static class Seed
{
    public static readonly SiteId Plant = new("PLANT-1");
    public static readonly MaterialId Capacitor = new("CAP-100UF");
    public static readonly LotId Lot = new("LOT-4711");
    public static readonly OrderId Order = new("WO-1001");
    public static readonly SupplierId Supplier = new("SUP-ACME");
    public static readonly BinId Rack = new("A-01-01");
    public static readonly BinId Hold = new("Q-HOLD");

    private static int s_keys;

    public static CommandContext Context(string? key = null) => new()
    {
        IdempotencyKey = key ?? $"key-{Interlocked.Increment(ref s_keys)}",
        CorrelationId = "corr-1",
        Site = Plant,
    };

    public static Quantity Ea(decimal value) => Quantity.Each(value);

    public static MaterialLot LotWith(decimal unrestricted, decimal qualityInspection = 0, decimal blocked = 0, bool restricted = false, LotId? id = null)
    {
        var buckets = new List<StockBucket>();
        if (unrestricted > 0)
        {
            buckets.Add(new StockBucket { Category = StockCategory.Unrestricted, Quantity = Ea(unrestricted) });
        }

        if (qualityInspection > 0)
        {
            buckets.Add(new StockBucket { Category = StockCategory.QualityInspection, Quantity = Ea(qualityInspection) });
        }

        if (blocked > 0)
        {
            buckets.Add(new StockBucket { Category = StockCategory.Blocked, Quantity = Ea(blocked) });
        }

        return new MaterialLot
        {
            Id = id ?? Lot,
            Material = Capacitor,
            Site = Plant,
            Supplier = Supplier,
            Unit = UnitOfMeasure.Each,
            Buckets = buckets,
            IsRestrictedBatch = restricted,
        };
    }

    public static ProductionOrder OrderIn(ProductionOrderStatus status, OrderId? id = null) => new()
    {
        Id = id ?? Order,
        Material = new MaterialId("BOARD-7"),
        Site = Plant,
        PlannedQuantity = Ea(100),
        Status = status,
    };

    public static ChangeStockCategoryRequest Change(decimal quantity, StockCategory from, StockCategory to, string? key = null) => new()
    {
        Context = Context(key),
        Lot = Lot,
        Material = Capacitor,
        Site = Plant,
        Quantity = Ea(quantity),
        FromCategory = from,
        ToCategory = to,
    };

    public static PostGoodsMovementRequest Movement(MovementKind kind, decimal quantity, StockCategory? from = null, StockCategory? to = null, OrderId? order = null, string? key = null) => new()
    {
        Context = Context(key),
        Movement = new GoodsMovement
        {
            Kind = kind,
            Lot = Lot,
            Material = Capacitor,
            Site = Plant,
            Quantity = Ea(quantity),
            FromCategory = from,
            ToCategory = to,
            Order = order,
        },
    };
}
