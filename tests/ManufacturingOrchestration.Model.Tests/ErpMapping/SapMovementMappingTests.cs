using ManufacturingOrchestration.Model.ErpMapping;

namespace ManufacturingOrchestration.Model.Tests.ErpMapping;

public sealed class SapMovementMappingTests
{
    private const StockCategory U = StockCategory.Unrestricted;
    private const StockCategory QI = StockCategory.QualityInspection;
    private const StockCategory B = StockCategory.Blocked;
    private const StockCategory RU = StockCategory.RestrictedUse;

    private static GoodsMovement Movement(MovementKind kind, StockCategory? from, StockCategory? to, bool increase = false) => new()
    {
        Kind = kind,
        Lot = new LotId("LOT-1"),
        Material = new MaterialId("CAP-100"),
        Site = new SiteId("PLANT-1"),
        Quantity = Quantity.Each(1),
        FromCategory = from,
        ToCategory = to,
        IsIncrease = increase,
    };

    public static TheoryData<MovementKind, StockCategory?, StockCategory?, bool, string> Forward => new()
    {
        { MovementKind.GoodsReceipt, null, U, false, "101" },
        { MovementKind.GoodsReceipt, null, QI, false, "101" },
        { MovementKind.CategoryTransfer, QI, U, false, "321" },
        { MovementKind.CategoryTransfer, QI, RU, false, "321" },
        { MovementKind.CategoryTransfer, U, QI, false, "322" },
        { MovementKind.CategoryTransfer, QI, B, false, "350" },
        { MovementKind.CategoryTransfer, B, QI, false, "349" },
        { MovementKind.CategoryTransfer, B, U, false, "343" },
        { MovementKind.CategoryTransfer, U, B, false, "344" },
        { MovementKind.CategoryTransfer, U, RU, false, "341" },
        { MovementKind.CategoryTransfer, RU, U, false, "342" },
        { MovementKind.LocationTransfer, U, null, false, "311" },
        { MovementKind.LocationTransfer, QI, null, false, "323" },
        { MovementKind.LocationTransfer, B, null, false, "325" },
        { MovementKind.Consumption, U, null, false, "261" },
        { MovementKind.PlantTransferOut, U, null, false, "351" },
        { MovementKind.PlantTransferIn, StockCategory.InTransit, U, false, "101" },
        { MovementKind.Scrap, U, null, false, "551" },
        { MovementKind.Scrap, QI, null, false, "553" },
        { MovementKind.Scrap, B, null, false, "555" },
        { MovementKind.Sample, QI, null, false, "331" },
        { MovementKind.CountDifference, U, null, true, "701" },
        { MovementKind.CountDifference, U, null, false, "702" },
        { MovementKind.CountDifference, QI, null, true, "703" },
        { MovementKind.CountDifference, QI, null, false, "704" },
        { MovementKind.CountDifference, B, null, true, "707" },
        { MovementKind.CountDifference, B, null, false, "708" },
    };

    [Theory]
    [MemberData(nameof(Forward))]
    public void TryGetPosting_ForwardMovement_UsesTheTable(MovementKind kind, StockCategory? from, StockCategory? to, bool increase, string expected)
    {
        SapMovementMapping.TryGetPosting(Movement(kind, from, to, increase), out var posting).Should().BeTrue();

        posting.MovementType.Should().Be(expected);
        posting.IsReversal.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(Forward))]
    public void TryGetPosting_Reversal_PostsTheOtherTypeOfThePair(MovementKind kind, StockCategory? from, StockCategory? to, bool increase, string forward)
    {
        SapMovementMapping.TryGetPosting(Movement(kind, from, to, increase) with { ReversalOf = "4900000001" }, out var posting).Should().BeTrue();

        SapMovementTypes.TryGetReversal(forward, out var expected).Should().BeTrue();
        posting.MovementType.Should().Be(expected);
        posting.IsReversal.Should().BeTrue();
    }

    [Fact]
    public void TryGetPosting_VendorConsignment_CarriesSpecialStockK()
    {
        var receipt = Movement(MovementKind.GoodsReceipt, null, U) with { ToOwnership = StockOwnership.VendorConsignment };
        var toOwn = Movement(MovementKind.ConsignmentToOwn, U, null) with { FromOwnership = StockOwnership.VendorConsignment };

        SapMovementMapping.TryGetPosting(receipt, out var received).Should().BeTrue();
        SapMovementMapping.TryGetPosting(toOwn, out var owned).Should().BeTrue();

        received.ToString().Should().Be("101 K");
        owned.ToString().Should().Be("411 K");
    }

    [Theory]
    [InlineData(MovementKind.CategoryTransfer, StockCategory.RestrictedUse, StockCategory.Blocked)]
    [InlineData(MovementKind.CategoryTransfer, StockCategory.Unrestricted, null)]
    [InlineData(MovementKind.Consumption, StockCategory.Blocked, null)]
    public void TryGetPosting_ShapeSapHasNoTypeFor_IsNotMapped(MovementKind kind, StockCategory? from, StockCategory? to)
    {
        SapMovementMapping.TryGetPosting(Movement(kind, from, to), out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("553", null, MovementKind.Scrap, StockCategory.QualityInspection, null, false)]
    [InlineData("350", null, MovementKind.CategoryTransfer, StockCategory.QualityInspection, StockCategory.Blocked, false)]
    [InlineData("101", StockCategory.Blocked, MovementKind.GoodsReceipt, null, StockCategory.Blocked, false)]
    [InlineData("101", null, MovementKind.GoodsReceipt, null, StockCategory.Unrestricted, false)]
    [InlineData("551", StockCategory.RestrictedUse, MovementKind.Scrap, StockCategory.RestrictedUse, null, false)]
    [InlineData("262", null, MovementKind.Consumption, StockCategory.Unrestricted, null, true)]
    [InlineData("556", null, MovementKind.Scrap, StockCategory.Blocked, null, true)]
    public void TryGetCanonical_KnownType_ReadsTheShape(string type, StockCategory? stock, MovementKind kind, StockCategory? from, StockCategory? to, bool isReversal)
    {
        SapMovementMapping.TryGetCanonical(type, stock, out var canonical, out var reversal).Should().BeTrue();

        canonical.Kind.Should().Be(kind);
        canonical.FromCategory.Should().Be(from);
        canonical.ToCategory.Should().Be(to);
        reversal.Should().Be(isReversal);
    }

    [Fact]
    public void TryGetCanonical_UnknownType_IsFalse()
    {
        SapMovementMapping.TryGetCanonical("999", null, out _, out _).Should().BeFalse();
    }

    [Fact]
    public void Rows_UseOnlyTypesFromThePairTable()
    {
        SapMovementMapping.Rows.Select(r => SapMovementTypes.TryGetPair(r.MovementType, out var pair) && pair.Forward == r.MovementType || SapMovementTypes.IsReversalType(r.MovementType)).Should().OnlyContain(known => known);
    }
}
