using System.Globalization;

namespace ManufacturingOrchestration.Model.Tests.Inventory;

public class CountToleranceTests
{
    [Theory]
    [InlineData(1000, -10, true)]
    [InlineData(1000, 10, true)]
    [InlineData(1000, -11, false)]
    [InlineData(100, 2, false)]
    [InlineData(0, 0, true)]
    [InlineData(0, 1, false)]
    public void Allows_ClassA_NeedsBothPercentAndAbsoluteLimit(decimal book, decimal variance, bool expected)
    {
        var tolerance = CountToleranceProfile.Default.For(AbcClass.A);

        tolerance.Allows(book, variance).Should().Be(expected);
    }

    [Fact]
    public void For_EachClass_ReturnsItsTolerance()
    {
        var profile = CountToleranceProfile.Default;

        profile.For(AbcClass.A).Percent.Should().Be(1);
        profile.For(AbcClass.B).Percent.Should().Be(3);
        profile.For(AbcClass.C).Percent.Should().Be(5);
        profile.For(AbcClass.C).Absolute.Should().Be(100);
    }

    [Theory]
    [InlineData("1000000000000000000000000000", "-1000000000000000000000000000", false)]
    [InlineData("1000000000000000000000000000", "1000000000000000000000000", true)]
    [InlineData("0.5", "10000000000000000000000000000", false)]
    public void Allows_HugeVariance_ComparesThePercentageWithoutOverflow(string book, string variance, bool expected)
    {
        var tolerance = new CountTolerance { Percent = 1, Absolute = decimal.MaxValue };

        tolerance.Allows(decimal.Parse(book, CultureInfo.InvariantCulture), decimal.Parse(variance, CultureInfo.InvariantCulture)).Should().Be(expected);
    }
}
