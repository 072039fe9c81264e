using ManufacturingOrchestration.Model.ErpMapping;

namespace ManufacturingOrchestration.Model.Tests.ErpMapping;

public sealed class SapMovementTypesTests
{
    [Theory]
    [InlineData("101", "102")]
    [InlineData("102", "101")]
    [InlineData("321", "322")]
    [InlineData("343", "344")]
    [InlineData("349", "350")]
    [InlineData("341", "342")]
    [InlineData("551", "552")]
    [InlineData("553", "554")]
    [InlineData("555", "556")]
    [InlineData("701", "702")]
    [InlineData("703", "704")]
    [InlineData("707", "708")]
    [InlineData("311", "312")]
    [InlineData("323", "324")]
    [InlineData("325", "326")]
    [InlineData("261", "262")]
    [InlineData("351", "352")]
    public void TryGetReversal_KnownType_ReturnsTheOtherOfThePair(string movementType, string expected)
    {
        SapMovementTypes.TryGetReversal(movementType, out var reversal).Should().BeTrue();
        reversal.Should().Be(expected);
    }

    [Theory]
    [InlineData("999")]
    [InlineData("105")]
    [InlineData("")]
    public void TryGetReversal_TypeNotInTable_IsUnknownRatherThanPlusOne(string movementType)
    {
        SapMovementTypes.TryGetReversal(movementType, out _).Should().BeFalse();
    }

    [Fact]
    public void Pairs_AreUniqueAndFollowThePlusOneConvention()
    {
        var codes = SapMovementTypes.Pairs.SelectMany(p => new[] { p.Forward, p.Reversal }).ToList();

        codes.Should().OnlyHaveUniqueItems();
        SapMovementTypes.Pairs.Should().OnlyContain(p => int.Parse(p.Reversal, System.Globalization.CultureInfo.InvariantCulture) == int.Parse(p.Forward, System.Globalization.CultureInfo.InvariantCulture) + 1);
    }

    [Fact]
    public void IsReversalType_DistinguishesTheTwoSidesOfAPair()
    {
        SapMovementTypes.IsReversalType("552").Should().BeTrue();
        SapMovementTypes.IsReversalType("551").Should().BeFalse();
        SapMovementTypes.IsReversalType("999").Should().BeFalse();
    }
}
