namespace ManufacturingOrchestration.Model.Tests.Quantities;

public class UnitOfMeasureTests
{
    [Theory]
    [InlineData("EA")]
    [InlineData("C62")]
    [InlineData("%")]
    [InlineData("KG/M")]
    public void Constructor_ValidCode_DefaultsToUnece(string code)
    {
        var unit = new UnitOfMeasure(code);

        unit.CodeSystem.Should().Be(UnitOfMeasure.DefaultCodeSystem);
        unit.ToString().Should().Be(code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("E A")]
    [InlineData("ABCDEFGHIJKLMNOPQ")]
    public void Constructor_InvalidCode_ThrowsInvalidUnit(string code)
    {
        var act = () => new UnitOfMeasure(code);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.InvalidUnit);
    }

    [Fact]
    public void Equality_SameCodeOtherSystem_IsDifferent()
    {
        new UnitOfMeasure("ST", "SAP").Should().NotBe(new UnitOfMeasure("ST"));
        new UnitOfMeasure("ST", "SAP").ToString().Should().Be("ST (SAP)");
    }
}
