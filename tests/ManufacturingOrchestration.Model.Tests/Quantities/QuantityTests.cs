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
}
