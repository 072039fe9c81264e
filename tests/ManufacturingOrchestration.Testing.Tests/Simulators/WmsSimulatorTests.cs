using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using Microsoft.Extensions.Time.Testing;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

public sealed class WmsSimulatorTests
{
    private static readonly CancellationToken s_ct = CancellationToken.None;

    private static WmsSimulator CreateSut()
    {
        var wms = new WmsSimulator(new SimulatorOptions { TimeProvider = new FakeTimeProvider() });
        wms.AddBin(Hold, isHoldLocation: true);
        wms.AddStock(Lot, Rack, Ea(500));
        return wms;
    }

    [Fact]
    public async Task CreateMoveTaskAsync_ToHoldLocation_CompletesIntoHoldLocation()
    {
        var wms = CreateSut();

        var result = await wms.CreateMoveTaskAsync(new CreateMoveTaskRequest { Context = Context(), Lot = Lot, Site = Plant, ToBin = Hold, TargetCategory = StockCategory.Blocked }, s_ct);

        result.IsSuccess.Should().BeTrue();
        wms.QuantityIn(Lot, Hold).Should().Be(500);
        wms.QuantityIn(Lot, Rack).Should().Be(0);
        wms.GetStock(Lot)!.ToSnapshot().QuantityIn(StockCategory.Blocked).Value.Should().Be(500);
        wms.MoveTasks.Should().ContainSingle().Which.Status.Should().Be(WarehouseTaskStatus.Completed);
    }

    [Fact]
    public async Task CreateMoveTaskAsync_WithSourceCategory_TakesOnlyThatCategory()
    {
        var wms = CreateSut();
        wms.AddStock(Lot, Rack, Ea(40), StockCategory.QualityInspection);

        var result = await wms.CreateMoveTaskAsync(new CreateMoveTaskRequest { Context = Context(), Lot = Lot, Site = Plant, ToBin = Hold, Quantity = Ea(30), SourceCategory = StockCategory.QualityInspection, TargetCategory = StockCategory.Blocked }, s_ct);
        var tooMuch = await wms.CreateMoveTaskAsync(new CreateMoveTaskRequest { Context = Context(), Lot = Lot, Site = Plant, ToBin = Hold, Quantity = Ea(11), SourceCategory = StockCategory.QualityInspection }, s_ct);

        result.IsSuccess.Should().BeTrue();
        tooMuch.IsSuccess.Should().BeFalse();
        tooMuch.Reason.Should().Be(ReasonCodes.InsufficientQuantity);
        var snapshot = wms.GetStock(Lot)!.ToSnapshot();
        snapshot.QuantityIn(StockCategory.Blocked).Value.Should().Be(30);
        snapshot.QuantityIn(StockCategory.QualityInspection).Value.Should().Be(10);
        snapshot.QuantityIn(StockCategory.Unrestricted).Value.Should().Be(500);
        wms.QuantityIn(Lot, Hold).Should().Be(30);
    }

    [Fact]
    public async Task CompleteMoveTask_WhenNotAutoCompleted_MovesStockOnlyOnCompletion()
    {
        var wms = CreateSut();
        wms.AutoCompleteMoveTasks = false;

        var result = await wms.CreateMoveTaskAsync(new CreateMoveTaskRequest { Context = Context(), Lot = Lot, Site = Plant, ToBin = Hold, Quantity = Ea(200) }, s_ct);
        var beforeCompletion = wms.QuantityIn(Lot, Hold);
        var completion = wms.CompleteMoveTask(result.ExternalReference!);

        beforeCompletion.Should().Be(0);
        completion.IsSuccess.Should().BeTrue();
        wms.QuantityIn(Lot, Hold).Should().Be(200);
        wms.QuantityIn(Lot, Rack).Should().Be(300);
    }

    [Fact]
    public async Task TryPick_FromLocationOnHold_IsRefused()
    {
        var wms = CreateSut();
        await wms.PlaceHoldAsync(new PlaceHoldRequest { Context = Context(), Scope = WmsHoldScope.Location, Site = Plant, Bin = Rack }, s_ct);

        var refused = wms.TryPick(Lot, Rack, 10);
        await wms.ReleaseHoldAsync(new ReleaseHoldRequest { Context = Context(), Scope = WmsHoldScope.Location, Site = Plant, Bin = Rack }, s_ct);
        var allowed = wms.TryPick(Lot, Rack, 10);

        refused.Reason.Should().Be(ReasonCodes.LocationOnHold);
        allowed.IsSuccess.Should().BeTrue();
        wms.QuantityIn(Lot, Rack).Should().Be(490);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(0)]
    public void TryPick_NonPositiveQuantity_IsRefusedAndLeavesTheStock(int quantity)
    {
        var wms = CreateSut();
        var before = wms.QuantityIn(Lot, Rack);

        var result = wms.TryPick(Lot, Rack, quantity);

        result.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        result.Reason.Should().Be(ReasonCodes.NonPositiveQuantity);
        wms.QuantityIn(Lot, Rack).Should().Be(before);
    }

    [Fact]
    public void CompletePickTask_NonPositiveQuantity_IsRefusedAndLeavesTheStock()
    {
        var wms = CreateSut();
        var before = wms.QuantityIn(Lot, Rack);
        var pick = wms.AddPickTask(Lot, Rack, -5);

        var result = wms.CompletePickTask(pick);

        result.Reason.Should().Be(ReasonCodes.NonPositiveQuantity);
        wms.QuantityIn(Lot, Rack).Should().Be(before);
    }

    [Fact]
    public async Task TryPick_LotOnHold_IsRefused()
    {
        var wms = CreateSut();
        await wms.PlaceHoldAsync(new PlaceHoldRequest { Context = Context(), Scope = WmsHoldScope.Lot, Site = Plant, Lot = Lot }, s_ct);

        wms.TryPick(Lot, Rack, 10).Reason.Should().Be(ReasonCodes.LotOnHold);
        wms.IsLotOnHold(Lot).Should().BeTrue();
    }

    [Fact]
    public async Task PausePicksAsync_PausedPicksStayPausedUntilResumed()
    {
        var wms = CreateSut();
        var pick = wms.AddPickTask(Lot, Rack, 25);

        await wms.PausePicksAsync(new PausePicksRequest { Context = Context(), Lot = Lot, Site = Plant }, s_ct);
        var newPick = wms.AddPickTask(Lot, Rack, 5);
        var whilePaused = wms.CompletePickTask(pick);
        await wms.CreateMoveTaskAsync(new CreateMoveTaskRequest { Context = Context(), Lot = Lot, Site = Plant, ToBin = Hold, Quantity = Ea(10) }, s_ct);
        var stillPaused = wms.PickTasks.All(p => p.Status == WarehouseTaskStatus.Paused);
        await wms.ResumePicksAsync(new ResumePicksRequest { Context = Context(), Lot = Lot, Site = Plant }, s_ct);
        var afterResume = wms.CompletePickTask(pick);

        whilePaused.Reason.Should().Be(ReasonCodes.PicksPaused);
        wms.TryPick(Lot, Rack, 1).IsSuccess.Should().BeTrue();
        stillPaused.Should().BeTrue();
        afterResume.IsSuccess.Should().BeTrue();
        wms.PickTasks.Single(p => p.Id == newPick).Status.Should().Be(WarehouseTaskStatus.Open);
    }

    [Fact]
    public async Task CreateMoveTaskAsync_UnknownBin_IsRefused()
    {
        var wms = CreateSut();

        var result = await wms.CreateMoveTaskAsync(new CreateMoveTaskRequest { Context = Context(), Lot = Lot, Site = Plant, ToBin = new BinId("NOWHERE") }, s_ct);

        result.Reason.Should().Be(ReasonCodes.ReferenceUnknown);
        wms.QuantityIn(Lot, Rack).Should().Be(500);
    }
}
