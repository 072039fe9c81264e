namespace ManufacturingOrchestration.Model.Tests.Quantities;

public class QuantityTests
{
    [Fact]
    public void Add_SameUnit_SumsValues()
    {
        var sum = Quantity.Each(30) + Quantity.Each(70);

        sum.Should().Be(Quantity.Each(100));
    }

    [Fact]
    public void Add_DifferentUnits_ThrowsUnitMismatch()
    {
        var act = () => Quantity.Each(1).Add(new Quantity(1, UnitOfMeasure.Kilogram));

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Which.ReasonCode.Should().Be(ReasonCodes.UnitMismatch);
    }

    [Fact]
    public void Add_BeyondTheLargestDecimal_ThrowsOutOfRange()
    {
        var act = () => Quantity.Each(decimal.MaxValue) + Quantity.Each(1);

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Which.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
    }

    [Fact]
    public void Subtract_MoreThanAvailable_ThrowsInsufficientQuantity()
    {
        var act = () => Quantity.Each(10) - Quantity.Each(11);

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Which.ReasonCode.Should().Be(ReasonCodes.InsufficientQuantity);
    }

    [Fact]
    public void Constructor_NegativeValue_ThrowsNegativeQuantity()
    {
        var act = () => new Quantity(-1, UnitOfMeasure.Each);

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Which.ReasonCode.Should().Be(ReasonCodes.NegativeQuantity);
    }

    [Fact]
    public void Compare_DifferentCodeSystems_AreDifferentUnits()
    {
        var sapPieces = new Quantity(5, new UnitOfMeasure("ST", "SAP"));

        sapPieces.HasSameUnit(Quantity.Each(5)).Should().BeFalse();
        var act = () => sapPieces < Quantity.Each(6);
        act.Should().Throw<ManufacturingOrchestrationException>();
    }

    [Fact]
    public void Constructor_DefaultUnit_ThrowsInvalidUnit()
    {
        var act = () => new Quantity(1, default);

        act.Should().Throw<ManufacturingOrchestrationException>()
            .Which.ReasonCode.Should().Be(ReasonCodes.InvalidUnit);
    }

    [Fact]
    public void DifferenceFrom_SameUnit_IsSigned()
    {
        Quantity.Each(95).DifferenceFrom(Quantity.Each(100)).Should().Be(-5);
        Quantity.Each(100).DifferenceFrom(Quantity.Each(95)).Should().Be(5);
    }

    [Fact]
    public void Zero_IsZeroInTheUnit()
    {
        var zero = Quantity.Zero(UnitOfMeasure.Litre);

        zero.IsZero.Should().BeTrue();
        zero.Unit.Should().Be(UnitOfMeasure.Litre);
        zero.ToString().Should().Be("0 LTR");
    }
}
