using System.Text.Json;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Model.Tests.Validation;

/// <summary>A typed event is held to the same text and depth rules as one read from JSON.</summary>
public class EventValidatorTextTests
{
    /// <summary>Theory data cannot carry an unpaired surrogate (it is serialized as U+FFFD), so the tests name it <c>&lt;D800&gt;</c>.</summary>
    private static string Lone(string? text) => text is null ? null! : text.Replace("<D800>", "\uD800", StringComparison.Ordinal).Replace("<DC00>", "\uDC00", StringComparison.Ordinal).Replace("<D83D>", "\uD83D", StringComparison.Ordinal);

    private static JsonElement Nested(int levels)
    {
        var json = string.Concat(Enumerable.Repeat("[", levels)) + string.Concat(Enumerable.Repeat("]", levels));
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = levels + 1 });
        return document.RootElement.Clone();
    }

    [Theory]
    [InlineData("\uFEFFdup-1", "payload.invalid-identifier")]
    [InlineData("dup<D800>-1", "payload.invalid-encoding")]
    [InlineData("dup-1\u0000", "payload.invalid-identifier")]
    [InlineData(" dup-1", "payload.invalid-identifier")]
    public void Validate_EventIdBreakingTheIdentifierRules_IsRejected(string id, string code)
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived()) with { Id = Lone(id) };

        EventValidator.Default.Validate(envelope).Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$.id" && e.ReasonCode.Code == code);
    }

    [Theory]
    [InlineData("\uFEFFkey")]
    [InlineData("key<D800>")]
    [InlineData("key\u202E")]
    public void Validate_PartitionKeyBreakingTheIdentifierRules_IsRejected(string partitionKey)
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived()) with { PartitionKey = Lone(partitionKey) };

        EventValidator.Default.Validate(envelope).Should().ContainSingle().Which.Path.Should().Be("$.partitionkey");
    }

    [Fact]
    public void Validate_ExtensionNestedFarBeyondTheLimit_IsRejectedAsTooDeep()
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived()) with { Extensions = new Dictionary<string, JsonElement> { ["shift"] = Nested(1200) } };

        EventValidator.Default.Validate(envelope).Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.TooDeep);
    }

    [Fact]
    public void Validate_ShallowObjectExtension_IsRejectedAsOnTheJsonPath()
    {
        var envelope = Samples.Envelope(Samples.GoodsReceived()) with { Extensions = new Dictionary<string, JsonElement> { ["shift"] = Nested(2) } };

        EventValidator.Default.Validate(envelope).Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.WrongType);
    }

    [Fact]
    public void Validate_ExtensionStringWithUnpairedSurrogateEscape_IsRejected()
    {
        using var document = JsonDocument.Parse("\"x\\uD800\"");
        var envelope = Samples.Envelope(Samples.GoodsReceived()) with { Extensions = new Dictionary<string, JsonElement> { ["shift"] = document.RootElement.Clone() } };

        EventValidator.Default.Validate(envelope).Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.InvalidEncoding);
    }

    [Theory]
    [InlineData(62, true)]
    [InlineData(63, false)]
    public void Validate_AdditionalPayloadMembers_AreHeldToTheSameDepthAsJson(int levels, bool valid)
    {
        // Envelope (1) and payload (2) enclose the member, so a value of 62 levels makes an event of 64.
        var json = EventSerializer.Default.SerializeToString(Samples.Envelope(Samples.GoodsReceived()));
        var withinLimit = EventSerializer.Default.Parse(json.Replace("\"category\"", "\"extra\":[],\"category\"", StringComparison.Ordinal)).Envelope!;
        var payload = withinLimit.Data;
        payload.AdditionalMembers!["extra"] = Nested(levels);

        var errors = EventValidator.Default.Validate(withinLimit);

        if (valid)
        {
            errors.Should().BeEmpty();
            EventSerializer.Default.Parse(EventSerializer.Default.SerializeToUtf8Bytes(withinLimit)).IsSuccess.Should().BeTrue();
        }
        else
        {
            errors.Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path.StartsWith("$.data.extra", StringComparison.Ordinal) && e.ReasonCode == ReasonCodes.TooDeep);
        }
    }

    [Fact]
    public void Validate_PayloadFreeTextWithControlCharacter_IsRejectedWithInvalidText()
    {
        var envelope = Samples.Envelope(Samples.InspectionFailed() with { DefectDescription = "cracked\u0000" });

        EventValidator.Default.Validate(envelope).Should().ContainSingle().Which.Should().Match<ValidationError>(e => e.Path == "$.data.defectDescription" && e.ReasonCode == ReasonCodes.InvalidText);
    }

    [Theory]
    [InlineData("\u0000", "payload.invalid-text")]
    [InlineData("   ", "payload.required")]
    [InlineData("ok<D800>", "payload.invalid-encoding")]
    public void Validate_SignatureReasonBreakingTheTextRules_IsRejected(string reason, string code)
    {
        var signature = Samples.Signature() with { Reason = Lone(reason) };
        var envelope = Samples.Envelope(new ApprovalGiven { RequestId = "req-1", PartitionKey = "L-1", Signature = signature });

        EventValidator.Default.Validate(envelope).Should().Contain(e => e.Path == "$.data.signature.reason" && e.ReasonCode.Code == code);
    }

    [Fact]
    public void Validate_PayloadStringWithUnpairedSurrogate_IsRejectedNotStoredWithAReplacementCharacter()
    {
        var envelope = Samples.Envelope(Samples.InspectionFailed() with { DefectDescription = "crack\uDC00" });

        EventValidator.Default.Validate(envelope).Should().Contain(e => e.ReasonCode == ReasonCodes.InvalidEncoding);
    }
}
