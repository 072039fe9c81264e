using System.Text.Json;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Model.Tests.Serialization;

public sealed class CamelCaseEnumConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new CamelCaseEnumConverter<StockCategory>() } };

    [Fact]
    public void Serialize_WritesTheCamelCaseName()
    {
        JsonSerializer.Serialize(StockCategory.QualityInspection, Options).Should().Be("\"qualityInspection\"");
    }

    [Fact]
    public void Deserialize_ReadsTheCamelCaseName()
    {
        JsonSerializer.Deserialize<StockCategory>("\"blocked\"", Options).Should().Be(StockCategory.Blocked);
    }

    [Fact]
    public void Deserialize_Number_IsRefused()
    {
        var read = () => JsonSerializer.Deserialize<StockCategory>("2", Options);

        read.Should().Throw<JsonException>();
    }
}
