namespace ManufacturingOrchestration.Model.Tests.Inventory;

public class CycleCountTests
{
    private static CycleCount CreateSut(decimal book, decimal counted) => new()
    {
        Id = new CycleCountId("CC-1"),
        Material = new MaterialId("M"),
        Site = new SiteId("S"),
        BookQuantity = Quantity.Each(book),
        CountedQuantity = Quantity.Each(counted),
        CountedBy = new ActorId("op"),
    };

    [Theory]
    [InlineData(100, 97, -3, 3)]
    [InlineData(100, 104, 4, 4)]
    [InlineData(0, 0, 0, 0)]
    [InlineData(0, 5, 5, 100)]
    public void Variance_BookAndCounted_IsSignedAndPercentOfBook(decimal book, decimal counted, decimal variance, decimal percent)
    {
        var count = CreateSut(book, counted);

        count.Variance.Should().Be(variance);
        count.VariancePercent.Should().Be(percent);
    }
}
