using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ManufacturingOrchestration.Model.Tests.Diagnostics;

public class ReasonCodeJsonConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    [Fact]
    public void Serialize_CataloguedCode_WritesTheCodeStringOnly()
    {
        JsonSerializer.Serialize(ReasonCodes.InsufficientQuantity, Options).Should().Be("\"lot.insufficient-quantity\"");
    }

    [Fact]
    public void Deserialize_CataloguedCode_GetsTheCataloguedDescription()
    {
        var code = JsonSerializer.Deserialize<ReasonCode>("\"lot.insufficient-quantity\"", Options);

        code.Code.Should().Be("lot.insufficient-quantity");
        code.Description.Should().Be("The lot does not hold enough quantity in the source bucket.");
    }

    [Fact]
    public void Deserialize_UnknownCode_KeepsTheCodeWithAnEmptyDescriptionAndWritesItBack()
    {
        var code = JsonSerializer.Deserialize<ReasonCode>("\"SCRAP-07\"", Options);

        code.Code.Should().Be("SCRAP-07");
        code.Description.Should().BeEmpty();
        JsonSerializer.Serialize(code, Options).Should().Be("\"SCRAP-07\"");
    }

    [Fact]
    public void Deserialize_BlankString_ReadsBackUnchanged()
    {
        var code = JsonSerializer.Deserialize<ReasonCode>("\" \"", Options);

        JsonSerializer.Serialize(code, Options).Should().Be("\" \"");
    }

    [Fact]
    public void Deserialize_Number_ThrowsJsonException()
    {
        var read = () => JsonSerializer.Deserialize<ReasonCode>("7", Options);

        read.Should().Throw<JsonException>();
    }

    [Fact]
    public void RoundTrip_NullableReasonCode_WritesNullAndCodes()
    {
        JsonSerializer.Serialize<ReasonCode?>(null, Options).Should().Be("null");
        JsonSerializer.Deserialize<ReasonCode?>("null", Options).Should().BeNull();
        JsonSerializer.Deserialize<ReasonCode?>("\"lot.on-hold\"", Options).Should().Be(ReasonCodes.LotOnHold);
    }

    [Fact]
    public void RoundTrip_DictionaryKeyedByReasonCode_UsesTheCodeAsPropertyName()
    {
        var counts = new Dictionary<ReasonCode, int> { [ReasonCodes.LotOnHold] = 2 };

        var json = JsonSerializer.Serialize(counts, Options);

        json.Should().Be("{\"lot.on-hold\":2}");
        JsonSerializer.Deserialize<Dictionary<ReasonCode, int>>(json, Options)![ReasonCodes.LotOnHold].Should().Be(2);
    }
}
