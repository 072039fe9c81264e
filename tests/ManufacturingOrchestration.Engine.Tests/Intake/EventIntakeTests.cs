using System.Text;
using System.Text.Json.Nodes;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Serialization;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

public sealed class EventIntakeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublishJsonAsync_ValidEvent_AcceptedAndProcessed()
    {
        await using var host = await new EngineTestHost().StartAsync();
        host.AddLotInInspection("LOT-I1", 40);
        var sut = new EventIntake(host.Orchestrator);

        var result = await sut.PublishJsonAsync(Json(EngineTestHost.Failed("LOT-I1", "evt-i1")), "webhook:qms", Ct);
        await host.Orchestrator.WaitForIdleAsync(Ct);

        result.Status.Should().Be(PublishStatus.Accepted);
        result.Key!.Value.Id.Should().Be("evt-i1");
        host.Plant.Erp.QuantityIn(new LotId("LOT-I1"), StockCategory.Blocked).Should().Be(40);
    }

    [Fact]
    public async Task PublishJsonAsync_SameEventTwice_SecondIsDuplicate()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);
        var json = Json(EngineTestHost.Passed("LOT-I2", "evt-i2"));

        var first = await sut.PublishJsonAsync(Encoding.UTF8.GetBytes(json), "webhook:qms", Ct);
        var second = await sut.PublishJsonAsync(Encoding.UTF8.GetBytes(json), "webhook:qms", Ct);

        first.Status.Should().Be(PublishStatus.Accepted);
        second.Status.Should().Be(PublishStatus.Duplicate);
    }

    [Fact]
    public async Task PublishJsonAsync_MalformedJson_RejectedAndRecordedWithChannelAndExcerpt()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);

        var result = await sut.PublishJsonAsync("{\"id\": \"x\", oops", "webhook:qms", Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        result.Errors.Should().Contain(e => e.ReasonCode == ReasonCodes.MalformedJson);
        var recorded = await host.Store.ReadRejectionsAsync(null, null, 10, Ct);
        recorded.Should().ContainSingle().Which.Should().Match<Engine.Storage.RejectedEvent>(r =>
            r.Channel == "webhook:qms" && r.Excerpt == "{\"id\": \"x\", oops" && r.Reasons.Any(x => x.Code == ReasonCodes.MalformedJson));
    }

    [Fact]
    public async Task PublishJsonAsync_InvalidPayload_RejectedWithEveryPathAndRecorded()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);
        var json = JsonNode.Parse(Json(EngineTestHost.Failed("LOT-I3", "evt-i3")))!;
        json["data"]!["lot"] = "";
        json["data"]!["severity"] = "catastrophic";

        var result = await sut.PublishJsonAsync(json.ToJsonString(), "file:x.jsonl", Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        result.Errors.Select(e => (e.Path, e.ReasonCode.Code)).Should().Contain(("$.data.lot", ReasonCodes.InvalidIdentifier.Code)).And.Contain(e => e.Path == "$.data.severity");
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which.Channel.Should().Be("file:x.jsonl");
    }

    [Fact]
    public async Task PublishJsonBatchAsync_MixedLines_OneResultPerLineInOrder()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);
        string[] lines = [Json(EngineTestHost.Passed("LOT-I4", "evt-i4a")), "not json", Json(EngineTestHost.Passed("LOT-I4", "evt-i4a")), Json(EngineTestHost.Passed("LOT-I4", "evt-i4b"))];

        var results = await sut.PublishJsonBatchAsync(lines, "queue:qms", Ct);

        results.Select(r => r.Status).Should().Equal(PublishStatus.Accepted, PublishStatus.Rejected, PublishStatus.Duplicate, PublishStatus.Accepted);
    }

    [Fact]
    public async Task RecordRejectionAsync_LongExcerpt_KeepsTheStartOnly()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);

        var result = await sut.RecordRejectionAsync("file:a.csv", [new ValidationError("$", ReasonCodes.WrongType, "bad row")], new string('x', 2000), Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Single().Excerpt.Should().HaveLength(EventIntake.ExcerptLength);
    }

    [Fact]
    public async Task RecordRejectionAsync_CalledOnTheOrchestratorWithALongExcerpt_KeepsTheStartOnly()
    {
        await using var host = await new EngineTestHost().StartAsync();

        var result = await host.Orchestrator.RecordRejectionAsync("queue:erp", [new ValidationError("$", ReasonCodes.MalformedJson, "bad message")], new string('x', 100_000), Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Single().Excerpt.Should().Be(new string('x', EventIntake.ExcerptLength), "every caller's rejection is bounded by the one limit");
    }

    [Theory]
    [InlineData("string")]
    [InlineData("utf-8")]
    [InlineData("batch")]
    public async Task PublishJsonAsync_MalformedJsonWithAnEmojiAcrossTheExcerptLimit_KeepsWholeCharactersOnly(string overload)
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);
        var json = "{" + new string('a', EventIntake.ExcerptLength - 2) + "😀 oops";

        var result = overload switch
        {
            "string" => await sut.PublishJsonAsync(json, "webhook:qms", Ct),
            "utf-8" => await sut.PublishJsonAsync(System.Text.Encoding.UTF8.GetBytes(json), "webhook:qms", Ct),
            _ => (await sut.PublishJsonBatchAsync([json], "webhook:qms", Ct))[0],
        };

        result.Status.Should().Be(PublishStatus.Rejected);
        var excerpt = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Single().Excerpt;
        excerpt.Should().Be(json[..(EventIntake.ExcerptLength - 1)], "the emoji across the limit is left out whole, not cut to a stray high surrogate");
    }

    [Fact]
    public async Task RecordRejectionAsync_CalledOnTheOrchestratorWithoutErrorsOrChannel_ThrowsAndRecordsNothing()
    {
        await using var host = await new EngineTestHost().StartAsync();

        await host.Orchestrator.Invoking(o => o.RecordRejectionAsync("queue:erp", [], "x", Ct).AsTask()).Should().ThrowAsync<ArgumentException>().WithParameterName("errors");
        await host.Orchestrator.Invoking(o => o.RecordRejectionAsync(" ", [new ValidationError("$", ReasonCodes.MalformedJson, "bad")], "x", Ct).AsTask()).Should().ThrowAsync<ArgumentException>().WithParameterName("channel");
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().BeEmpty("a rejection without a reason or a channel tells no one what was refused or where from");
    }

    [Fact]
    public async Task RecordRejectionAsync_NoErrors_Throws()
    {
        await using var host = new EngineTestHost();
        var sut = new EventIntake(host.Orchestrator);

        await sut.Invoking(s => s.RecordRejectionAsync("api", [], null, Ct).AsTask()).Should().ThrowAsync<ArgumentException>();
    }

    [Theory]
    [InlineData("intake")]
    [InlineData("orchestrator")]
    public async Task RecordRejectionAsync_WithTheSendersSourceAndEventId_IsStoredUnderThem(string caller)
    {
        await using var host = await new EngineTestHost().StartAsync();
        ValidationError[] errors = [new ValidationError("$", ReasonCodes.WrongType, "bad row")];

        var result = caller == "intake"
            ? await new EventIntake(host.Orchestrator).RecordRejectionAsync("file:a.csv", errors, "row", "qms://plant-1", "evt-r1", Ct)
            : await host.Orchestrator.RecordRejectionAsync("file:a.csv", errors, "row", "qms://plant-1", "evt-r1", Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        var stored = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which;
        stored.EventId.Should().Be("evt-r1");
        stored.Source.Should().Be("qms://plant-1");
        stored.Excerpt.Should().Be("row");
    }

    [Fact]
    public async Task RecordRejectionAsync_SourceAndEventIdThatAreNotIdentifiers_AreStoredEscapedAndTheRejectionIsNotLost()
    {
        await using var host = await new EngineTestHost().StartAsync();

        var result = await host.Orchestrator.RecordRejectionAsync("file:a.csv", [new ValidationError("$", ReasonCodes.WrongType, "bad row")], null, "qms\u0000x", "evt\nforged\uD800", Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        var stored = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which;
        stored.EventId.Should().Be("evt\\u000Aforged\\uD800", "refused text is recorded printable and well-formed");
        stored.Source.Should().Be("qms\\u0000x");
    }

    [Fact]
    public async Task RecordRejectionAsync_EventIdLongerThanAKey_IsStoredCutToTheKeyLength()
    {
        await using var host = await new EngineTestHost().StartAsync();

        await host.Orchestrator.RecordRejectionAsync("file:a.csv", [new ValidationError("$", ReasonCodes.WrongType, "bad row")], null, null, new string('i', 100_000), Ct);

        var stored = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which;
        stored.EventId.Should().HaveLength(Identifier.MaxKeyLength, "no caller can store an unbounded id").And.EndWith("…").And.StartWith("iii");
        stored.Source.Should().BeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task RecordRejectionAsync_BlankSourceOrEventId_IsStoredAsNone(string blank)
    {
        await using var host = await new EngineTestHost().StartAsync();

        await host.Orchestrator.RecordRejectionAsync("file:a.csv", [new ValidationError("$", ReasonCodes.WrongType, "bad row")], null, blank, blank, Ct);

        var stored = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which;
        stored.EventId.Should().BeNull();
        stored.Source.Should().BeNull();
    }

    [Fact]
    public async Task RecordRejectionAsync_WithSourceAndEventIdOnASinkThatOnlyImplementsTheOlderOverload_RecordsThroughIt()
    {
        await using var host = await new EngineTestHost().StartAsync();
        IEventSink sink = new SinkWithoutSourceAndEventId(new EventIntake(host.Orchestrator));

        var result = await sink.RecordRejectionAsync("file:a.csv", [new ValidationError("$", ReasonCodes.WrongType, "bad row")], "row", "qms://plant-1", "evt-r2", Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which.Excerpt.Should().Be("row", "a sink written before the overload existed still records the rejection");
    }

    internal static string Json(Model.Events.EventEnvelope envelope) => EventSerializer.Default.SerializeToString(envelope);
}

/// <summary>An <see cref="IEventSink"/> written against the interface before rejections carried a source and an event id.</summary>
internal sealed class SinkWithoutSourceAndEventId(EventIntake intake) : IEventSink
{
    public ValueTask<IReadOnlyList<PublishResult>> PublishBatchAsync(IReadOnlyList<Model.Events.EventEnvelope> envelopes, CancellationToken cancellationToken = default) =>
        intake.PublishBatchAsync(envelopes, cancellationToken);

    public ValueTask<PublishResult> PublishJsonAsync(ReadOnlyMemory<byte> utf8Json, string channel, CancellationToken cancellationToken = default) =>
        intake.PublishJsonAsync(utf8Json, channel, cancellationToken);

    public ValueTask<PublishResult> RecordRejectionAsync(string channel, IReadOnlyList<ValidationError> errors, string? excerpt, CancellationToken cancellationToken = default) =>
        intake.RecordRejectionAsync(channel, errors, excerpt, cancellationToken);
}
