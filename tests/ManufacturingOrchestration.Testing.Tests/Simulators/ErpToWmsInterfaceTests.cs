using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

public sealed class ErpToWmsInterfaceTests
{
    private static readonly CancellationToken s_ct = CancellationToken.None;
    private static readonly BinId Receiving = new("RCV-1");

    private static PlantSimulator CreateSut(bool connect = true, FakeTimeProvider? time = null, MaterialLot? lot = null)
    {
        var plant = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = time ?? new FakeTimeProvider(), ConnectErpToWms = connect });
        plant.AddSite(new SiteProfile { Id = Plant, HoldLocation = Hold })
            .AddMaterial(new MaterialDefinition { Id = Capacitor, BaseUnit = UnitOfMeasure.Each })
            .AddLot(lot ?? LotWith(unrestricted: 500, qualityInspection: 100, blocked: 50), Rack)
            .AddOrder(OrderIn(ProductionOrderStatus.InProgress));
        return plant;
    }

    public static TheoryData<string> Postings =>
    [
        "quality-inspection→unrestricted",
        "unrestricted→blocked",
        "blocked→quality-inspection",
        "consumption",
        "goods-issue",
        "scrap-from-blocked",
        "sample-from-quality-inspection",
        "return-to-supplier",
        "count-surplus",
        "count-shortage",
        "count-adjustment",
        "plant-transfer-out",
        "goods-receipt",
        "batch-restricted",
    ];

    [Theory]
    [MemberData(nameof(Postings))]
    public async Task ErpPosting_EachKind_WmsStockPerCategoryAndOwnershipFollowsTheErp(string posting)
    {
        using var plant = CreateSut();
        var before = plant.Wms.GetStock(Lot)!.Lines;

        var result = await PostAsync(plant, posting);

        result.IsSuccess.Should().BeTrue(result.Message);
        plant.Wms.GetStock(Lot)!.Lines.Should().NotBeEquivalentTo(before, "the posting changed the lot's stock");
        await ShouldAgreeAsync(plant, Lot);
        plant.ErpToWmsInterface.DeliveredCount.Should().Be(1);
        plant.ErpToWmsInterface.Refused.Should().BeEmpty();
    }

    [Fact]
    public async Task ChangeStockCategory_QualityInspectionReleased_ChangesCategoryInTheBinTheStockLiesIn()
    {
        using var plant = CreateSut();

        await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);

        var stock = plant.Wms.GetStock(Lot)!;
        stock.Lines.Should().OnlyContain(l => l.Bin == Rack);
        stock.ToSnapshot().QuantityIn(StockCategory.Unrestricted).Should().Be(Ea(600));
        stock.ToSnapshot().QuantityIn(StockCategory.QualityInspection).Should().Be(Ea(0));
    }

    [Fact]
    public async Task ScrapFromBlocked_AfterAMoveToTheHoldLocation_ComesOutOfTheHoldBin()
    {
        using var plant = CreateSut(lot: LotWith(unrestricted: 200));
        await plant.ExecuteAsync(Change(200, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);
        await plant.ExecuteAsync(new CreateMoveTaskRequest { Context = Context(), Lot = Lot, Site = Plant, ToBin = Hold, TargetCategory = StockCategory.Blocked }, s_ct);

        var scrap = await plant.ExecuteAsync(Movement(MovementKind.Scrap, 30, from: StockCategory.Blocked), s_ct);

        scrap.IsSuccess.Should().BeTrue(scrap.Message);
        plant.Wms.QuantityIn(Lot, Hold).Should().Be(170);
        plant.Wms.QuantityIn(Lot, Rack).Should().Be(0);
        await ShouldAgreeAsync(plant, Lot);
    }

    [Fact]
    public async Task ConsignmentToOwn_ChangesOwnershipInPlace()
    {
        var consigned = LotWith(unrestricted: 0) with
        {
            Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Ownership = StockOwnership.VendorConsignment, Quantity = Ea(80) }],
        };
        using var plant = CreateSut(lot: consigned);

        var result = await plant.ExecuteAsync(Movement(MovementKind.ConsignmentToOwn, 30, from: StockCategory.Unrestricted), s_ct);

        result.IsSuccess.Should().BeTrue(result.Message);
        var wms = plant.Wms.GetStock(Lot)!.ToSnapshot();
        wms.QuantityIn(StockCategory.Unrestricted, StockOwnership.Own).Should().Be(Ea(30));
        wms.QuantityIn(StockCategory.Unrestricted, StockOwnership.VendorConsignment).Should().Be(Ea(50));
        await ShouldAgreeAsync(plant, Lot);
    }

    [Fact]
    public async Task Reversal_OfACategoryChange_PutsTheWmsBackToo()
    {
        using var plant = CreateSut();
        var posted = await plant.ExecuteAsync(Change(40, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);

        var reversed = await plant.ExecuteAsync(new ReverseGoodsMovementRequest { Context = Context(), DocumentNumber = posted.ExternalReference!, Lot = Lot }, s_ct);

        reversed.IsSuccess.Should().BeTrue(reversed.Message);
        var wms = plant.Wms.GetStock(Lot)!.ToSnapshot();
        wms.QuantityIn(StockCategory.Unrestricted).Should().Be(Ea(500));
        wms.QuantityIn(StockCategory.Blocked).Should().Be(Ea(50));
        plant.ErpToWmsInterface.DeliveredCount.Should().Be(2);
    }

    [Fact]
    public async Task LocationTransfer_InTheErp_LeavesTheWmsBinsAlone()
    {
        using var plant = CreateSut();
        var move = Movement(MovementKind.LocationTransfer, 20, from: StockCategory.Unrestricted);
        move = move with { Movement = move.Movement with { FromLocation = new StorageLocationId("0001"), ToLocation = new StorageLocationId("0002") } };
        plant.Erp.AddLot(LotWith(unrestricted: 500, qualityInspection: 100, blocked: 50) with
        {
            Buckets = [new StockBucket { Category = StockCategory.Unrestricted, Location = new StorageLocationId("0001"), Quantity = Ea(500) }, new StockBucket { Category = StockCategory.QualityInspection, Quantity = Ea(100) }, new StockBucket { Category = StockCategory.Blocked, Quantity = Ea(50) }],
        });

        var result = await plant.ExecuteAsync(move, s_ct);

        result.IsSuccess.Should().BeTrue(result.Message);
        plant.ErpToWmsInterface.DeliveredCount.Should().Be(0, "storage locations net out: nothing changed category, ownership or quantity");
        plant.Wms.QuantityIn(Lot, Rack).Should().Be(650);
    }

    [Fact]
    public async Task GoodsReceipt_LotUnknownToTheWmsWithoutReceivingBin_PassedBy()
    {
        using var plant = CreateSut();
        var lot = new LotId("LOT-NEW");

        var result = await plant.ExecuteAsync(Movement(MovementKind.GoodsReceipt, 60) with { Movement = Movement(MovementKind.GoodsReceipt, 60).Movement with { Lot = lot } }, s_ct);

        result.IsSuccess.Should().BeTrue(result.Message);
        plant.Wms.GetStock(lot).Should().BeNull("the WMS does not manage the lot");
        plant.ErpToWmsInterface.NotWarehouseManagedCount.Should().Be(1);
    }

    [Fact]
    public async Task GoodsReceipt_LotUnknownToTheWmsWithReceivingBin_PutAwayThere()
    {
        using var plant = CreateSut();
        plant.ErpToWmsInterface.ReceiveInto(Plant, Receiving);
        var lot = new LotId("LOT-NEW");

        await plant.ExecuteAsync(Movement(MovementKind.GoodsReceipt, 60) with { Movement = Movement(MovementKind.GoodsReceipt, 60).Movement with { Lot = lot } }, s_ct);

        plant.Wms.QuantityIn(lot, Receiving).Should().Be(60);
        await ShouldAgreeAsync(plant, lot);
    }

    [Fact]
    public async Task GoodsIssue_OfEverything_ThenReversal_PutsTheStockBackIntoTheLastBin()
    {
        using var plant = CreateSut(lot: LotWith(unrestricted: 100));
        var issued = await plant.ExecuteAsync(Movement(MovementKind.GoodsIssue, 100, from: StockCategory.Unrestricted), s_ct);
        plant.Wms.QuantityIn(Lot, Rack).Should().Be(0);

        await plant.ExecuteAsync(new ReverseGoodsMovementRequest { Context = Context(), DocumentNumber = issued.ExternalReference!, Lot = Lot }, s_ct);

        plant.Wms.QuantityIn(Lot, Rack).Should().Be(100);
        await ShouldAgreeAsync(plant, Lot);
    }

    [Fact]
    public async Task RefusedOrRepeatedErpCommand_PassesNothingOn()
    {
        using var plant = CreateSut();
        var command = Change(100, StockCategory.Unrestricted, StockCategory.Blocked, key: "once");

        await plant.ExecuteAsync(command, s_ct);
        var again = await plant.ExecuteAsync(command, s_ct);
        var refused = await plant.ExecuteAsync(Change(10_000, StockCategory.Unrestricted, StockCategory.Blocked), s_ct);

        again.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        refused.IsSuccess.Should().BeFalse();
        plant.ErpToWmsInterface.DeliveredCount.Should().Be(1);
        plant.Wms.GetStock(Lot)!.ToSnapshot().QuantityIn(StockCategory.Blocked).Should().Be(Ea(150));
    }

    [Fact]
    public async Task ConnectErpToWmsOff_WmsKeepsItsOwnStock()
    {
        using var plant = CreateSut(connect: false);

        await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);

        plant.ErpToWmsInterface.IsEnabled.Should().BeFalse();
        plant.Wms.GetStock(Lot)!.ToSnapshot().QuantityIn(StockCategory.QualityInspection).Should().Be(Ea(100));
        plant.Erp.QuantityIn(Lot, StockCategory.QualityInspection).Should().Be(0);
        plant.ErpToWmsInterface.DeliveredCount.Should().Be(0);
    }

    [Fact]
    public async Task IsEnabled_SwitchedOffAndOn_PostingsMeanwhileAreNeverPassedOn()
    {
        using var plant = CreateSut();
        plant.ErpToWmsInterface.IsEnabled = false;
        await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);
        plant.ErpToWmsInterface.IsEnabled = true;

        await plant.ExecuteAsync(Change(20, StockCategory.Blocked, StockCategory.Unrestricted), s_ct);

        var wms = plant.Wms.GetStock(Lot)!.ToSnapshot();
        wms.QuantityIn(StockCategory.QualityInspection).Should().Be(Ea(100));
        wms.QuantityIn(StockCategory.Unrestricted).Should().Be(Ea(520));
    }

    [Fact]
    public async Task LoseNext_OnePosting_TheWmsNeverSeesItAndTheNextOneArrives()
    {
        using var plant = CreateSut();
        plant.ErpToWmsInterface.LoseNext(Lot);

        await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);
        await plant.ExecuteAsync(Change(50, StockCategory.Blocked, StockCategory.Unrestricted), s_ct);

        var lost = plant.ErpToWmsInterface.Lost.Should().ContainSingle().Subject;
        lost.Lot.Should().Be(Lot);
        lost.MovementType.Should().Be("321");
        lost.Lines.Should().BeEquivalentTo(
        [
            new ErpStockPostingLine { Category = StockCategory.Unrestricted, Ownership = StockOwnership.Own, Change = 100 },
            new ErpStockPostingLine { Category = StockCategory.QualityInspection, Ownership = StockOwnership.Own, Change = -100 },
        ]);
        var wms = plant.Wms.GetStock(Lot)!.ToSnapshot();
        wms.QuantityIn(StockCategory.QualityInspection).Should().Be(Ea(100), "the release was lost");
        wms.QuantityIn(StockCategory.Blocked).Should().Be(Ea(0), "the next posting arrived");
        wms.QuantityIn(StockCategory.Unrestricted).Should().Be(Ea(550));
        plant.Erp.QuantityIn(Lot, StockCategory.Unrestricted).Should().Be(650);
    }

    [Fact]
    public async Task LoseNext_OtherLots_StillFollowTheErp()
    {
        using var plant = CreateSut();
        var other = new LotId("LOT-4712");
        plant.AddLot(LotWith(unrestricted: 10, id: other), Rack);
        plant.ErpToWmsInterface.LoseNext(Lot);

        await plant.ExecuteAsync(Change(10, StockCategory.Unrestricted, StockCategory.Blocked) with { Lot = other }, s_ct);

        await ShouldAgreeAsync(plant, other);
        plant.ErpToWmsInterface.Lost.Should().BeEmpty();
    }

    [Fact]
    public async Task LostPosting_ALaterWithdrawalOfTheMissingStock_IsRefusedAsAWholeAndKept()
    {
        using var plant = CreateSut(lot: LotWith(unrestricted: 0, qualityInspection: 100));
        plant.ErpToWmsInterface.LoseNext(Lot);
        await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);

        var issued = await plant.ExecuteAsync(Movement(MovementKind.GoodsIssue, 30, from: StockCategory.Unrestricted), s_ct);

        issued.IsSuccess.Should().BeTrue("the ERP has the stock; only the WMS is behind");
        var refusal = plant.ErpToWmsInterface.Refused.Should().ContainSingle().Subject;
        refusal.Reason.Should().Be(ReasonCodes.InsufficientQuantity);
        refusal.Posting.Lines.Should().ContainSingle().Which.Change.Should().Be(-30);
        plant.Wms.GetStock(Lot)!.ToSnapshot().QuantityIn(StockCategory.QualityInspection).Should().Be(Ea(100), "nothing of the refused posting was applied");
    }

    [Fact]
    public async Task HoldBack_UntilRelease_WmsShowsTheOldStockThenCatchesUpInOrder()
    {
        using var plant = CreateSut();
        plant.ErpToWmsInterface.HoldBack(Lot);
        await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);
        await plant.ExecuteAsync(Movement(MovementKind.GoodsIssue, 550, from: StockCategory.Unrestricted), s_ct);

        var whileHeld = plant.Wms.GetStock(Lot)!.ToSnapshot();
        var held = plant.ErpToWmsInterface.HeldBack;
        var released = plant.ErpToWmsInterface.Release(Lot);

        whileHeld.QuantityIn(StockCategory.QualityInspection).Should().Be(Ea(100));
        whileHeld.QuantityIn(StockCategory.Unrestricted).Should().Be(Ea(500));
        held.Select(p => p.MovementType).Should().Equal("321", "201");
        released.Should().Be(2);
        plant.ErpToWmsInterface.HeldBack.Should().BeEmpty();
        plant.ErpToWmsInterface.Refused.Should().BeEmpty("the issue needs the release delivered before it");
        await ShouldAgreeAsync(plant, Lot);
    }

    [Fact]
    public async Task Release_AfterwardsPostingsFlowAgain()
    {
        using var plant = CreateSut();
        plant.ErpToWmsInterface.HoldBack(Lot);
        plant.ErpToWmsInterface.Release(Lot).Should().Be(0);

        await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);

        await ShouldAgreeAsync(plant, Lot);
    }

    [Fact]
    public async Task HoldBack_ForADuration_ReleasedWhenTheClockHasMovedOn()
    {
        var time = new FakeTimeProvider();
        using var plant = CreateSut(time: time);
        plant.ErpToWmsInterface.HoldBack(Lot, TimeSpan.FromMinutes(5));
        await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);

        time.Advance(TimeSpan.FromMinutes(4));
        var early = plant.Wms.GetStock(Lot)!.ToSnapshot().QuantityIn(StockCategory.Unrestricted);
        time.Advance(TimeSpan.FromMinutes(1));

        early.Should().Be(Ea(500));
        await ShouldAgreeAsync(plant, Lot);
        plant.ErpToWmsInterface.HeldBack.Should().BeEmpty();
    }

    [Fact]
    public async Task ReleaseAll_DeliversEveryLotsHeldPostings()
    {
        using var plant = CreateSut();
        var other = new LotId("LOT-4712");
        plant.AddLot(LotWith(unrestricted: 10, id: other), Rack);
        plant.ErpToWmsInterface.HoldBack(Lot).HoldBack(other);
        await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct);
        await plant.ExecuteAsync(Change(10, StockCategory.Unrestricted, StockCategory.Blocked) with { Lot = other }, s_ct);

        var released = plant.ErpToWmsInterface.ReleaseAll();

        released.Should().Be(2);
        await ShouldAgreeAsync(plant, Lot);
        await ShouldAgreeAsync(plant, other);
    }

    [Fact]
    public void Constructor_ErpAlreadyConnected_Throws()
    {
        using var plant = CreateSut();

        var act = () => new ErpToWmsInterface(plant.Erp, new WmsSimulator());

        act.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void LoseNext_CountBelowOne_Throws()
    {
        using var plant = CreateSut();

        var act = () => plant.ErpToWmsInterface.LoseNext(Lot, 0);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static async Task<AdapterResult> PostAsync(PlantSimulator plant, string posting) => posting switch
    {
        "quality-inspection→unrestricted" => await plant.ExecuteAsync(Change(100, StockCategory.QualityInspection, StockCategory.Unrestricted), s_ct),
        "unrestricted→blocked" => await plant.ExecuteAsync(Change(120, StockCategory.Unrestricted, StockCategory.Blocked), s_ct),
        "blocked→quality-inspection" => await plant.ExecuteAsync(Change(50, StockCategory.Blocked, StockCategory.QualityInspection), s_ct),
        "consumption" => await plant.ExecuteAsync(Movement(MovementKind.Consumption, 70, from: StockCategory.Unrestricted, order: Order), s_ct),
        "goods-issue" => await plant.ExecuteAsync(Movement(MovementKind.GoodsIssue, 70, from: StockCategory.Unrestricted), s_ct),
        "scrap-from-blocked" => await plant.ExecuteAsync(Movement(MovementKind.Scrap, 20, from: StockCategory.Blocked), s_ct),
        "sample-from-quality-inspection" => await plant.ExecuteAsync(Movement(MovementKind.Sample, 5, from: StockCategory.QualityInspection), s_ct),
        "return-to-supplier" => await plant.ExecuteAsync(Movement(MovementKind.ReturnToSupplier, 50, from: StockCategory.Unrestricted), s_ct),
        "count-surplus" => await plant.ExecuteAsync(Movement(MovementKind.CountDifference, 8, from: StockCategory.Unrestricted) with { Movement = Movement(MovementKind.CountDifference, 8, from: StockCategory.Unrestricted).Movement with { IsIncrease = true } }, s_ct),
        "count-shortage" => await plant.ExecuteAsync(Movement(MovementKind.CountDifference, 8, from: StockCategory.QualityInspection), s_ct),
        "count-adjustment" => await plant.ExecuteAsync(new PostCountAdjustmentRequest { Context = Context(), Count = new CycleCountId("CC-1"), Lot = Lot, Material = Capacitor, Site = Plant, Difference = Ea(7), IsIncrease = false }, s_ct),
        "plant-transfer-out" => await plant.ExecuteAsync(Movement(MovementKind.PlantTransferOut, 90, from: StockCategory.Unrestricted), s_ct),
        "goods-receipt" => await plant.ExecuteAsync(Movement(MovementKind.GoodsReceipt, 60), s_ct),
        "batch-restricted" => await plant.ExecuteAsync(new SetBatchStatusRequest { Context = Context(), Lot = Lot, IsRestrictedBatch = true }, s_ct),
        _ => throw new ArgumentOutOfRangeException(nameof(posting), posting, null),
    };

    private static async Task ShouldAgreeAsync(PlantSimulator plant, LotId lot)
    {
        var erp = (await plant.Erp.GetStockAsync(lot, s_ct))!;
        var wms = (await plant.Wms.GetStockAsync(lot, s_ct))!.ToSnapshot();
        var slots = erp.Buckets.Concat(wms.Buckets).Select(b => (b.Category, b.Ownership)).Distinct().ToArray();
        slots.Should().NotBeEmpty();
        foreach (var (category, ownership) in slots)
        {
            wms.QuantityIn(category, ownership).Should().Be(erp.QuantityIn(category, ownership), $"the WMS follows the ERP in {category}/{ownership}");
        }
    }
}
