using System.Text;
using System.Text.Json;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

/// <summary>Identifiers with odd Unicode and JSON the reader cannot decode: refused with a reason on every path, never a throw, never a silent duplicate.</summary>
public sealed class IntakeTextTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublishAsync_IdWithLeadingByteOrderMarkAfterThePlainId_IsRejectedNotAnsweredDuplicate()
    {
        await using var host = await new EngineTestHost().StartAsync();

        var first = await host.Orchestrator.PublishAsync(EngineTestHost.Passed("LOT-U1", "dup-1"), Ct);
        var second = await host.Orchestrator.PublishAsync(EngineTestHost.Passed("LOT-U2", "\uFEFFdup-1"), Ct);

        first.Status.Should().Be(PublishStatus.Accepted);
        second.Status.Should().Be(PublishStatus.Rejected);
        second.Errors.Should().ContainSingle().Which.Should().Match<Model.Validation.ValidationError>(e => e.Path == "$.id" && e.ReasonCode == ReasonCodes.InvalidIdentifier);
        var recorded = await host.Store.ReadRejectionsAsync(null, null, 10, Ct);
        recorded.Should().ContainSingle().Which.EventId.Should().Be("\\uFEFFdup-1", "a refused id is recorded as printable text");
    }

    [Theory]
    [InlineData("\uFEFFkey")]
    [InlineData("key\u200B")]
    public async Task PublishAsync_PartitionKeyBreakingTheIdentifierRules_IsRejected(string partitionKey)
    {
        await using var host = await new EngineTestHost().StartAsync();

        var result = await host.Orchestrator.PublishAsync(EngineTestHost.Passed("LOT-U3", "evt-u3") with { PartitionKey = partitionKey }, Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        result.Errors.Should().ContainSingle().Which.Path.Should().Be("$.partitionkey");
    }

    [Fact]
    public async Task PublishAsync_UnpairedSurrogateInId_IsRejectedAndTheRejectionIsRecorded()
    {
        await using var host = await new EngineTestHost().StartAsync();

        var result = await host.Orchestrator.PublishAsync(EngineTestHost.Passed("LOT-U4", "evt-\uD800"), Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        result.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.InvalidEncoding);
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which.EventId.Should().Be("evt-\\uD800");
    }

    [Fact]
    public async Task PublishAsync_ExtensionNestedOverAThousandDeep_IsRejectedAsTooDeepNotThrown()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var json = new string('[', 1100) + new string(']', 1100);
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2000 });
        var envelope = EngineTestHost.Passed("LOT-U5", "evt-u5") with { Extensions = new Dictionary<string, JsonElement> { ["shift"] = document.RootElement.Clone() } };

        var result = await host.Orchestrator.PublishAsync(envelope, Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        result.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.TooDeep);
    }

    [Theory]
    [InlineData("\"id\":\"evt-j1\"", "\"id\":\"evt-\\uD800\"", "$.id")]
    [InlineData("\"lot\":\"LOT-J1\"", "\"lot\":\"LOT-\\uDC00\"", "$.data.lot")]
    public async Task PublishJsonAsync_UnpairedSurrogateEscape_IsRejectedAndRecordedNotThrown(string find, string replace, string path)
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);
        var json = EventIntakeTests.Json(EngineTestHost.Passed("LOT-J1", "evt-j1"));
        json.Should().Contain(find);

        var fromString = await sut.PublishJsonAsync(json.Replace(find, replace, StringComparison.Ordinal), "webhook:qms", Ct);
        var fromBytes = await sut.PublishJsonAsync(Encoding.UTF8.GetBytes(json.Replace(find, replace, StringComparison.Ordinal)), "webhook:qms", Ct);

        fromString.Status.Should().Be(PublishStatus.Rejected);
        fromString.Errors.Should().ContainSingle().Which.Should().Match<Model.Validation.ValidationError>(e => e.Path == path && e.ReasonCode == ReasonCodes.InvalidEncoding);
        fromBytes.Errors.Should().BeEquivalentTo(fromString.Errors);
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().HaveCount(2);
    }

    [Fact]
    public async Task PublishJsonAsync_InvalidUtf8InId_IsRejectedNotThrown()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var bytes = Encoding.UTF8.GetBytes(EventIntakeTests.Json(EngineTestHost.Passed("LOT-J2", "evt-j2")));
        var at = bytes.AsSpan().IndexOf("evt-j2"u8);
        bytes[at + 4] = 0xFF;

        var result = await new EventIntake(host.Orchestrator).PublishJsonAsync(bytes, "webhook:qms", Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        result.Errors.Should().ContainSingle().Which.ReasonCode.Should().Be(ReasonCodes.InvalidEncoding);
    }

    [Fact]
    public async Task PublishJsonAsync_BomIdAfterThePlainId_IsRejectedNotAnsweredDuplicate()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);

        var first = await sut.PublishJsonAsync(EventIntakeTests.Json(EngineTestHost.Passed("LOT-J3", "dup-1")), "webhook:qms", Ct);
        var second = await sut.PublishJsonAsync(EventIntakeTests.Json(EngineTestHost.Passed("LOT-J4", "dup-1")).Replace("\"dup-1\"", "\"\\uFEFFdup-1\"", StringComparison.Ordinal), "webhook:qms", Ct);

        first.Status.Should().Be(PublishStatus.Accepted);
        second.Status.Should().Be(PublishStatus.Rejected);
        second.Errors.Should().Contain(e => e.Path == "$.id" && e.ReasonCode == ReasonCodes.InvalidIdentifier);
    }

    [Fact]
    public void DeriveEventId_NameWithLineBreak_GivesAValidIdDistinctFromTheEscapedLookalike()
    {
        var withBreak = CsvEventMapper.DeriveEventId("a\nb.csv", 2, "x");
        var lookalike = CsvEventMapper.DeriveEventId("a\\u000Ab.csv", 2, "x");

        Identifier.IsValid(withBreak, Identifier.MaxKeyLength, out var problem).Should().BeTrue(problem);
        Identifier.IsValid(lookalike, Identifier.MaxKeyLength, out problem).Should().BeTrue(problem);
        withBreak.Should().NotBe(lookalike);
        CsvEventMapper.DeriveEventId("plain.csv", 2, "x").Should().StartWith("csv:plain.csv:2:");
    }
}
