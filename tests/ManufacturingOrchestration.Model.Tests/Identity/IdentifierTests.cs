using System.Text.Json;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model.Tests.Identity;

public class IdentifierTests
{
    /// <summary>Theory data cannot carry an unpaired surrogate (it is serialized as U+FFFD), so the tests name it <c>&lt;D800&gt;</c>.</summary>
    private static string Lone(string? text) => text is null ? null! : text.Replace("<D800>", "\uD800", StringComparison.Ordinal).Replace("<DC00>", "\uDC00", StringComparison.Ordinal).Replace("<D83D>", "\uD83D", StringComparison.Ordinal);

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
    [InlineData("tab\there", "control character U+0009")]
    [InlineData("\uFEFFdup-1", "byte order mark")]
    [InlineData("dup<D800>-1", "unpaired surrogate U+D800")]
    [InlineData("dup-1<DC00>", "unpaired surrogate U+DC00")]
    [InlineData("zero\u200Bwidth", "format character U+200B")]
    [InlineData("rtl\u202Eoverride", "format character U+202E")]
    [InlineData("line\u2028sep", "line or paragraph separator U+2028")]
    [InlineData("nul\u0000", "control character U+0000")]
    public void IsValid_BadValues_NameTheProblem(string? value, string expected)
    {
        Identifier.IsValid(Lone(value), out var problem).Should().BeFalse();
        problem.Should().Contain(expected);
    }

    [Fact]
    public void IsValid_SurrogatePairAndCombiningMark_AreValidAndNotNormalized()
    {
        Identifier.IsValid("lot-\U0001F600", out _).Should().BeTrue("a surrogate pair is one well-formed character");
        Identifier.IsValid("cafe\u0301", out _).Should().BeTrue();
        Identifier.IsValid("caf\u00E9", out _).Should().BeTrue();
        new LotId("cafe\u0301").Should().NotBe(new LotId("caf\u00E9"), "identifiers are compared ordinally, not normalized");
    }

    [Fact]
    public void IsValid_KeyLength_AllowsLongerEventKeysThanTypedIdentifiers()
    {
        Identifier.IsValid(new string('x', Identifier.MaxKeyLength), Identifier.MaxKeyLength, out _).Should().BeTrue();
        Identifier.IsValid(new string('x', Identifier.MaxKeyLength + 1), Identifier.MaxKeyLength, out var problem).Should().BeFalse();
        problem.Should().Contain("at most 1024");
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
