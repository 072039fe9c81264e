namespace ManufacturingOrchestration.Model.Tests.Inventory;

public class MaterialLotTests
{
    private static MaterialLot CreateSut() => new()
    {
        Id = new LotId("CAP-1"),
        Material = new MaterialId("CAP-100UF"),
        Site = new SiteId("plant-1"),
        Unit = UnitOfMeasure.Each,
        Buckets =
        [
            new StockBucket { Category = StockCategory.Unrestricted, Quantity = Quantity.Each(60) },
            new StockBucket { Category = StockCategory.Unrestricted, Ownership = StockOwnership.VendorConsignment, Quantity = Quantity.Each(15) },
            new StockBucket { Category = StockCategory.Blocked, Quantity = Quantity.Each(25) },
        ],
        ExpiryDate = new DateOnly(2026, 6, 30),
    };

    [Fact]
    public void TotalQuantity_SumsEveryBucket()
    {
        CreateSut().TotalQuantity.Should().Be(Quantity.Each(100));
    }

    [Fact]
    public void QuantityIn_CategoryAndOwnership_FiltersBoth()
    {
        var lot = CreateSut();

        lot.QuantityIn(StockCategory.Unrestricted).Should().Be(Quantity.Each(75));
        lot.QuantityIn(StockCategory.Unrestricted, StockOwnership.Own).Should().Be(Quantity.Each(60));
        lot.QuantityIn(StockCategory.QualityInspection).Should().Be(Quantity.Each(0));
    }

    [Fact]
    public void IsExpiredOn_DayAfterExpiry_IsExpired()
    {
        var lot = CreateSut();

        lot.IsExpiredOn(new DateOnly(2026, 6, 30)).Should().BeFalse();
        lot.IsExpiredOn(new DateOnly(2026, 7, 1)).Should().BeTrue();
        (lot with { ExpiryDate = null }).IsExpiredOn(DateOnly.MaxValue).Should().BeFalse();
    }

    [Fact]
    public void IsPartiallyConsumed_AfterConsumption_IsTrue()
    {
        CreateSut().IsPartiallyConsumed.Should().BeFalse();
        (CreateSut() with { ConsumedQuantity = 1 }).IsPartiallyConsumed.Should().BeTrue();
    }

    [Fact]
    public void SameSlotAs_DifferentOwnership_IsDifferentSlot()
    {
        var buckets = CreateSut().Buckets;

        buckets[0].SameSlotAs(buckets[1]).Should().BeFalse();
        buckets[0].SameSlotAs(buckets[0] with { Quantity = Quantity.Each(1) }).Should().BeTrue();
    }
}
