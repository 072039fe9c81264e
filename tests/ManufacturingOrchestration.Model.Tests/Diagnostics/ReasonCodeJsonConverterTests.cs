using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;

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

    [Fact]
    public void Serialize_ScrapReportedWithReasonCode_WritesTheCodeStringAsBefore()
    {
        var scrap = new ScrapReported
        {
            Site = new SiteId("plant-1"),
            Line = "SMT-2",
            Material = new MaterialId("PCB-3"),
            Quantity = Quantity.Each(4),
            ReasonCode = ReasonCode.Parse("solder-bridge"),
        };

        var json = JsonSerializer.Serialize(scrap, ModelJson.TypeInfo<ScrapReported>());

        json.Should().Be("{\"site\":\"plant-1\",\"line\":\"SMT-2\",\"material\":\"PCB-3\",\"quantity\":{\"value\":4,\"unit\":{\"code\":\"EA\",\"codeSystem\":\"UNECE\"}},\"reasonCode\":\"solder-bridge\"}");
        JsonSerializer.Deserialize(json, ModelJson.TypeInfo<ScrapReported>())!.ReasonCode.Should().Be(ReasonCode.Parse("solder-bridge"));
    }

    [Fact]
    public void Deserialize_GoodsMovementWithCataloguedReasonCode_GetsTheCatalogueEntry()
    {
        const string json = "{\"kind\":\"categoryTransfer\",\"lot\":\"L-1\",\"material\":\"PCB-3\",\"site\":\"plant-1\",\"quantity\":{\"value\":4,\"unit\":{\"code\":\"EA\",\"codeSystem\":\"UNECE\"}},\"reasonCode\":\"reconciliation.stock-drift\"}";

        var movement = JsonSerializer.Deserialize(json, ModelJson.TypeInfo<GoodsMovement>())!;

        movement.ReasonCode.Should().Be(ReasonCodes.StockDrift);
        movement.ReasonCode!.Value.Description.Should().Be("The same lot shows different stock by category in two systems.");
    }
}
