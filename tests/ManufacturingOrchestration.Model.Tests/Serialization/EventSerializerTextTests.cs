using System.Text;
using System.Text.Json.Nodes;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Model.Tests.Serialization;

/// <summary>Text the JSON reader cannot turn into a string, and nesting beyond the limit: refused with a reason, never thrown.</summary>
public class EventSerializerTextTests
{
    private const string Valid = """
        {"specversion":"1.0","id":"evt-9","source":"wms://plant-1","type":"mfg.inventory.goods-received.v1","site":"plant-1",
         "data":{"lot":"CAP-1","material":"CAP-100UF","site":"plant-1","quantity":{"value":5,"unit":{"code":"EA"}},"category":"qualityInspection"}}
        """;

    private static string With(string path, string rawJsonValue)
    {
        var json = JsonNode.Parse(Valid)!.AsObject();
        var target = json;
        var segments = path.Split('.');
        foreach (var segment in segments[..^1])
        {
            target = target[segment]!.AsObject();
        }

        target[segments[^1]] = "__MARK__";
        return json.ToJsonString().Replace("\"__MARK__\"", rawJsonValue, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("id", "$.id")]
    [InlineData("source", "$.source")]
    [InlineData("partitionkey", "$.partitionkey")]
    [InlineData("subject", "$.subject")]
    [InlineData("data.lot", "$.data.lot")]
    [InlineData("data.material", "$.data.material")]
    public void Parse_UnpairedSurrogateEscape_IsRejectedWithInvalidEncodingNotThrown(string member, string path)
    {
        var json = With(member, "\"dup\\uD800-1\"");

        var fromString = EventSerializer.Default.Parse(json);
        var fromBytes = EventSerializer.Default.Parse(Encoding.UTF8.GetBytes(json));

        foreach (var result in new[] { fromString, fromBytes })
        {
            result.IsSuccess.Should().BeFalse();
            result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == path && e.ReasonCode == ReasonCodes.InvalidEncoding);
        }
    }

    [Theory]
    [InlineData("id", "$.id")]
    [InlineData("data.lot", "$.data.lot")]
    public void Parse_InvalidUtf8InString_IsRejectedWithInvalidEncodingNotThrown(string member, string path)
    {
        var bytes = Encoding.UTF8.GetBytes(With(member, "\"bad-\u00FF-1\""));
        var marker = Encoding.UTF8.GetBytes("\u00FF");
        var at = bytes.AsSpan().IndexOf(marker);
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28; // a lead byte followed by a byte that cannot continue it

        var result = EventSerializer.Default.Parse(bytes);

        result.IsSuccess.Should().BeFalse();
        result.Errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == path && e.ReasonCode == ReasonCodes.InvalidEncoding);
    }

    [Fact]
    public void Parse_UnpairedSurrogateInMemberName_IsRejectedWithInvalidEncoding()
    {
        var json = Valid.Replace("\"site\":\"plant-1\",", "\"site\":\"plant-1\",\"x\\uDC00\":1,", StringComparison.Ordinal);

        var result = EventSerializer.Default.Parse(json);

        result.Errors.Should().Contain(e => e.ReasonCode == ReasonCodes.InvalidEncoding);
    }

    [Fact]
    public void Parse_StringWithRawUnpairedSurrogate_IsRejectedWithoutReplacingIt()
    {
        var json = Valid.Replace("evt-9", "evt-\uD800", StringComparison.Ordinal);

        var result = EventSerializer.Default.Parse(json);

        result.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.InvalidEncoding);
    }

    [Theory]
    [InlineData("id", "\"\\uFEFFdup-1\"", "$.id", "payload.invalid-identifier")]
    [InlineData("partitionkey", "\"\\uFEFFkey\"", "$.partitionkey", "payload.invalid-identifier")]
    [InlineData("id", "\"dup\\u0000\"", "$.id", "payload.invalid-identifier")]
    [InlineData("correlationid", "\"c\\u200B1\"", "$.correlationid", "payload.invalid-identifier")]
    [InlineData("data.lot", "\"\\uFEFFCAP-1\"", "$.data.lot", "payload.invalid-identifier")]
    public void ParseThenValidate_KeyBreakingTheIdentifierRules_IsRejected(string member, string rawValue, string path, string code)
    {
        // Payload identifiers are refused by the reader; envelope keys by the validator every publish applies (the
        // reader also reads back stored events, which older versions accepted under older rules).
        var result = EventSerializer.Default.Parse(With(member, rawValue));
        var errors = result.IsSuccess ? EventValidator.Default.Validate(result.Envelope) : result.Errors;

        errors.Should().Contain(e => e.Path == path && e.ReasonCode.Code == code);
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    [InlineData(5000, false)]
    public void Parse_NestedPayloadMember_AcceptsUpToTheDepthLimit(int depth, bool accepted)
    {
        // The envelope is level 1 and data level 2, so a member value of depth - 2 levels makes an event of depth levels.
        var nested = string.Concat(Enumerable.Repeat("[", depth - 2)) + string.Concat(Enumerable.Repeat("]", depth - 2));
        var json = Valid.Replace("\"category\"", "\"extra\":" + nested + ",\"category\"", StringComparison.Ordinal);

        var result = EventSerializer.Default.Parse(json);

        result.IsSuccess.Should().Be(accepted, result.ToString());
        if (!accepted)
        {
            result.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.TooDeep);
        }
    }

    [Fact]
    public void Parse_DeepButMalformed_IsMalformedWhenTheSyntaxBreaksFirst()
    {
        EventSerializer.Default.Parse("{\"id\":}" + new string('[', 100)).Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.MalformedJson);
    }

    [Fact]
    public void Options_DepthAboveTheEventLimit_IsRefused()
    {
        var act = () => new EventSerializer(new EventSerializerOptions { MaxDepth = EventEnvelope.MaxDepth + 1 });

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
