using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Model.Tests.Serialization;

public class EventSerializerTests
{
    private const string ValidGoodsReceived = """
        {
          "specversion": "1.0", "id": "evt-9", "source": "wms://plant-1", "type": "mfg.inventory.goods-received.v1",
          "time": "2026-05-12T08:30:00Z", "site": "plant-1",
          "data": {
            "lot": "CAP-2026-0042", "material": "CAP-100UF", "site": "plant-1",
            "quantity": { "value": 5000, "unit": { "code": "EA" } },
            "category": "qualityInspection"
          }
        }
        """;

    public static TheoryData<string> PayloadTypes()
    {
        var data = new TheoryData<string>();
        foreach (var payload in Samples.AllPayloads())
        {
            data.Add(payload.EventType);
        }

        return data;
    }

    private static EventSerializer CreateSut(EventSerializerOptions? options = null) => new(options);

    private static EventPayload Sample(string eventType) => Samples.AllPayloads().Single(p => p.EventType == eventType);

    private static JsonObject Mutable(string json) => JsonNode.Parse(json)!.AsObject();

    [Theory]
    [MemberData(nameof(PayloadTypes))]
    public void SerializeThenParse_EveryPayloadType_RoundTripsEqual(string eventType)
    {
        var sut = CreateSut();
        var envelope = Samples.Envelope(Sample(eventType));

        var result = sut.Parse(sut.SerializeToUtf8Bytes(envelope));

        result.Errors.Should().BeEmpty();
        result.Envelope.Should().BeEquivalentTo(envelope, o => o.RespectingRuntimeTypes());
    }

    [Fact]
    public void SerializeToString_Envelope_WritesLowerCaseCloudEventsAttributes()
    {
        var json = CreateSut().SerializeToString(Samples.Envelope(Samples.GoodsReceived()));

        var root = JsonNode.Parse(json)!.AsObject();
        root.Select(p => p.Key).Should().Equal(
            "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "partitionkey", "sequence",
            "correlationid", "causationid", "traceparent", "site", "data");
        root["sequence"]!.GetValue<string>().Should().Be("42");
        root["time"]!.GetValue<string>().Should().Be("2026-05-12T08:30:00+00:00");
        root["data"]!["quantity"]!.ToJsonString().Should().Be("""{"value":5000,"unit":{"code":"EA","codeSystem":"UNECE"}}""");
        root["data"]!["category"]!.GetValue<string>().Should().Be("qualityInspection");
    }

    [Theory]
    [InlineData("specversion", "0.3", "payload.unsupported-specversion")]
    [InlineData("specversion", "", "payload.unsupported-specversion")]
    [InlineData("id", "", "payload.required")]
    [InlineData("source", "", "payload.required")]
    [InlineData("type", "", "payload.required")]
    public void SerializeToString_NotACloudEvents10Event_IsRefusedNamingTheAttribute(string attribute, string value, string code)
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived());
        envelope = attribute switch
        {
            "specversion" => envelope with { SpecVersion = value },
            "id" => envelope with { Id = value },
            "source" => envelope with { Source = value },
            _ => envelope with { Type = value },
        };

        var act = () => CreateSut().SerializeToString(envelope);

        var thrown = act.Should().Throw<ManufacturingOrchestrationException>().Which;
        thrown.ReasonCode.Code.Should().Be(code);
        thrown.Message.Should().Contain(attribute == "specversion" ? $"specversion '{value}'" : $"'{attribute}'");
    }

    [Fact]
    public void Parse_ValidString_ReturnsEnvelope()
    {
        var result = CreateSut().Parse(ValidGoodsReceived);

        result.IsSuccess.Should().BeTrue(result.ToString());
        result.Envelope!.Data.Should().BeOfType<GoodsReceived>().Which.Quantity.Should().Be(Quantity.Each(5000));
        result.Envelope.EffectivePartitionKey.Should().Be("CAP-2026-0042");
        result.Envelope.Time.Should().Be(Samples.Now);
    }

    [Fact]
    public void Parse_SequenceAsNumber_IsAccepted()
    {
        var json = Mutable(ValidGoodsReceived);
        json["sequence"] = 7;

        CreateSut().Parse(json.ToJsonString()).Envelope!.Sequence.Should().Be(7);
    }

    [Fact]
    public void Parse_MalformedJson_ReportsMalformedJson()
    {
        var result = CreateSut().Parse("""{"id": "x", "source": """);

        result.IsSuccess.Should().BeFalse();
        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$" && e.ReasonCode == ReasonCodes.MalformedJson);
    }

    [Fact]
    public void Parse_NotAnObject_ReportsWrongTypeAtRoot()
    {
        var result = CreateSut().Parse("[1, 2]");

        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$" && e.ReasonCode == ReasonCodes.WrongType);
    }

    [Fact]
    public void Parse_EmptyObject_ReportsEveryMissingRequiredAttribute()
    {
        var result = CreateSut().Parse("{}");

        result.Errors.Select(e => (e.Path, e.ReasonCode)).Should().BeEquivalentTo(new[]
        {
            ("$.id", ReasonCodes.Required), ("$.source", ReasonCodes.Required), ("$.specversion", ReasonCodes.Required),
            ("$.type", ReasonCodes.Required), ("$.data", ReasonCodes.Required),
        });
    }

    [Theory]
    [InlineData("specversion", "\"0.3\"", "$.specversion", "payload.unsupported-specversion")]
    [InlineData("type", "\"mfg.unknown.thing.v1\"", "$.type", "payload.unknown-event-type")]
    [InlineData("type", "\"mfg.inventory.goods-received.v7\"", "$.type", "payload.no-upcaster")]
    [InlineData("id", "42", "$.id", "payload.wrong-type")]
    [InlineData("id", "\"  \"", "$.id", "payload.required")]
    [InlineData("time", "\"2026-05-12T08:30:00\"", "$.time", "payload.wrong-type")]
    [InlineData("time", "\"yesterday\"", "$.time", "payload.wrong-type")]
    [InlineData("sequence", "-1", "$.sequence", "payload.out-of-range")]
    [InlineData("sequence", "\"abc\"", "$.sequence", "payload.wrong-type")]
    [InlineData("site", "\"\"", "$.site", "payload.invalid-identifier")]
    [InlineData("datacontenttype", "\"application/xml\"", "$.datacontenttype", "payload.out-of-range")]
    [InlineData("dataschema", "\"not a uri\"", "$.dataschema", "payload.wrong-type")]
    [InlineData("data", "\"text\"", "$.data", "payload.wrong-type")]
    [InlineData("Type", "\"x\"", "$.Type", "payload.out-of-range")]
    [InlineData("myext", "{}", "$.myext", "payload.wrong-type")]
    [InlineData("data_base64", "\"AAEC\"", "$.data_base64", "payload.out-of-range")]
    public void Parse_BadAttribute_ReportsPathAndCode(string attribute, string rawValue, string path, string code)
    {
        var json = Mutable(ValidGoodsReceived);
        json[attribute] = JsonNode.Parse(rawValue);

        var result = CreateSut().Parse(json.ToJsonString());

        result.IsSuccess.Should().BeFalse();
        result.Errors.Should().Contain(e => e.Path == path && e.ReasonCode.Code == code, result.ToString());
    }

    [Theory]
    [InlineData("lot", "\"\"", "$.data.lot", "payload.invalid-identifier")]
    [InlineData("lot", "17", "$.data.lot", "payload.wrong-type")]
    [InlineData("lot", "null", "$.data.lot", "payload.required")]
    [InlineData("quantity", "{\"value\": -5, \"unit\": {\"code\": \"EA\"}}", "$.data.quantity.value", "payload.negative-quantity")]
    [InlineData("quantity", "{\"value\": 0, \"unit\": {\"code\": \"EA\"}}", "$.data.quantity.value", "payload.non-positive-quantity")]
    [InlineData("quantity", "{\"value\": \"5\", \"unit\": {\"code\": \"EA\"}}", "$.data.quantity.value", "payload.wrong-type")]
    [InlineData("quantity", "{\"value\": 5, \"unit\": {\"code\": \"E A\"}}", "$.data.quantity.unit.code", "payload.invalid-unit")]
    [InlineData("quantity", "{\"value\": 5, \"unit\": {\"code\": \"EA\", \"codeSystem\": \"\"}}", "$.data.quantity.unit.codeSystem", "payload.invalid-unit")]
    [InlineData("quantity", "{\"value\": 5}", "$.data.quantity.unit", "payload.invalid-unit")]
    [InlineData("quantity", "{\"unit\": {\"code\": \"EA\"}}", "$.data.quantity.value", "payload.required")]
    [InlineData("category", "\"frozen\"", "$.data.category", "payload.out-of-range")]
    [InlineData("category", "1", "$.data.category", "payload.wrong-type")]
    [InlineData("expiryDate", "\"31.01.2028\"", "$.data.expiryDate", "payload.wrong-type")]
    [InlineData("isRestrictedBatch", "\"yes\"", "$.data.isRestrictedBatch", "payload.wrong-type")]
    public void Parse_BadPayloadMember_ReportsPathAndCode(string member, string rawValue, string path, string code)
    {
        var json = Mutable(ValidGoodsReceived);
        json["data"]![member] = JsonNode.Parse(rawValue);

        var result = CreateSut().Parse(json.ToJsonString());

        result.IsSuccess.Should().BeFalse();
        result.Errors.Should().Contain(e => e.Path == path && e.ReasonCode.Code == code, result.ToString());
    }

    [Fact]
    public void Parse_MissingRequiredPayloadMember_ReportsRequired()
    {
        var json = Mutable(ValidGoodsReceived);
        json["data"]!.AsObject().Remove("material");

        var result = CreateSut().Parse(json.ToJsonString());

        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$.data.material" && e.ReasonCode == ReasonCodes.Required);
    }

    [Fact]
    public void Parse_ManyProblems_ReportsAllOfThemTogether()
    {
        var json = Mutable(ValidGoodsReceived);
        json.Remove("id");
        json["specversion"] = "2.0";
        json["data"]!["lot"] = "";
        json["data"]!["material"] = 5;
        json["data"]!["quantity"] = JsonNode.Parse("""{"value": -1, "unit": {"code": "??"}}""");
        json["data"]!["ownership"] = "borrowed";

        var result = CreateSut().Parse(json.ToJsonString());

        result.Errors.Select(e => $"{e.Path} {e.ReasonCode.Code}").Should().BeEquivalentTo(
            "$.id payload.required",
            "$.specversion payload.unsupported-specversion",
            "$.data.lot payload.invalid-identifier",
            "$.data.material payload.wrong-type",
            "$.data.quantity.value payload.negative-quantity",
            "$.data.quantity.unit.code payload.invalid-unit",
            "$.data.ownership payload.out-of-range");
    }

    [Fact]
    public void Parse_NestedArrayProblems_ReportIndexedPaths()
    {
        var json = Mutable(CreateSut().SerializeToString(Samples.Envelope(Sample(EventTypes.MrbDispositionDecided))));
        json["data"]!["lines"]![1]!["quantity"]!["value"] = -3;
        json["data"]!["lines"]![0]!["disposition"] = "sort";

        var result = CreateSut().Parse(json.ToJsonString());

        result.Errors.Select(e => $"{e.Path} {e.ReasonCode.Code}").Should().BeEquivalentTo(
            "$.data.lines[0].disposition payload.out-of-range",
            "$.data.lines[1].quantity.value payload.negative-quantity");
    }

    [Fact]
    public void Parse_CycleCountWithZeroCountedAndNegativeBook_AllowsZeroRefusesNegative()
    {
        var json = Mutable(CreateSut().SerializeToString(Samples.Envelope(Sample(EventTypes.CycleCountRecorded))));
        CreateSut().Parse(json.ToJsonString()).IsSuccess.Should().BeTrue("a count of zero is a valid count");

        json["data"]!["count"]!["bookQuantity"]!["value"] = -1;
        var result = CreateSut().Parse(json.ToJsonString());

        result.Errors.Should().ContainSingle().Which.Path.Should().Be("$.data.count.bookQuantity.value");
    }

    [Fact]
    public void Parse_CycleCountWithDifferentUnits_ReportsUnitMismatch()
    {
        var json = Mutable(CreateSut().SerializeToString(Samples.Envelope(Sample(EventTypes.CycleCountRecorded))));
        json["data"]!["count"]!["countedQuantity"]!["unit"] = JsonNode.Parse("""{"code": "KGM"}""");

        var result = CreateSut().Parse(json.ToJsonString());

        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$.data.count.countedQuantity.unit" && e.ReasonCode == ReasonCodes.UnitMismatch);
    }

    [Fact]
    public void Parse_UnknownPayloadMembers_AreToleratedAndSurviveRoundTrip()
    {
        var json = Mutable(ValidGoodsReceived);
        json["data"]!["carrier"] = "DHL";
        json["data"]!["pallets"] = JsonNode.Parse("""[{"sscc": "00340123450000000017"}]""");
        var sut = CreateSut();

        var first = sut.Parse(json.ToJsonString());
        var rewritten = JsonNode.Parse(sut.SerializeToString(first.Envelope!))!;

        first.IsSuccess.Should().BeTrue(first.ToString());
        first.Envelope!.Data.AdditionalMembers.Should().ContainKeys("carrier", "pallets");
        rewritten["data"]!["carrier"]!.GetValue<string>().Should().Be("DHL");
        rewritten["data"]!["pallets"]![0]!["sscc"]!.GetValue<string>().Should().Be("00340123450000000017");
    }

    [Fact]
    public void Parse_UnknownExtensionAttributes_AreKeptAndWrittenBack()
    {
        var json = Mutable(ValidGoodsReceived);
        json["plantshift"] = "B";
        json["priority"] = 3;
        json["expedite"] = true;
        var sut = CreateSut();

        var result = sut.Parse(json.ToJsonString());
        var rewritten = JsonNode.Parse(sut.SerializeToString(result.Envelope!))!;

        result.Envelope!.Extensions.Keys.Should().BeEquivalentTo("plantshift", "priority", "expedite");
        result.Envelope.Extensions["priority"].GetInt32().Should().Be(3);
        rewritten["plantshift"]!.GetValue<string>().Should().Be("B");
        rewritten["expedite"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public void Parse_NullOptionalAttribute_CountsAsAbsent()
    {
        var json = Mutable(ValidGoodsReceived);
        json["subject"] = null;

        var result = CreateSut().Parse(json.ToJsonString());

        result.IsSuccess.Should().BeTrue(result.ToString());
        result.Envelope!.Subject.Should().BeNull();
    }

    [Fact]
    public void Parse_OverConfiguredLimit_ReportsTooLargeWithoutParsing()
    {
        var sut = CreateSut(new EventSerializerOptions { MaxEventBytes = 64 });

        var result = sut.Parse(Encoding.UTF8.GetBytes(ValidGoodsReceived + "garbage that is never parsed {"));

        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$" && e.ReasonCode == ReasonCodes.PayloadTooLarge);
    }

    [Fact]
    public void Parse_DefaultLimit_Is256KiB()
    {
        var sut = CreateSut();
        var padding = new string(' ', EventSerializerOptions.DefaultMaxEventBytes);

        sut.MaxEventBytes.Should().Be(256 * 1024);
        sut.Parse(ValidGoodsReceived + padding).Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.PayloadTooLarge);
        sut.Parse(ValidGoodsReceived + padding[..1000]).IsSuccess.Should().BeTrue();
    }

    [Fact]
    public void Parse_MultiByteCharactersOverLimit_CountsUtf8Bytes()
    {
        var sut = CreateSut(new EventSerializerOptions { MaxEventBytes = 1000 });
        var json = Mutable(ValidGoodsReceived);
        json["note"] = new string('€', 300);

        sut.Parse(json.ToJsonString()).Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.PayloadTooLarge);
    }

    [Fact]
    public async Task ParseAsync_StreamOverLimit_StopsAndReportsTooLarge()
    {
        var sut = CreateSut(new EventSerializerOptions { MaxEventBytes = 100 });
        await using var stream = new MemoryStream(new byte[10_000]);

        var result = await sut.ParseAsync(stream, TestContext.Current.CancellationToken);

        result.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.PayloadTooLarge);
        stream.Position.Should().BeLessThan(10_000);
    }

    [Fact]
    public async Task ParseAsync_ValidStream_ReturnsEnvelope()
    {
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(ValidGoodsReceived));

        var result = await CreateSut().ParseAsync(stream, TestContext.Current.CancellationToken);

        result.IsSuccess.Should().BeTrue(result.ToString());
    }

    [Fact]
    public void Serialize_UnregisteredPayload_ThrowsUnknownEventType()
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived()) with { Data = new ForeignPayload() };

        var act = () => CreateSut().SerializeToString(envelope);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.UnknownEventType);
    }

    [Fact]
    public void Serialize_InvalidExtensionName_ThrowsOutOfRange()
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived()) with
        {
            Extensions = new Dictionary<string, JsonElement> { ["Bad-Name"] = JsonSerializer.SerializeToElement("x", ModelJson.TypeInfo<string>()) },
        };

        var act = () => CreateSut().SerializeToString(envelope);

        act.Should().Throw<ManufacturingOrchestrationException>().Which.ReasonCode.Should().Be(ReasonCodes.OutOfRange);
    }

    private sealed record ForeignPayload : EventPayload
    {
        public override string EventType => "acme.foreign.v1";

        public override string DefaultPartitionKey => "x";
    }
}
