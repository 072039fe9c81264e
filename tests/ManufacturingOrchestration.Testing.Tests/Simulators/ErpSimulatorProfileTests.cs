using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

/// <summary>
/// The ERP simulator's SAP-like and D365-like profiles: inspected receipts and usage decisions, stock in transfer,
/// batch dispositions that block.
/// </summary>
public sealed class ErpSimulatorProfileTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly LotId Lot = new("LOT-QM");
    private static readonly MaterialId Material = new("CAP-100");
    private static readonly SiteId Site = new("PLANT-1");
    private static int s_key;

    private static ErpSimulator Erp(ErpSimulatorProfile profile, QualityInspectionSetup? setup = null)
    {
        var erp = new ErpSimulator(new SimulatorOptions { TimeProvider = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero)) }) { Profile = profile };
        if (setup is not null)
        {
            erp.AddInspectionSetup(setup);
        }

        return erp;
    }

    private static QualityInspectionSetup Setup(bool fullBlocking = true, decimal sampling = 100m) =>
        new() { Material = Material, Site = Site, BlocksFullQuantity = fullBlocking, SamplingPercentage = sampling };

    private static CommandContext Context() => new() { IdempotencyKey = "k-" + Interlocked.Increment(ref s_key), CorrelationId = "test" };

    private static GoodsMovement Movement(MovementKind kind, decimal quantity, StockCategory? from = null, StockCategory? to = null) => new()
    {
        Kind = kind,
        Lot = Lot,
        Material = Material,
        Site = Site,
        Quantity = Quantity.Each(quantity),
        FromCategory = from,
        ToCategory = to,
    };

    private static async Task<AdapterResult> PostAsync(ErpSimulator erp, GoodsMovement movement) =>
        await erp.PostGoodsMovementAsync(new PostGoodsMovementRequest { Context = Context(), Movement = movement }, Ct);

    private static async Task<AdapterResult> ReleaseAsync(ErpSimulator erp, decimal quantity, InspectionLotId? inspectionLot) =>
        await erp.ChangeStockCategoryAsync(new ChangeStockCategoryRequest
        {
            Context = Context(),
            Lot = Lot,
            Material = Material,
            Site = Site,
            Quantity = Quantity.Each(quantity),
            FromCategory = StockCategory.QualityInspection,
            ToCategory = StockCategory.Unrestricted,
            InspectionLot = inspectionLot,
        }, Ct);

    private static async Task<decimal?> AtpAsync(ErpSimulator erp)
    {
        (await erp.UpdateAtpAsync(new UpdateAtpRequest { Context = Context(), Material = Material, Site = Site }, Ct)).IsSuccess.Should().BeTrue();
        return erp.GetAtp(Material, Site);
    }

    [Theory]
    [InlineData(ErpSimulatorProfile.SapLike)]
    [InlineData(ErpSimulatorProfile.D365Like)]
    public async Task InspectedReceipt_LeavesQualityInspectionOnlyThroughTheInspectionLotsDecision(ErpSimulatorProfile profile)
    {
        var erp = Erp(profile, Setup());
        (await PostAsync(erp, Movement(MovementKind.GoodsReceipt, 100, to: StockCategory.Unrestricted))).IsSuccess.Should().BeTrue();

        var received = erp.GetLot(Lot)!;
        received.QuantityIn(StockCategory.QualityInspection).Should().Be(Quantity.Each(100), "the whole receipt is held for inspection, whatever the receipt asked");
        var inspection = received.Inspections.Should().ContainSingle().Subject;
        inspection.Status.Should().Be(InspectionLotStatus.Created);
        inspection.Id.Value.Should().StartWith(profile == ErpSimulatorProfile.SapLike ? "IL-" : "QO-");
        (await AtpAsync(erp)).Should().Be(0, "a receipt under full blocking leaves nothing available");

        var plain = await ReleaseAsync(erp, 100, inspectionLot: null);
        plain.IsPermanent.Should().BeTrue();
        plain.Reason.Should().Be(ReasonCodes.UsageDecisionRequired);
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(0);

        var decided = await ReleaseAsync(erp, 100, inspection.Id);
        decided.IsSuccess.Should().BeTrue(decided.Message);
        erp.MovementTypeOf(decided.ExternalReference!).Should().Be("321");
        var released = erp.GetLot(Lot)!;
        released.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(100));
        released.Inspections.Should().BeEmpty();
        released.QualityDecision.Should().Be(QualityDecision.Accepted);
        (await AtpAsync(erp)).Should().Be(100);
    }

    [Fact]
    public async Task StockOfAQmActiveMaterial_SentBackToInspection_GetsAnInspectionLot()
    {
        var erp = Erp(ErpSimulatorProfile.SapLike, Setup());
        await PostAsync(erp, Movement(MovementKind.GoodsReceipt, 100));
        var first = erp.GetLot(Lot)!.Inspections[0].Id;
        (await ReleaseAsync(erp, 100, first)).IsSuccess.Should().BeTrue();

        var back = await PostAsync(erp, Movement(MovementKind.CategoryTransfer, 30, StockCategory.Unrestricted, StockCategory.QualityInspection));

        back.IsSuccess.Should().BeTrue(back.Message);
        erp.MovementTypeOf(back.ExternalReference!).Should().Be("322");
        var reinspection = erp.GetLot(Lot)!.Inspections.Should().ContainSingle().Subject;
        reinspection.Id.Should().NotBe(first);
        reinspection.Quantity.Should().Be(30);
        (await ReleaseAsync(erp, 30, inspectionLot: null)).Reason.Should().Be(ReasonCodes.UsageDecisionRequired);
    }

    [Fact]
    public async Task D365Sampling_WithoutFullBlocking_HoldsOnlyTheSample()
    {
        var erp = Erp(ErpSimulatorProfile.D365Like, Setup(fullBlocking: false, sampling: 10m));

        (await PostAsync(erp, Movement(MovementKind.GoodsReceipt, 95, to: StockCategory.QualityInspection))).IsSuccess.Should().BeTrue();

        erp.QuantityIn(Lot, StockCategory.QualityInspection).Should().Be(10, "10 % of 95, rounded up to a whole unit");
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(85);
        erp.GetLot(Lot)!.Inspections.Should().ContainSingle().Which.Quantity.Should().Be(10);
        (await AtpAsync(erp)).Should().Be(85);
    }

    [Fact]
    public async Task SapLikeReceipt_IgnoresTheSamplingPercentage_QmPostsAllToInspectionStock()
    {
        var erp = Erp(ErpSimulatorProfile.SapLike, Setup(fullBlocking: false, sampling: 10m));

        (await PostAsync(erp, Movement(MovementKind.GoodsReceipt, 95, to: StockCategory.QualityInspection))).IsSuccess.Should().BeTrue();

        erp.QuantityIn(Lot, StockCategory.QualityInspection).Should().Be(95);
    }

    [Fact]
    public async Task SapLike_DecisionRecordedWithoutPosting_IsNotAvailableUntilPosted()
    {
        var erp = Erp(ErpSimulatorProfile.SapLike, Setup());
        await PostAsync(erp, Movement(MovementKind.GoodsReceipt, 100));
        var inspectionLot = erp.GetLot(Lot)!.Inspections[0].Id;

        erp.RecordUsageDecision(Lot, inspectionLot, UsageDecision.Accept).Rejection.Should().BeNull();

        var pending = erp.GetLot(Lot)!;
        pending.IsUsageDecisionPostingPending.Should().BeTrue();
        pending.Inspections[0].Status.Should().Be(InspectionLotStatus.StockPostingRequired);
        (await AtpAsync(erp)).Should().Be(0, "a decision with the posting pending releases nothing");

        (await ReleaseAsync(erp, 100, inspectionLot)).IsSuccess.Should().BeTrue();
        erp.GetLot(Lot)!.IsUsageDecisionPostingPending.Should().BeFalse();
        (await AtpAsync(erp)).Should().Be(100);
    }

    [Fact]
    public async Task D365Like_RefusesADecisionWithoutPosting_AndStockInTransfer()
    {
        var erp = Erp(ErpSimulatorProfile.D365Like, Setup());
        await PostAsync(erp, Movement(MovementKind.GoodsReceipt, 100));

        erp.RecordUsageDecision(Lot, erp.GetLot(Lot)!.Inspections[0].Id, UsageDecision.Accept).Rejection!.ReasonCode.Should().Be(ReasonCodes.OperationNotSupported);

        var d365 = Erp(ErpSimulatorProfile.D365Like);
        await PostAsync(d365, Movement(MovementKind.GoodsReceipt, 100, to: StockCategory.Unrestricted));
        var transfer = await PostAsync(d365, Movement(MovementKind.PlantTransferOut, 40, StockCategory.Unrestricted, StockCategory.InTransfer));
        transfer.Reason.Should().Be(ReasonCodes.OperationNotSupported);
        d365.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(100);
    }

    [Fact]
    public async Task SapLike_StockInTransfer_303Then305_AndTheirReversals()
    {
        var erp = Erp(ErpSimulatorProfile.SapLike);
        await PostAsync(erp, Movement(MovementKind.GoodsReceipt, 100, to: StockCategory.Unrestricted));

        var removal = await PostAsync(erp, Movement(MovementKind.PlantTransferOut, 40, StockCategory.Unrestricted, StockCategory.InTransfer));
        removal.IsSuccess.Should().BeTrue(removal.Message);
        erp.MovementTypeOf(removal.ExternalReference!).Should().Be("303");
        erp.QuantityIn(Lot, StockCategory.InTransfer).Should().Be(40);
        (await AtpAsync(erp)).Should().Be(60, "stock in transfer is in neither plant's unrestricted stock");
        (await PostAsync(erp, Movement(MovementKind.Consumption, 70, StockCategory.Unrestricted) with { Order = null })).IsSuccess.Should().BeFalse();

        var placement = await PostAsync(erp, Movement(MovementKind.PlantTransferIn, 40, StockCategory.InTransfer, StockCategory.Unrestricted));
        placement.IsSuccess.Should().BeTrue(placement.Message);
        erp.MovementTypeOf(placement.ExternalReference!).Should().Be("305");
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(100);

        var undoPlacement = await erp.ReverseGoodsMovementAsync(new ReverseGoodsMovementRequest { Context = Context(), DocumentNumber = placement.ExternalReference!, Lot = Lot }, Ct);
        undoPlacement.IsSuccess.Should().BeTrue(undoPlacement.Message);
        erp.MovementTypeOf(undoPlacement.ExternalReference!).Should().Be("306");
        erp.QuantityIn(Lot, StockCategory.InTransfer).Should().Be(40);

        var undoRemoval = await erp.ReverseGoodsMovementAsync(new ReverseGoodsMovementRequest { Context = Context(), DocumentNumber = removal.ExternalReference!, Lot = Lot }, Ct);
        undoRemoval.IsSuccess.Should().BeTrue(undoRemoval.Message);
        erp.MovementTypeOf(undoRemoval.ExternalReference!).Should().Be("304");
        erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(100);
        erp.QuantityIn(Lot, StockCategory.InTransfer).Should().Be(0);
    }

    [Fact]
    public async Task D365Like_BlockingBatchDisposition_TakesTheBatchOutOfAtpUntilReplaced()
    {
        var erp = Erp(ErpSimulatorProfile.D365Like);
        await PostAsync(erp, Movement(MovementKind.GoodsReceipt, 100, to: StockCategory.Unrestricted));

        var blocking = await erp.SetBatchStatusAsync(new SetBatchStatusRequest { Context = Context(), Lot = Lot, BatchDisposition = "NotAvailable" }, Ct);
        blocking.IsSuccess.Should().BeTrue(blocking.Message);
        erp.GetLot(Lot)!.Holds.Should().Equal(ErpSimulator.BatchDispositionHoldPrefix + "NotAvailable");
        (await AtpAsync(erp)).Should().Be(0);
        (await PostAsync(erp, Movement(MovementKind.Consumption, 10, StockCategory.Unrestricted))).Reason.Should().Be(ReasonCodes.LotOnHold);

        (await erp.SetBatchStatusAsync(new SetBatchStatusRequest { Context = Context(), Lot = Lot, BatchDisposition = "Available" }, Ct)).IsSuccess.Should().BeTrue();
        erp.GetLot(Lot)!.Holds.Should().BeEmpty();
        (await AtpAsync(erp)).Should().Be(100);

        (await erp.SetBatchStatusAsync(new SetBatchStatusRequest { Context = Context(), Lot = Lot, BatchDisposition = "Whatever" }, Ct)).Reason.Should().Be(ReasonCodes.BatchDispositionUnknown);
    }

    [Fact]
    public async Task SapLike_RefusesBatchDispositionCodes()
    {
        var erp = Erp(ErpSimulatorProfile.SapLike);
        await PostAsync(erp, Movement(MovementKind.GoodsReceipt, 100, to: StockCategory.Unrestricted));

        (await erp.SetBatchStatusAsync(new SetBatchStatusRequest { Context = Context(), Lot = Lot, BatchDisposition = "NotAvailable" }, Ct)).Reason.Should().Be(ReasonCodes.OperationNotSupported);
        erp.GetLot(Lot)!.Holds.Should().BeEmpty();
    }

    [Fact]
    public void InspectionSetup_WithASamplingPercentageOutOfRange_IsRefused()
    {
        var erp = Erp(ErpSimulatorProfile.D365Like);

        var act = () => erp.AddInspectionSetup(Setup(fullBlocking: false, sampling: 0m));

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
    }
}
