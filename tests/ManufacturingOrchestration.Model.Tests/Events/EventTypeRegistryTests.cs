using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Model.Tests.Events;

public class EventTypeRegistryTests
{
    private const string InspectionFailedV0 = """
        {
          "specversion": "1.0", "id": "legacy-1", "source": "qms://old-plant", "type": "mfg.quality.inspection.failed.v0",
          "data": {
            "inspectionLot": "IL-1", "lot": "CAP-1", "material": "CAP-100UF", "site": "plant-1", "severityLevel": 3
          }
        }
        """;

    /// <summary>The v0 producer sent severity as a number 0–3 in <c>severityLevel</c>; v1 names it.</summary>
    private static JsonObject InspectionFailedV0ToV1(JsonObject data)
    {
        var level = data["severityLevel"]!.GetValue<int>();
        data.Remove("severityLevel");
        data["severity"] = level switch { 0 => "none", 1 => "minor", 2 => "major", 3 => "critical", _ => throw new ArgumentOutOfRangeException(nameof(data), "severityLevel must be 0–3") };
        return data;
    }

    private static EventTypeRegistry CreateSut() => EventTypeRegistry.CreateBuilder()
        .AddUpcaster("mfg.quality.inspection.failed.v0", EventTypes.InspectionFailed, InspectionFailedV0ToV1)
        .Build();

    [Fact]
    public void Default_HasEveryBuiltInEventType()
    {
        var builtIn = typeof(EventTypes).GetFields().Select(f => (string)f.GetValue(null)!);

        EventTypeRegistry.Default.Registrations.Select(r => r.EventType).Should().BeEquivalentTo(builtIn);
        EventTypeRegistry.Default.Registrations.Should().OnlyContain(r => r.HasRules);
    }

    [Fact]
    public void TryGetRegistration_ByTypeAndByPayload_FindsTheSameRegistration()
    {
        EventTypeRegistry.Default.TryGetRegistration(EventTypes.LotReleased, out var byType).Should().BeTrue();
        EventTypeRegistry.Default.TryGetRegistration(typeof(LotReleased), out var byPayload).Should().BeTrue();

        byType.Should().BeSameAs(byPayload);
        byType!.PayloadType.Should().Be<LotReleased>();
    }

    [Fact]
    public void Parse_V0InspectionFailedWithUpcaster_ArrivesAsV1()
    {
        var serializer = new EventSerializer(new EventSerializerOptions { Registry = CreateSut() });

        var result = serializer.Parse(InspectionFailedV0);

        result.IsSuccess.Should().BeTrue(result.ToString());
        result.Envelope!.Type.Should().Be(EventTypes.InspectionFailed);
        result.Envelope.Data.Should().BeOfType<InspectionFailed>().Which.Severity.Should().Be(DefectSeverity.Critical);
        result.Envelope.Data.AdditionalMembers.Should().BeNull("the upcaster removed the old member");
    }

    [Fact]
    public void Parse_V0WithoutUpcaster_ReportsNoUpcaster()
    {
        var result = EventSerializer.Default.Parse(InspectionFailedV0);

        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$.type" && e.ReasonCode == ReasonCodes.NoUpcaster);
    }

    [Fact]
    public void Parse_UpcastResultInvalid_ReportsProblemsOfTheCurrentShape()
    {
        var serializer = new EventSerializer(new EventSerializerOptions { Registry = CreateSut() });

        var result = serializer.Parse(InspectionFailedV0.Replace("\"severityLevel\": 3", "\"severityLevel\": 0", StringComparison.Ordinal));

        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$.data.severity" && e.ReasonCode == ReasonCodes.OutOfRange);
    }

    [Fact]
    public void Parse_UpcasterThrows_ReportsUpcastFailedInsteadOfThrowing()
    {
        var serializer = new EventSerializer(new EventSerializerOptions { Registry = CreateSut() });

        var result = serializer.Parse(InspectionFailedV0.Replace("\"severityLevel\": 3", "\"severityLevel\": 9", StringComparison.Ordinal));

        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$.data" && e.ReasonCode == ReasonCodes.UpcastFailed);
    }

    [Fact]
    public void Parse_ChainedUpcasters_RunInOrderFromV1ToV3()
    {
        var registry = EventTypeRegistry.CreateBuilder(includeBuiltInTypes: false)
            .Add("acme.tooling.wear.v3", TestJsonContext.Default.ToolWearV3, (p, c) => c.RequirePositive(p.Wear, "wear"))
            .AddUpcaster("acme.tooling.wear.v1", "acme.tooling.wear.v2", d => { d["tool"] = d["toolNumber"]!.DeepClone(); d.Remove("toolNumber"); return d; })
            .AddUpcaster("acme.tooling.wear.v2", "acme.tooling.wear.v3", d => { d["wear"] = new JsonObject { ["value"] = d["wearMm"]!.DeepClone(), ["unit"] = new JsonObject { ["code"] = "MMT" } }; d.Remove("wearMm"); return d; })
            .Build();
        var serializer = new EventSerializer(new EventSerializerOptions { Registry = registry });

        var result = serializer.Parse("""{"specversion":"1.0","id":"1","source":"mes://l1","type":"acme.tooling.wear.v1","data":{"toolNumber":"T-7","wearMm":0.4}}""");

        result.IsSuccess.Should().BeTrue(result.ToString());
        result.Envelope!.Type.Should().Be("acme.tooling.wear.v3");
        var payload = result.Envelope.Data.Should().BeOfType<ToolWearV3>().Subject;
        payload.Tool.Should().Be("T-7");
        payload.Wear.Should().Be(new Quantity(0.4m, new UnitOfMeasure("MMT")));
        serializer.Parse(serializer.SerializeToUtf8Bytes(result.Envelope)).IsSuccess.Should().BeTrue();
    }

    [Fact]
    public void Parse_CustomPayloadRules_ReportUnderData()
    {
        var registry = EventTypeRegistry.CreateBuilder(includeBuiltInTypes: false)
            .Add("acme.tooling.wear.v3", TestJsonContext.Default.ToolWearV3, (p, c) => c.RequirePositive(p.Wear, "wear"))
            .Build();
        var serializer = new EventSerializer(new EventSerializerOptions { Registry = registry });

        var result = serializer.Parse("""{"specversion":"1.0","id":"1","source":"mes://l1","type":"acme.tooling.wear.v3","data":{"tool":"T-7","wear":{"value":0,"unit":{"code":"MMT"}}}}""");

        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$.data.wear.value" && e.ReasonCode == ReasonCodes.NonPositiveQuantity);
    }

    [Fact]
    public void Add_SameTypeTwice_ThrowsConflict()
    {
        var act = () => EventTypeRegistry.CreateBuilder().Add(EventTypes.GoodsReceived, TestJsonContext.Default.ToolWearV3);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.EventTypeConflict);
    }

    [Fact]
    public void AddUpcaster_FromRegisteredType_ThrowsConflict()
    {
        var act = () => EventTypeRegistry.CreateBuilder().AddUpcaster(EventTypes.GoodsReceived, "mfg.inventory.goods-received.v2", d => d);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.EventTypeConflict);
    }

    [Fact]
    public void Build_ChainEndingNowhere_ThrowsConflict()
    {
        var act = () => EventTypeRegistry.CreateBuilder().AddUpcaster("a.v1", "a.v2", d => d).Build();

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.EventTypeConflict);
    }

    [Fact]
    public void Build_CircularChain_ThrowsConflict()
    {
        var act = () => EventTypeRegistry.CreateBuilder().AddUpcaster("a.v1", "a.v2", d => d).AddUpcaster("a.v2", "a.v1", d => d).Build();

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.EventTypeConflict);
    }

    [Fact]
    public void IsKnown_UpcastSource_IsKnown()
    {
        var sut = CreateSut();

        sut.IsKnown("mfg.quality.inspection.failed.v0").Should().BeTrue();
        sut.IsKnown("mfg.quality.inspection.failed.v9").Should().BeFalse();
        sut.Upcasters.Should().ContainSingle().Which.ToType.Should().Be(EventTypes.InspectionFailed);
    }
}

public sealed record ToolWearV3 : EventPayload
{
    public override string EventType => "acme.tooling.wear.v3";

    public override string DefaultPartitionKey => $"tool/{Tool}";

    public required string Tool { get; init; }

    public required Quantity Wear { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ToolWearV3))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
