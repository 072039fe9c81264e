using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model.Tests.Identity;

public class IdentifierTests
{
    [Theory]
    [InlineData("CAP-2026-0042")]
    [InlineData("a")]
    [InlineData("Ünïcødé lot 7")]
    public void IsValid_ReasonableValues_AreValid(string value)
    {
        Identifier.IsValid(value, out var problem).Should().BeTrue();
        problem.Should().BeNull();
        new LotId(value).Value.Should().Be(value);
    }

    [Theory]
    [InlineData(null, "must not be empty")]
    [InlineData("", "must not be empty")]
    [InlineData(" lead", "white space")]
    [InlineData("trail ", "white space")]
    [InlineData("tab\there", "control characters")]
    public void IsValid_BadValues_NameTheProblem(string? value, string expected)
    {
        Identifier.IsValid(value, out var problem).Should().BeFalse();
        problem.Should().Contain(expected);
    }

    [Fact]
    public void IsValid_TooLong_IsInvalid()
    {
        Identifier.IsValid(new string('x', Identifier.MaxLength), out _).Should().BeTrue();
        Identifier.IsValid(new string('x', Identifier.MaxLength + 1), out _).Should().BeFalse();
    }

    [Fact]
    public void Constructor_InvalidValue_ThrowsInvalidIdentifier()
    {
        var act = () => new MaterialId("");

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.InvalidIdentifier);
    }

    [Fact]
    public void TryCreate_InvalidValue_ReturnsFalseWithoutThrowing()
    {
        Identifier.TryCreate<SiteId>(" x", out var site).Should().BeFalse();
        site.Value.Should().BeEmpty();
        Identifier.TryCreate<SiteId>("plant-1", out site).Should().BeTrue();
        site.Should().Be(new SiteId("plant-1"));
    }

    [Fact]
    public void Json_IdentifierAsDictionaryKey_RoundTrips()
    {
        var byLot = new Dictionary<LotId, int> { [new LotId("L1")] = 1 };
        var options = ModelJson.CreateOptions(IdentifierTestJsonContext.Default);

        var json = JsonSerializer.Serialize(byLot, options);

        json.Should().Be("""{"L1":1}""");
        JsonSerializer.Deserialize<Dictionary<LotId, int>>(json, options).Should().ContainKey(new LotId("L1"));
    }
}

[JsonSerializable(typeof(Dictionary<LotId, int>))]
internal sealed partial class IdentifierTestJsonContext : JsonSerializerContext;
