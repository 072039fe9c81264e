using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

/// <summary>
/// Scrap stays controlled until its destruction is confirmed, and only a reversal of an erroneous posting brings back
/// what is not destroyed; a D365 quarantine order moves stock into its quarantine warehouse and back, step by step.
/// </summary>
public sealed class ErpScrapAndQuarantineTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly LotId Lot = new("LOT-SQ");
    private static readonly StorageLocationId Regular = new("WH-1");
    private static readonly StorageLocationId Quarantine = new("QW-1");
    private static readonly QuarantineOrderId OrderId = new("QO-100");
    private static int s_key;

    private static ErpSimulator Erp(ErpSimulatorProfile profile = ErpSimulatorProfile.SapLike)
    {
        var erp = new ErpSimulator(new SimulatorOptions { TimeProvider = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero)) }) { Profile = profile };
        erp.AddLot(new MaterialLot
        {
            Id = Lot,
            Material = new MaterialId("CAP-100"),
            Site = new SiteId("PLANT-1"),
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Location = Regular, Quantity = Quantity.Each(100) }],
            Disposition = LotDisposition.Unrestricted,
        });
        return erp;
    }

    private static CommandContext Context() => new() { IdempotencyKey = "sq-" + Interlocked.Increment(ref s_key), CorrelationId = "test" };

    private static Task<AdapterResult> ScrapAsync(ErpSimulator erp, decimal quantity) => erp.PostGoodsMovementAsync(new PostGoodsMovementRequest
    {
        Context = Context(),
        Movement = new GoodsMovement
        {
            Kind = MovementKind.Scrap,
            Lot = Lot,
            Material = new MaterialId("CAP-100"),
            Site = new SiteId("PLANT-1"),
            Quantity = Quantity.Each(quantity),
            FromCategory = StockCategory.Unrestricted,
            FromLocation = Regular,
        },
    }, Ct).AsTask();

    private static Task<AdapterResult> DestroyAsync(ErpSimulator erp, decimal quantity) =>
        erp.ConfirmScrapDestructionAsync(new ConfirmScrapDestructionRequest { Context = Context(), Lot = Lot, Quantity = Quantity.Each(quantity), DisposalReference = "certificate 7" }, Ct).AsTask();

    private static Task<AdapterResult> ChangeAsync(ErpSimulator erp, QuarantineOrderStatus? status = null, decimal? scrap = null) =>
        erp.ChangeQuarantineOrderAsync(new ChangeQuarantineOrderRequest { Context = Context(), Order = OrderId, Status = status, ScrapQuantity = scrap is { } q ? Quantity.Each(q) : null }, Ct).AsTask();

    [Fact]
    public async Task Scrap_AwaitsDestruction_ThenIsGoneForGood_AndOnlyTheUndestroyedPartCanBeReversed()
    {
        var erp = Erp();
        var scrap = await ScrapAsync(erp, 30);
        scrap.IsSuccess.Should().BeTrue(scrap.Message);

        var awaiting = erp.GetLot(Lot)!;
        awaiting.AwaitingDestruction.Should().Be(30, "scrapped stock stays controlled until destroyed");
        awaiting.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(70));

        (await DestroyAsync(erp, 31)).Reason.Should().Be(ReasonCodes.InsufficientQuantity);
        var destroyed = await DestroyAsync(erp, 20);
        destroyed.IsSuccess.Should().BeTrue(destroyed.Message);
        destroyed.ExternalReference.Should().StartWith("DISP");
        erp.GetLot(Lot)!.DestroyedQuantity.Should().Be(20);
        erp.GetLot(Lot)!.AwaitingDestruction.Should().Be(10);

        var reversal = await erp.ReverseGoodsMovementAsync(new ReverseGoodsMovementRequest { Context = Context(), DocumentNumber = scrap.ExternalReference!, Lot = Lot }, Ct);
        reversal.IsSuccess.Should().BeFalse("20 of the 30 scrapped were destroyed: the whole scrap can no longer come back");
        reversal.Reason.Should().Be(ReasonCodes.ReversalInvalid);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(70);
    }

    [Fact]
    public async Task Scrap_NotYetDestroyed_ComesBackOnlyByReversal()
    {
        var erp = Erp();
        var scrap = await ScrapAsync(erp, 30);

        var reversal = await erp.ReverseGoodsMovementAsync(new ReverseGoodsMovementRequest { Context = Context(), DocumentNumber = scrap.ExternalReference!, Lot = Lot }, Ct);

        reversal.IsSuccess.Should().BeTrue(reversal.Message);
        erp.MovementTypeOf(reversal.ExternalReference!).Should().Be("552");
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(100);
        erp.GetLot(Lot)!.AwaitingDestruction.Should().Be(0);
        (await DestroyAsync(erp, 1)).Reason.Should().Be(ReasonCodes.InsufficientQuantity, "nothing awaits destruction any more");
    }

    [Fact]
    public async Task QuarantineOrder_Lifecycle_MovesTheStockInAndBack()
    {
        var erp = Erp(ErpSimulatorProfile.D365Like);
        var created = await erp.CreateQuarantineOrderAsync(new CreateQuarantineOrderRequest { Context = Context(), Order = OrderId, Lot = Lot, Quantity = Quantity.Each(40), RegularLocation = Regular, QuarantineLocation = Quarantine }, Ct);
        created.IsSuccess.Should().BeTrue(created.Message);
        erp.GetQuarantineOrder(OrderId)!.Status.Should().Be(QuarantineOrderStatus.Created);
        erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(0, "a created order has not moved anything yet");

        (await ChangeAsync(erp, QuarantineOrderStatus.Ended)).IsSuccess.Should().BeFalse("an order ends only after it started and was reported as finished");

        var started = await ChangeAsync(erp, QuarantineOrderStatus.Started);
        started.IsSuccess.Should().BeTrue(started.Message);
        erp.MovementTypeOf(started.ExternalReference!).Should().Be("344");
        var inQuarantine = erp.GetLot(Lot)!;
        inQuarantine.Buckets.Should().ContainSingle(b => b.Category == StockCategory.Blocked).Which.Location.Should().Be(Quarantine);
        inQuarantine.QuantityIn(StockCategory.Blocked).Should().Be(Quantity.Each(40));
        inQuarantine.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(60));

        (await ChangeAsync(erp, scrap: 5)).IsSuccess.Should().BeTrue();
        erp.GetLot(Lot)!.ScrappedQuantity.Should().Be(5);

        (await ChangeAsync(erp, QuarantineOrderStatus.ReportedAsFinished)).IsSuccess.Should().BeTrue();
        erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(35, "reported as finished: released in status, still in the quarantine warehouse");

        var ended = await ChangeAsync(erp, QuarantineOrderStatus.Ended);
        ended.IsSuccess.Should().BeTrue(ended.Message);
        erp.MovementTypeOf(ended.ExternalReference!).Should().Be("343");
        erp.GetQuarantineOrder(OrderId)!.Status.Should().Be(QuarantineOrderStatus.Ended);
        var back = erp.GetLot(Lot)!;
        back.QuantityIn(StockCategory.Blocked).IsZero.Should().BeTrue();
        back.Buckets.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Category = StockCategory.Unrestricted, Location = (StorageLocationId?)Regular, Quantity = Quantity.Each(95) });
        (await ChangeAsync(erp, QuarantineOrderStatus.Started)).IsSuccess.Should().BeFalse("an ended order is closed");
    }

    [Fact]
    public async Task QuarantineOrder_Requests_ThatAreNotWellFormed_OrOnSap_AreRefused()
    {
        var sap = Erp(ErpSimulatorProfile.SapLike);
        (await sap.CreateQuarantineOrderAsync(new CreateQuarantineOrderRequest { Context = Context(), Order = OrderId, Lot = Lot, Quantity = Quantity.Each(40), RegularLocation = Regular, QuarantineLocation = Quarantine }, Ct)).Reason.Should().Be(ReasonCodes.OperationNotSupported);

        var erp = Erp(ErpSimulatorProfile.D365Like);
        (await erp.CreateQuarantineOrderAsync(new CreateQuarantineOrderRequest { Context = Context(), Order = OrderId, Lot = Lot, Quantity = Quantity.Each(40), RegularLocation = Regular, QuarantineLocation = Regular }, Ct)).IsSuccess.Should().BeFalse("the two warehouses must differ");
        (await ChangeAsync(erp, QuarantineOrderStatus.Started)).Reason.Should().Be(ReasonCodes.ReferenceUnknown);
        (await erp.CreateQuarantineOrderAsync(new CreateQuarantineOrderRequest { Context = Context(), Order = OrderId, Lot = Lot, Quantity = Quantity.Each(40), RegularLocation = Regular, QuarantineLocation = Quarantine }, Ct)).IsSuccess.Should().BeTrue();
        (await ChangeAsync(erp, QuarantineOrderStatus.Started, scrap: 1)).Reason.Should().Be(ReasonCodes.Required);
        (await ChangeAsync(erp, QuarantineOrderStatus.Created)).Reason.Should().Be(ReasonCodes.TransitionNotPermitted);
        (await erp.CreateQuarantineOrderAsync(new CreateQuarantineOrderRequest { Context = Context(), Order = OrderId, Lot = Lot, Quantity = Quantity.Each(10), RegularLocation = Regular, QuarantineLocation = Quarantine }, Ct)).Reason.Should().Be(ReasonCodes.Duplicate);
    }
}
