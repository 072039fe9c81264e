using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

public sealed class ErpSimulatorTests
{
    private static readonly CancellationToken s_ct = CancellationToken.None;

    private static ErpSimulator CreateSut(MaterialLot? lot = null)
    {
        var erp = new ErpSimulator(new SimulatorOptions { TimeProvider = new FakeTimeProvider() });
        erp.AddLot(lot ?? LotWith(unrestricted: 500));
        return erp;
    }

    [Fact]
    public async Task ChangeStockCategoryAsync_UnrestrictedToBlocked_MovesQuantityAndReturnsDocument()
    {
        var erp = CreateSut();

        var result = await erp.ChangeStockCategoryAsync(Change(200, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        result.ExternalReference.Should().NotBeNullOrEmpty();
        erp.MovementTypeOf(result.ExternalReference!).Should().Be("344");
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(300);
        erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(200);
    }

    [Fact]
    public async Task ChangeStockCategoryAsync_SameKeyTwice_AppliesOnceAndAnswersAlreadyApplied()
    {
        var erp = CreateSut();

        var first = await erp.ChangeStockCategoryAsync(Change(100, StockCategory.Unrestricted, StockCategory.Blocked, key: "k-1"), s_ct);
        var second = await erp.ChangeStockCategoryAsync(Change(100, StockCategory.Unrestricted, StockCategory.Blocked, key: "k-1"), s_ct);

        second.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        second.ExternalReference.Should().Be(first.ExternalReference);
        erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(100);
        erp.AppliedEffects.Should().ContainSingle();
    }

    [Fact]
    public async Task ChangeStockCategoryAsync_ConcurrentSameKey_AppliesExactlyOnce()
    {
        var erp = CreateSut();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(async () => await erp.ChangeStockCategoryAsync(Change(10, StockCategory.Unrestricted, StockCategory.Blocked, key: "same"), s_ct))));

        results.Count(r => r.Status == AdapterResultStatus.Succeeded).Should().Be(1);
        results.Count(r => r.Status == AdapterResultStatus.AlreadyApplied).Should().Be(15);
        erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(10);
    }

    [Fact]
    public async Task ChangeStockCategoryAsync_RestrictedBatchToUnrestricted_IsRefused()
    {
        var erp = CreateSut(LotWith(unrestricted: 0, qualityInspection: 50, restricted: true));

        var refused = await erp.ChangeStockCategoryAsync(Change(50, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);
        var accepted = await erp.ChangeStockCategoryAsync(Change(50, StockCategory.QualityInspection, StockCategory.RestrictedUse), s_ct);

        refused.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        refused.Reason.Should().Be(ReasonCodes.RestrictedBatch);
        accepted.IsSuccess.Should().BeTrue();
        erp.QuantityIn(Lot, StockCategory.RestrictedUse).Should().Be(50);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(0);
    }

    [Fact]
    public async Task ChangeStockCategoryAsync_TransferWithoutSapEquivalent_IsRefused()
    {
        var erp = CreateSut();

        var result = await erp.ChangeStockCategoryAsync(Change(10, StockCategory.Unrestricted, StockCategory.InTransit), s_ct);

        result.Reason.Should().Be(ReasonCodes.TransferNotPermitted);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(500);
    }

    [Fact]
    public async Task ChangeStockCategoryAsync_MoreThanInSourceBucket_IsRefusedWithoutEffect()
    {
        var erp = CreateSut();

        var result = await erp.ChangeStockCategoryAsync(Change(501, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);

        result.Reason.Should().Be(ReasonCodes.InsufficientQuantity);
        result.Status.Should().Be(AdapterResultStatus.Stale, "the posting assumed stock the lot no longer holds: the caller reads it again and decides again");
        erp.AppliedEffects.Should().BeEmpty();
        erp.HasApplied(result.ToString()).Should().BeFalse();
    }

    [Theory]
    [InlineData(StockCategory.QualityInspection)]
    [InlineData(StockCategory.Blocked)]
    public async Task PostGoodsMovementAsync_ConsumptionFromQiOrBlocked_IsRefused(StockCategory category)
    {
        var erp = CreateSut(LotWith(unrestricted: 0, qualityInspection: 100, blocked: 100));
        erp.AddOrder(OrderIn(ProductionOrderStatus.Released));

        var result = await erp.PostGoodsMovementAsync(Movement(MovementKind.Consumption, 10, from: category, order: Order), s_ct);

        result.Reason.Should().Be(ReasonCodes.WithdrawalNotUnrestricted);
        erp.QuantityIn(Lot, category).Should().Be(100);
    }

    [Fact]
    public async Task PostGoodsMovementAsync_GoodsIssueFromBlocked_IsRefused()
    {
        var erp = CreateSut(LotWith(unrestricted: 0, blocked: 100));

        var result = await erp.PostGoodsMovementAsync(Movement(MovementKind.GoodsIssue, 10, from: StockCategory.Blocked), s_ct);

        result.Reason.Should().Be(ReasonCodes.WithdrawalNotUnrestricted);
    }

    [Theory]
    [InlineData(StockCategory.QualityInspection)]
    [InlineData(StockCategory.Blocked)]
    public async Task PostGoodsMovementAsync_ReturnToSupplierFromQiOrBlocked_IsPostedAs122InOneMovement(StockCategory category)
    {
        var erp = CreateSut(LotWith(unrestricted: 5, qualityInspection: 100, blocked: 100));

        var result = await erp.PostGoodsMovementAsync(Movement(MovementKind.ReturnToSupplier, 40, from: category), s_ct);

        result.IsSuccess.Should().BeTrue();
        erp.MovementTypeOf(result.ExternalReference!).Should().Be("122");
        erp.QuantityIn(Lot, category).Should().Be(60);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(5);
    }

    [Fact]
    public async Task PostGoodsMovementAsync_ReturnToSupplierFromInTransit_IsRefused()
    {
        var erp = CreateSut(LotWith(unrestricted: 100));
        (await erp.PostGoodsMovementAsync(Movement(MovementKind.PlantTransferOut, 30, from: StockCategory.Unrestricted), s_ct)).IsSuccess.Should().BeTrue();

        var result = await erp.PostGoodsMovementAsync(Movement(MovementKind.ReturnToSupplier, 30, from: StockCategory.InTransit), s_ct);

        result.Reason.Should().Be(ReasonCodes.InTransitNotUsable);
        erp.QuantityIn(Lot, StockCategory.InTransit).Should().Be(30);
    }

    [Fact]
    public async Task PostGoodsMovementAsync_ReturnToSupplierOfCustomerOwnedStock_IsRefused()
    {
        var erp = CreateSut(LotWith(unrestricted: 0, blocked: 100) with { Buckets = [new StockBucket { Category = StockCategory.Blocked, Ownership = StockOwnership.CustomerConsignment, Quantity = Ea(100) }] });
        var request = Movement(MovementKind.ReturnToSupplier, 10, from: StockCategory.Blocked);

        var result = await erp.PostGoodsMovementAsync(request with { Movement = request.Movement with { FromOwnership = StockOwnership.CustomerConsignment } }, s_ct);

        result.Reason.Should().Be(ReasonCodes.ConsignmentNotOwned);
    }

    [Fact]
    public async Task PostGoodsMovementAsync_ScrapFromBlocked_IsAcceptedAs555()
    {
        var erp = CreateSut(LotWith(unrestricted: 0, blocked: 100));

        var result = await erp.PostGoodsMovementAsync(Movement(MovementKind.Scrap, 40, from: StockCategory.Blocked), s_ct);

        result.IsSuccess.Should().BeTrue();
        erp.MovementTypeOf(result.ExternalReference!).Should().Be("555");
        erp.GetLot(Lot)!.ScrappedQuantity.Should().Be(40);
    }

    [Theory]
    [InlineData(ProductionOrderStatus.Created, "order.not-released")]
    [InlineData(ProductionOrderStatus.Closed, "order.closed")]
    public async Task PostGoodsMovementAsync_ConsumptionOnCreatedOrClosedOrder_IsRefused(ProductionOrderStatus status, string reason)
    {
        var erp = CreateSut();
        erp.AddOrder(OrderIn(status));

        var result = await erp.PostGoodsMovementAsync(Movement(MovementKind.Consumption, 10, from: StockCategory.Unrestricted, order: Order), s_ct);

        result.Reason!.Value.Code.Should().Be(reason);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(500);
    }

    [Fact]
    public async Task PostGoodsMovementAsync_LateConsumptionOnTechnicallyCompletedOrder_IsAccepted()
    {
        var erp = CreateSut();
        erp.AddOrder(OrderIn(ProductionOrderStatus.TechnicallyCompleted));

        var result = await erp.PostGoodsMovementAsync(Movement(MovementKind.Consumption, 10, from: StockCategory.Unrestricted, order: Order), s_ct);

        result.IsSuccess.Should().BeTrue();
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(490);
        erp.GetLot(Lot)!.ConsumedQuantity.Should().Be(10);
    }

    [Fact]
    public async Task PostProductionConfirmationAsync_TechnicallyCompleted_AcceptsLatePostingAndKeepsStatus()
    {
        var erp = CreateSut();
        erp.AddOrder(OrderIn(ProductionOrderStatus.TechnicallyCompleted));

        var result = await erp.PostProductionConfirmationAsync(new PostProductionConfirmationRequest { Context = Context(), Order = Order, Yield = Ea(5) }, s_ct);

        result.IsSuccess.Should().BeTrue();
        erp.GetOrder(Order)!.ConfirmedQuantity.Should().Be(5);
        erp.GetOrder(Order)!.Status.Should().Be(ProductionOrderStatus.TechnicallyCompleted);
    }

    [Fact]
    public async Task PostProductionConfirmationAsync_ClosedOrder_IsRefused()
    {
        var erp = CreateSut();
        erp.AddOrder(OrderIn(ProductionOrderStatus.Closed));

        var result = await erp.PostProductionConfirmationAsync(new PostProductionConfirmationRequest { Context = Context(), Order = Order, Yield = Ea(5) }, s_ct);

        result.Reason.Should().Be(ReasonCodes.OrderClosed);
    }

    [Fact]
    public async Task ReverseGoodsMovementAsync_AfterTransfer_RestoresBothBucketsOnce()
    {
        var erp = CreateSut();
        var posted = await erp.ChangeStockCategoryAsync(Change(200, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);

        var reversal = await erp.ReverseGoodsMovementAsync(new ReverseGoodsMovementRequest { Context = Context(), DocumentNumber = posted.ExternalReference!, Lot = Lot }, s_ct);
        var again = await erp.ReverseGoodsMovementAsync(new ReverseGoodsMovementRequest { Context = Context(), DocumentNumber = posted.ExternalReference!, Lot = Lot }, s_ct);

        reversal.IsSuccess.Should().BeTrue();
        erp.MovementTypeOf(reversal.ExternalReference!).Should().Be("343", "a 344 posting is reversed by its pair 343 from the table, never by +1 arithmetic (345 is another movement)");
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(500);
        erp.QuantityIn(Lot, StockCategory.Blocked).Should().Be(0);
        again.Reason.Should().Be(ReasonCodes.ReversalInvalid);
    }

    [Fact]
    public async Task PostGoodsMovementAsync_PlantTransferPair_MovesThroughTransitAndBack()
    {
        var erp = CreateSut();

        var outbound = await erp.PostGoodsMovementAsync(Movement(MovementKind.PlantTransferOut, 100, from: StockCategory.Unrestricted), s_ct);
        var inTransit = erp.QuantityIn(Lot, StockCategory.InTransit);
        var consumeInTransit = await erp.PostGoodsMovementAsync(Movement(MovementKind.GoodsIssue, 10, from: StockCategory.InTransit), s_ct);
        var inbound = await erp.PostGoodsMovementAsync(Movement(MovementKind.PlantTransferIn, 100, to: StockCategory.Unrestricted), s_ct);

        outbound.IsSuccess.Should().BeTrue();
        inTransit.Should().Be(100);
        consumeInTransit.Reason.Should().Be(ReasonCodes.InTransitNotUsable);
        inbound.IsSuccess.Should().BeTrue();
        erp.QuantityIn(Lot, StockCategory.InTransit).Should().Be(0);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(500);
    }

    [Fact]
    public async Task PostGoodsMovementAsync_ConsumptionOfConsignment_IsRefusedUntilWithdrawnToOwn()
    {
        var lot = LotWith(unrestricted: 0) with
        {
            Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Ownership = StockOwnership.VendorConsignment, Quantity = Ea(50) }],
        };
        var erp = CreateSut(lot);
        var consume = Movement(MovementKind.Consumption, 10, from: StockCategory.Unrestricted);
        var consignmentConsume = consume with { Movement = consume.Movement with { FromOwnership = StockOwnership.VendorConsignment } };

        var refused = await erp.PostGoodsMovementAsync(consignmentConsume, s_ct);
        var withdrawn = await erp.PostGoodsMovementAsync(Movement(MovementKind.ConsignmentToOwn, 10, from: StockCategory.Unrestricted), s_ct);
        var consumed = await erp.PostGoodsMovementAsync(consume, s_ct);

        refused.Reason.Should().Be(ReasonCodes.ConsignmentNotOwned);
        withdrawn.IsSuccess.Should().BeTrue();
        consumed.IsSuccess.Should().BeTrue();
        erp.QuantityIn(Lot, StockCategory.Unrestricted, StockOwnership.VendorConsignment).Should().Be(40);
    }

    [Fact]
    public async Task PostCountAdjustmentAsync_Shortage_PostsDifferenceWith702()
    {
        var erp = CreateSut();

        var result = await erp.PostCountAdjustmentAsync(new PostCountAdjustmentRequest
        {
            Context = Context(),
            Count = new CycleCountId("CC-1"),
            Lot = Lot,
            Material = Capacitor,
            Site = Plant,
            Difference = Ea(7),
            IsIncrease = false,
        }, s_ct);

        result.IsSuccess.Should().BeTrue();
        erp.MovementTypeOf(result.ExternalReference!).Should().Be("702");
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(493);
    }

    [Theory]
    [InlineData(StockCategory.QualityInspection, true, "703", 105)]
    [InlineData(StockCategory.QualityInspection, false, "704", 95)]
    [InlineData(StockCategory.Blocked, true, "707", 55)]
    [InlineData(StockCategory.Blocked, false, "708", 45)]
    public async Task PostCountAdjustmentAsync_DifferenceInQualityInspectionOrBlocked_PostsThatCategorysMovementType(StockCategory category, bool increase, string movementType, int after)
    {
        var erp = CreateSut(LotWith(unrestricted: 500, qualityInspection: 100, blocked: 50));

        var result = await erp.PostCountAdjustmentAsync(new PostCountAdjustmentRequest
        {
            Context = Context(),
            Count = new CycleCountId("CC-1"),
            Lot = Lot,
            Material = Capacitor,
            Site = Plant,
            Category = category,
            Difference = Ea(5),
            IsIncrease = increase,
        }, s_ct);

        result.IsSuccess.Should().BeTrue();
        erp.MovementTypeOf(result.ExternalReference!).Should().Be(movementType);
        erp.QuantityIn(Lot, category).Should().Be(after);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(500);
    }

    [Theory]
    [InlineData(StockCategory.QualityInspection, true, "703")]
    [InlineData(StockCategory.Blocked, true, "707")]
    [InlineData(StockCategory.QualityInspection, false, "704")]
    [InlineData(StockCategory.Blocked, false, "708")]
    public async Task PostGoodsMovementAsync_CountDifferenceInQualityInspectionOrBlocked_PostsThatCategorysMovementType(StockCategory category, bool increase, string movementType)
    {
        var erp = CreateSut(LotWith(unrestricted: 500, qualityInspection: 100, blocked: 50));
        var request = Movement(MovementKind.CountDifference, 5, from: increase ? null : category, to: increase ? category : null);

        var result = await erp.PostGoodsMovementAsync(request with { Movement = request.Movement with { IsIncrease = increase } }, s_ct);

        result.IsSuccess.Should().BeTrue();
        erp.MovementTypeOf(result.ExternalReference!).Should().Be(movementType);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(500);
    }

    [Fact]
    public async Task PostGoodsMovementAsync_ScrapFromRestrictedUse_IsAcceptedAs551()
    {
        var erp = CreateSut(LotWith(unrestricted: 0, qualityInspection: 100, restricted: true));
        await erp.ChangeStockCategoryAsync(Change(60, StockCategory.QualityInspection, StockCategory.RestrictedUse), s_ct);

        var result = await erp.PostGoodsMovementAsync(Movement(MovementKind.Scrap, 20, from: StockCategory.RestrictedUse), s_ct);

        result.IsSuccess.Should().BeTrue();
        erp.MovementTypeOf(result.ExternalReference!).Should().Be("551");
        erp.QuantityIn(Lot, StockCategory.RestrictedUse).Should().Be(40);
    }

    [Fact]
    public async Task ReevaluateAllocationsAsync_AfterBlocking_DropsAllocationsTheLotNoLongerCovers()
    {
        var erp = CreateSut();
        erp.AddOrder(OrderIn(ProductionOrderStatus.Released));
        erp.AddAllocation(new Allocation { Order = Order, Lot = Lot, Material = Capacitor, Quantity = Ea(300) });
        await erp.ChangeStockCategoryAsync(Change(500, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);

        var result = await erp.ReevaluateAllocationsAsync(new ReevaluateAllocationsRequest { Context = Context(), Lot = Lot }, s_ct);

        result.IsSuccess.Should().BeTrue();
        (await erp.GetOpenAllocationsAsync(Lot, s_ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task UpdateAtpAsync_CountsUnrestrictedOwnStockLessAllocations()
    {
        var erp = CreateSut();
        erp.AddAllocation(new Allocation { Order = Order, Lot = Lot, Material = Capacitor, Quantity = Ea(120) });

        await erp.UpdateAtpAsync(new UpdateAtpRequest { Context = Context(), Material = Capacitor, Site = Plant }, s_ct);

        erp.GetAtp(Capacitor, Plant).Should().Be(380);
    }

    [Fact]
    public async Task ReleaseShipmentHoldAsync_AfterPlace_ClearsHold()
    {
        var erp = CreateSut();

        await erp.PlaceShipmentHoldAsync(new PlaceShipmentHoldRequest { Context = Context(), Lot = Lot }, s_ct);
        var held = erp.HasShipmentHold(Lot);
        await erp.ReleaseShipmentHoldAsync(new ReleaseShipmentHoldRequest { Context = Context(), Lot = Lot }, s_ct);

        held.Should().BeTrue();
        erp.HasShipmentHold(Lot).Should().BeFalse();
    }

    [Fact]
    public async Task SetBatchStatusAsync_Restrict_MovesUnrestrictedStockToRestrictedUse()
    {
        var erp = CreateSut();

        await erp.SetBatchStatusAsync(new SetBatchStatusRequest { Context = Context(), Lot = Lot, IsRestrictedBatch = true }, s_ct);

        erp.QuantityIn(Lot, StockCategory.RestrictedUse).Should().Be(500);
        erp.GetLot(Lot)!.IsRestrictedBatch.Should().BeTrue();
    }

    [Fact]
    public async Task GetStockAsync_UnknownLot_ReturnsNullAndLotQueryReturnsBuckets()
    {
        var erp = CreateSut(LotWith(unrestricted: 10, qualityInspection: 5));

        var unknown = await erp.GetStockAsync(new LotId("NOPE"), s_ct);
        var stock = await erp.GetStockAsync(Lot, s_ct);

        unknown.Should().BeNull();
        stock!.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(5);
        erp.CallCount(QueryKinds.ErpGetStock).Should().Be(2);
    }

    [Fact]
    public async Task ChangeStockCategoryAsync_UnknownLot_IsRefusedWithLotUnknown()
    {
        var erp = CreateSut();

        var result = await erp.ChangeStockCategoryAsync(Change(1, StockCategory.Unrestricted, StockCategory.Blocked) with { Lot = new LotId("OTHER") }, s_ct);

        result.Reason.Should().Be(ReasonCodes.LotUnknown);
    }
}
