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
}
