using System.Globalization;

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

    [Theory]
    [InlineData("1000000000000000000000000000", "0", "100")]
    [InlineData("1000000000000000000000000000", "1500000000000000000000000000", "50")]
    [InlineData("1", "1000000000000000000000000000", "79228162514264337593543950335")]
    [InlineData("0.5", "10000000000000000000000000000", "79228162514264337593543950335")]
    public void VariancePercent_HugeQuantities_IsComputedOrSaturatedNotThrown(string book, string counted, string percent)
    {
        var count = CreateSut(decimal.Parse(book, CultureInfo.InvariantCulture), decimal.Parse(counted, CultureInfo.InvariantCulture));

        count.VariancePercent.Should().Be(decimal.Parse(percent, CultureInfo.InvariantCulture));
    }
}
