using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.Tests.Adapters;

public sealed class SapMovementTypesTests
{
    private const StockCategory U = StockCategory.Unrestricted;
    private const StockCategory QI = StockCategory.QualityInspection;
    private const StockCategory B = StockCategory.Blocked;
    private const StockCategory RU = StockCategory.RestrictedUse;
    private const StockCategory T = StockCategory.InTransit;

    public static TheoryData<MovementKind, StockCategory?, StockCategory?, bool, string, string> WellKnown => new()
    {
        { MovementKind.GoodsReceipt, null, U, false, "101", "102" },
        { MovementKind.GoodsReceipt, null, QI, false, "101", "102" },
        { MovementKind.GoodsReceipt, null, B, false, "101", "102" },
        { MovementKind.PlantTransferIn, T, U, false, "101", "102" },
        { MovementKind.PlantTransferOut, U, null, false, "351", "352" },
        { MovementKind.ReturnToSupplier, U, null, false, "122", "123" },
        { MovementKind.ReturnToSupplier, RU, null, false, "122", "123" },
        { MovementKind.ReturnToSupplier, QI, null, false, "122", "123" },
        { MovementKind.ReturnToSupplier, B, null, false, "122", "123" },
        { MovementKind.GoodsIssue, U, null, false, "201", "202" },
        { MovementKind.Consumption, U, null, false, "261", "262" },
        { MovementKind.LocationTransfer, U, null, false, "311", "312" },
        { MovementKind.LocationTransfer, RU, null, false, "311", "312" },
        { MovementKind.LocationTransfer, QI, null, false, "323", "324" },
        { MovementKind.LocationTransfer, B, null, false, "325", "326" },
        { MovementKind.CategoryTransfer, QI, U, false, "321", "322" },
        { MovementKind.CategoryTransfer, QI, RU, false, "321", "322" },
        { MovementKind.CategoryTransfer, U, QI, false, "322", "321" },
        { MovementKind.CategoryTransfer, U, RU, false, "341", "342" },
        { MovementKind.CategoryTransfer, RU, U, false, "342", "341" },
        { MovementKind.CategoryTransfer, B, U, false, "343", "344" },
        { MovementKind.CategoryTransfer, U, B, false, "344", "343" },
        { MovementKind.CategoryTransfer, B, QI, false, "349", "350" },
        { MovementKind.CategoryTransfer, QI, B, false, "350", "349" },
        { MovementKind.Sample, QI, null, false, "331", "332" },
        { MovementKind.Sample, U, null, false, "333", "334" },
        { MovementKind.Sample, RU, null, false, "333", "334" },
        { MovementKind.Sample, B, null, false, "335", "336" },
        { MovementKind.Scrap, U, null, false, "551", "552" },
        { MovementKind.Scrap, RU, null, false, "551", "552" },
        { MovementKind.Scrap, QI, null, false, "553", "554" },
        { MovementKind.Scrap, B, null, false, "555", "556" },
        { MovementKind.CountDifference, U, null, true, "701", "702" },
        { MovementKind.CountDifference, U, null, false, "702", "701" },
        { MovementKind.CountDifference, RU, null, true, "701", "702" },
        { MovementKind.CountDifference, RU, null, false, "702", "701" },
        { MovementKind.CountDifference, QI, null, true, "703", "704" },
        { MovementKind.CountDifference, QI, null, false, "704", "703" },
        { MovementKind.CountDifference, B, null, true, "707", "708" },
        { MovementKind.CountDifference, B, null, false, "708", "707" },
    };

    [Theory]
    [MemberData(nameof(WellKnown))]
    public void TryGetPosting_WellKnownMovement_PostsItsType(MovementKind kind, StockCategory? from, StockCategory? to, bool increase, string expected, string reversal)
    {
        SapMovementTypes.TryGetPosting(Movement(kind, from, to, increase), out var posting).Should().BeTrue();

        posting.MovementType.Should().Be(expected);
        posting.SpecialStockIndicator.Should().BeNull();
        posting.IsReversal.Should().BeFalse();
        SapMovementTypes.TryGetReversal(expected, out var reversed).Should().BeTrue();
        reversed.Should().Be(reversal);
    }

    [Theory]
    [MemberData(nameof(WellKnown))]
    public void TryGetPosting_Reversal_PostsTheReversalType(MovementKind kind, StockCategory? from, StockCategory? to, bool increase, string forward, string expected)
    {
        SapMovementTypes.TryGetPosting(Movement(kind, from, to, increase) with { ReversalOf = "4900000001" }, out var posting).Should().BeTrue();

        posting.MovementType.Should().Be(expected);
        posting.IsReversal.Should().BeTrue();
        SapMovementTypes.TryGetReversal(expected, out var reversed).Should().BeTrue();
        reversed.Should().Be(forward);
    }

    [Fact]
    public void TryGetPosting_VendorConsignment_CarriesSpecialStockK()
    {
        var receipt = Movement(MovementKind.GoodsReceipt, null, U) with { ToOwnership = StockOwnership.VendorConsignment };
        var toOwn = Movement(MovementKind.ConsignmentToOwn, U, null) with { FromOwnership = StockOwnership.VendorConsignment };

        SapMovementTypes.TryGetPosting(receipt, out var received).Should().BeTrue();
        SapMovementTypes.TryGetPosting(toOwn, out var owned).Should().BeTrue();

        received.ToString().Should().Be("101 K");
        owned.ToString().Should().Be("411 K");
    }

    [Theory]
    [InlineData(MovementKind.CategoryTransfer, StockCategory.RestrictedUse, StockCategory.Blocked)]
    [InlineData(MovementKind.CategoryTransfer, StockCategory.Unrestricted, null)]
    [InlineData(MovementKind.Consumption, StockCategory.Blocked, null)]
    [InlineData(MovementKind.Consumption, StockCategory.RestrictedUse, null)]
    [InlineData(MovementKind.GoodsIssue, StockCategory.QualityInspection, null)]
    [InlineData(MovementKind.PlantTransferOut, StockCategory.QualityInspection, null)]
    [InlineData(MovementKind.ReturnToSupplier, StockCategory.InTransit, null)]
    [InlineData(MovementKind.GoodsReceipt, null, StockCategory.RestrictedUse)]
    public void TryGetPosting_ShapeSapHasNoTypeFor_IsNotMapped(MovementKind kind, StockCategory? from, StockCategory? to)
    {
        SapMovementTypes.TryGetPosting(Movement(kind, from, to), out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("101", StockCategory.Blocked, MovementKind.GoodsReceipt, null, StockCategory.Blocked, false)]
    [InlineData("101", null, MovementKind.GoodsReceipt, null, StockCategory.Unrestricted, false)]
    [InlineData("102", StockCategory.QualityInspection, MovementKind.GoodsReceipt, null, StockCategory.QualityInspection, true)]
    [InlineData("122", null, MovementKind.ReturnToSupplier, StockCategory.Unrestricted, null, false)]
    [InlineData("122", StockCategory.Blocked, MovementKind.ReturnToSupplier, StockCategory.Blocked, null, false)]
    [InlineData("123", StockCategory.QualityInspection, MovementKind.ReturnToSupplier, StockCategory.QualityInspection, null, true)]
    [InlineData("262", null, MovementKind.Consumption, StockCategory.Unrestricted, null, true)]
    [InlineData("311", null, MovementKind.LocationTransfer, StockCategory.Unrestricted, StockCategory.Unrestricted, false)]
    [InlineData("321", null, MovementKind.CategoryTransfer, StockCategory.QualityInspection, StockCategory.Unrestricted, false)]
    [InlineData("343", null, MovementKind.CategoryTransfer, StockCategory.Blocked, StockCategory.Unrestricted, false)]
    [InlineData("344", null, MovementKind.CategoryTransfer, StockCategory.Unrestricted, StockCategory.Blocked, false)]
    [InlineData("350", null, MovementKind.CategoryTransfer, StockCategory.QualityInspection, StockCategory.Blocked, false)]
    [InlineData("351", null, MovementKind.PlantTransferOut, StockCategory.Unrestricted, StockCategory.InTransit, false)]
    [InlineData("352", null, MovementKind.PlantTransferOut, StockCategory.Unrestricted, StockCategory.InTransit, true)]
    [InlineData("411", null, MovementKind.ConsignmentToOwn, StockCategory.Unrestricted, StockCategory.Unrestricted, false)]
    [InlineData("551", StockCategory.RestrictedUse, MovementKind.Scrap, StockCategory.RestrictedUse, null, false)]
    [InlineData("553", null, MovementKind.Scrap, StockCategory.QualityInspection, null, false)]
    [InlineData("556", null, MovementKind.Scrap, StockCategory.Blocked, null, true)]
    [InlineData("701", null, MovementKind.CountDifference, null, StockCategory.Unrestricted, false)]
    [InlineData("702", null, MovementKind.CountDifference, StockCategory.Unrestricted, null, false)]
    [InlineData("703", null, MovementKind.CountDifference, null, StockCategory.QualityInspection, false)]
    [InlineData("707", StockCategory.Blocked, MovementKind.CountDifference, null, StockCategory.Blocked, false)]
    public void TryGetCanonical_WellKnownType_ReadsTheShape(string type, StockCategory? stock, MovementKind kind, StockCategory? from, StockCategory? to, bool isReversal)
    {
        SapMovementTypes.TryGetCanonical(type, stock, out var canonical, out var reversal).Should().BeTrue();

        canonical.Kind.Should().Be(kind);
        canonical.FromCategory.Should().Be(from);
        canonical.ToCategory.Should().Be(to);
        reversal.Should().Be(isReversal);
    }

    [Theory]
    [InlineData("999")]
    [InlineData("301")]
    [InlineData("309")]
    public void TryGetCanonical_TypeNotInTheTable_IsFalse(string type)
    {
        SapMovementTypes.TryGetCanonical(type, null, out _, out _).Should().BeFalse();
        SapMovementTypes.TryGetReversal(type, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("101", "102")]
    [InlineData("102", "101")]
    [InlineData("551", "552")]
    [InlineData("702", "701")]
    [InlineData("350", "349")]
    public void TryGetReversal_TypeInTheTable_IsTheOtherTypeOfThePair(string type, string expected)
    {
        SapMovementTypes.TryGetReversal(type, out var reversal).Should().BeTrue();

        reversal.Should().Be(expected);
    }

    [Fact]
    public void Rows_EveryRow_RoundTripsThroughItsPosting()
    {
        foreach (var row in SapMovementTypes.Rows)
        {
            var shape = row.Canonical;
            var movement = Movement(shape.Kind, shape.FromCategory, shape.ToCategory, shape.IsIncrease) with
            {
                FromOwnership = shape.IsVendorConsignment && shape.Kind == MovementKind.ConsignmentToOwn ? StockOwnership.VendorConsignment : StockOwnership.Own,
                ToOwnership = shape.IsVendorConsignment && shape.Kind == MovementKind.GoodsReceipt ? StockOwnership.VendorConsignment : StockOwnership.Own,
            };
            SapMovementTypes.TryGetPosting(movement, out var posting).Should().BeTrue(row.ToString());
            posting.MovementType.Should().Be(row.MovementType, row.ToString());
            posting.SpecialStockIndicator.Should().Be(shape.IsVendorConsignment ? "K" : null, row.ToString());

            var named = shape.Kind is MovementKind.GoodsReceipt or MovementKind.PlantTransferIn || shape.IsIncrease ? shape.ToCategory : shape.FromCategory;
            SapMovementTypes.TryGetCanonical(posting.MovementType, named, out var read, out var isReversal).Should().BeTrue(row.ToString());
            isReversal.Should().BeFalse(row.ToString());
            read.Should().Be(ReadBack(shape), row.ToString());

            SapMovementTypes.TryGetReversal(row.MovementType, out var reversal).Should().BeTrue(row.ToString());
            reversal.Should().Be(row.ReversalType, row.ToString());
            SapMovementTypes.TryGetReversal(row.ReversalType, out var back).Should().BeTrue(row.ToString());
            back.Should().Be(row.MovementType, row.ToString());
        }
    }

    [Fact]
    public void TryGetCanonical_RestrictedBatchRelease_ReadsAsTheDefaultRelease()
    {
        // 321 posts both QI → unrestricted and, for a restricted batch, QI → restricted-use: SAP's batch status, not the
        // movement type, tells them apart, so the type alone reads as the first row.
        SapMovementTypes.TryGetCanonical("321", StockCategory.QualityInspection, out var canonical, out _).Should().BeTrue();

        canonical.Should().Be(new CanonicalMovementType { Kind = MovementKind.CategoryTransfer, FromCategory = QI, ToCategory = U });
    }

    [Theory]
    [InlineData(StockCategory.QualityInspection, StockCategory.Unrestricted, "321")]
    [InlineData(StockCategory.Blocked, StockCategory.Unrestricted, "343")]
    [InlineData(StockCategory.QualityInspection, StockCategory.Blocked, "350")]
    [InlineData(StockCategory.Unrestricted, StockCategory.Unrestricted, null)]
    [InlineData(StockCategory.RestrictedUse, StockCategory.Blocked, null)]
    public void ForCategoryChange_Change_IsTheTablesType(StockCategory from, StockCategory to, string? expected)
    {
        SapMovementTypes.ForCategoryChange(from, to).Should().Be(expected);
    }

    [Theory]
    [InlineData(StockCategory.Unrestricted, true, "701")]
    [InlineData(StockCategory.RestrictedUse, false, "702")]
    [InlineData(StockCategory.QualityInspection, true, "703")]
    [InlineData(StockCategory.Blocked, false, "708")]
    [InlineData(StockCategory.InTransit, true, null)]
    public void ForCountDifference_CategoryAndSign_IsTheTablesType(StockCategory category, bool isIncrease, string? expected)
    {
        SapMovementTypes.ForCountDifference(category, isIncrease).Should().Be(expected);
    }

    /// <summary>
    /// What a posting reads back as from its type and stock category alone. Three postings share their type with
    /// another row and read as it: a receipt from stock in transit (101) as a goods receipt — the stock transport order
    /// tells them apart; a restricted batch's release (321 into restricted-use) as a release to unrestricted — the
    /// batch status tells them apart; a vendor-consignment receipt (101 K) as an own-stock receipt — the special stock
    /// indicator tells them apart.
    /// </summary>
    private static CanonicalMovementType ReadBack(CanonicalMovementType shape) => shape switch
    {
        // 101 after 351 is the same type as a goods receipt; 305 places stock in transfer and reads as itself.
        { Kind: MovementKind.PlantTransferIn, FromCategory: StockCategory.InTransit } => shape with { Kind = MovementKind.GoodsReceipt, FromCategory = null },
        { Kind: MovementKind.CategoryTransfer, FromCategory: QI, ToCategory: RU } => shape with { ToCategory = U },
        { Kind: MovementKind.GoodsReceipt, IsVendorConsignment: true } => shape with { IsVendorConsignment = false },
        _ => shape,
    };

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
}
