using System.Text.Json.Serialization;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Operations;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Operations;

public class CommandCorrectionsTests
{
    private static readonly CommandContext Context = new() { IdempotencyKey = "mo1-0001", CorrelationId = "c-1", Site = new SiteId("P1") };

    private static readonly ChangeStockCategoryRequest Quarantine = new()
    {
        Context = Context,
        Lot = new LotId("L-1"),
        Material = new MaterialId("M-1"),
        Site = new SiteId("P1"),
        Quantity = Quantity.Each(100),
        FromCategory = StockCategory.Unrestricted,
        ToCategory = StockCategory.Blocked,
        Location = new StorageLocationId("0001"),
    };

    [Fact]
    public void TheSameCommandUnderAnotherContext_ChangesNothing() =>
        CommandCorrections.FirstForbiddenChange(Quarantine, Quarantine with { Context = Context with { IdempotencyKey = "mo1-0002", Site = new SiteId("P2") } }).Should().BeNull();

    [Fact]
    public void ACorrectableProperty_MayChange() =>
        CommandCorrections.FirstForbiddenChange(Quarantine, Quarantine with { Location = new StorageLocationId("0002") }).Should().BeNull();

    [Fact]
    public void TheDecidedCategory_MayNotChange() =>
        CommandCorrections.FirstForbiddenChange(Quarantine, Quarantine with { ToCategory = StockCategory.Unrestricted }).Should().Be("ChangeStockCategoryRequest.ToCategory");

    [Theory]
    [InlineData("Lot")]
    [InlineData("Site")]
    [InlineData("Quantity")]
    public void WhatTheCommandActsOn_MayNotChange(string property)
    {
        var edited = property switch
        {
            "Lot" => Quarantine with { Lot = new LotId("L-2") },
            "Site" => Quarantine with { Site = new SiteId("P2") },
            _ => Quarantine with { Quantity = Quantity.Each(1000) },
        };

        CommandCorrections.FirstForbiddenChange(Quarantine, edited).Should().Be("ChangeStockCategoryRequest." + property);
    }

    [Fact]
    public void AValueSetWhereThePlanHadNone_IsAChange() =>
        CommandCorrections.FirstForbiddenChange(Quarantine, Quarantine with { InspectionLot = new InspectionLotId("IL-1") }).Should().Be("ChangeStockCategoryRequest.InspectionLot");

    [Fact]
    public void ARecordTheCommandCarries_IsComparedMemberByMember()
    {
        var post = new PostGoodsMovementRequest
        {
            Context = Context,
            Movement = new GoodsMovement
            {
                Kind = MovementKind.CategoryTransfer,
                Lot = new LotId("L-1"),
                Material = new MaterialId("M-1"),
                Site = new SiteId("P1"),
                Quantity = Quantity.Each(100),
                FromCategory = StockCategory.Blocked,
                ToCategory = StockCategory.QualityInspection,
            },
        };

        CommandCorrections.FirstForbiddenChange(post, post with { Movement = post.Movement with { ToCategory = StockCategory.Unrestricted } })
            .Should().Be("PostGoodsMovementRequest.Movement.ToCategory");
        CommandCorrections.FirstForbiddenChange(post, post with { Movement = post.Movement with { } }).Should().BeNull();
    }

    [Fact]
    public void Lists_AreComparedElementByElementNotByReference()
    {
        var open = new OpenNonconformanceRequest
        {
            Context = Context,
            Problem = "cracked housing",
            Site = new SiteId("P1"),
            Lots = [new LotId("L-1"), new LotId("L-2")],
        };

        CommandCorrections.FirstForbiddenChange(open, open with { Lots = [new LotId("L-1"), new LotId("L-2")], Problem = "cracked housing, lot 2 too" }).Should().BeNull();
        CommandCorrections.FirstForbiddenChange(open, open with { Lots = [new LotId("L-1"), new LotId("L-3")] }).Should().Be("OpenNonconformanceRequest.Lots[1]");
        CommandCorrections.FirstForbiddenChange(open, open with { Lots = [new LotId("L-1")] }).Should().Be("OpenNonconformanceRequest.Lots");
        CommandCorrections.FirstForbiddenChange(open, open with { Evidence = [new EvidenceReference { Location = new Uri("https://qms.example/p/1") }] }).Should().BeNull();
    }

    [Fact]
    public void ACommandTypeOfYourOwn_IsCorrectableWhereItSaysSo()
    {
        var planned = new LabelReprintRequest { Context = Context, Lot = new LotId("L-1"), Printer = "PR-01", Copies = 2 };

        CommandCorrections.FirstForbiddenChange(planned, planned with { Printer = "PR-02" }).Should().BeNull();
        CommandCorrections.FirstForbiddenChange(planned, planned with { Copies = 20 }).Should().Be("LabelReprintRequest.Copies");
    }

    [Fact]
    public void AText_ThatIsNotCorrectable_IsOneChange()
    {
        var reverse = new ReverseGoodsMovementRequest { Context = Context, DocumentNumber = "4900000123", Lot = new LotId("L-1") };

        CommandCorrections.FirstForbiddenChange(reverse, reverse with { DocumentNumber = "4900000124" }).Should().Be("ReverseGoodsMovementRequest.DocumentNumber");
    }

    [Fact]
    public void WhatACommandIsNotSerializedWith_IsNotCompared()
    {
        // The planned command is read back from its stored JSON: a property left out of it is never the planned one's.
        var planned = new LabelReprintRequest { Context = Context, Lot = new LotId("L-1"), Printer = "PR-01" };

        CommandCorrections.FirstForbiddenChange(planned, planned with { RenderedPreview = "ZPL…" }).Should().BeNull();
    }

    [Fact]
    public void ACommandOfAnotherType_IsAChangeOfTheWhole() =>
        CommandCorrections.FirstForbiddenChange(Quarantine, new PlaceShipmentHoldRequest { Context = Context, Lot = new LotId("L-1") }).Should().Be("ChangeStockCategoryRequest");

    private sealed record LabelReprintRequest : AdapterCommand
    {
        public override string Kind => "mes.label-reprint";

        public required LotId Lot { get; init; }

        [OperatorCorrectable]
        public required string Printer { get; init; }

        public int Copies { get; init; }

        [JsonIgnore]
        public string? RenderedPreview { get; init; }
    }
}
