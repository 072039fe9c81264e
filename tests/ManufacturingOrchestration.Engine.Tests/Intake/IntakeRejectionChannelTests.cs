using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Validation;

namespace ManufacturingOrchestration.Engine.Tests.Intake;

/// <summary>An event that is read but refused by validation or authentication is recorded with the channel it came through, so an operator finds its file or endpoint.</summary>
public sealed class IntakeRejectionChannelTests : IDisposable
{
    private const string ReservedSignatureSource = "urn:manufacturing-orchestration:e-signatures";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mo-drop-channel-" + Guid.NewGuid().ToString("N"));

    public IntakeRejectionChannelTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProcessPendingAsync_LineReadButRefusedByAuthentication_IsRecordedWithTheFileChannel()
    {
        await using var host = await new EngineTestHost().StartAsync();
        File.WriteAllLines(Path.Combine(_folder, "signatures.jsonl"), [
            EventIntakeTests.Json(EngineTestHost.Passed("LOT-CH1", "evt-ch1")),
            EventIntakeTests.Json(EngineTestHost.Passed("LOT-CH2", "spoof-ch2") with { Source = ReservedSignatureSource }),
        ]);

        var report = (await new FileDropSource(new FileDropOptions { Directory = _folder }).ProcessPendingAsync(new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct)).Single();

        report.Lines.Select(l => l.Status).Should().Equal(PublishStatus.Accepted, PublishStatus.Rejected);
        var recorded = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which;
        recorded.Channel.Should().Be("file:signatures.jsonl");
        recorded.EventId.Should().Be("spoof-ch2");
        recorded.Reasons.Should().ContainSingle().Which.Code.Should().Be(ReasonCodes.ApprovalUnauthenticated);
    }

    [Fact]
    public async Task PublishJsonAsync_EventReadButRefusedByAuthentication_IsRecordedWithTheCallersChannel()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);

        var fromText = await sut.PublishJsonAsync(EventIntakeTests.Json(EngineTestHost.Passed("LOT-CH3", "spoof-ch3") with { Source = ReservedSignatureSource }), "webhook:qms", Ct);
        var fromBatch = await sut.PublishJsonBatchAsync([EventIntakeTests.Json(EngineTestHost.Passed("LOT-CH4", "spoof-ch4") with { Source = ReservedSignatureSource })], "queue:mes", Ct);

        fromText.Status.Should().Be(PublishStatus.Rejected);
        fromBatch.Should().ContainSingle().Which.Status.Should().Be(PublishStatus.Rejected);
        var recorded = await host.Store.ReadRejectionsAsync(null, null, 10, Ct);
        recorded.Select(r => (r.EventId, r.Channel)).Should().BeEquivalentTo([("spoof-ch3", "webhook:qms"), ("spoof-ch4", "queue:mes")]);
    }

    [Fact]
    public async Task PublishAsync_TypedEventRefused_IsStillRecordedAsComingThroughTheApi()
    {
        await using var host = await new EngineTestHost().StartAsync();

        var result = await host.Orchestrator.PublishAsync(EngineTestHost.Passed("LOT-CH5", "spoof-ch5") with { Source = ReservedSignatureSource }, Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which.Channel.Should().Be("api");
    }

    [Theory]
    [InlineData("intake-json-text", "too-long")]
    [InlineData("intake-json-bytes", "too-long")]
    [InlineData("intake-json-batch", "too-long")]
    [InlineData("intake-batch", "too-long")]
    [InlineData("intake-rejection", "too-long")]
    [InlineData("orchestrator-rejection", "too-long")]
    [InlineData("intake-json-text", "control")]
    [InlineData("intake-json-bytes", "control")]
    [InlineData("intake-json-batch", "control")]
    [InlineData("intake-batch", "control")]
    [InlineData("intake-rejection", "control")]
    [InlineData("orchestrator-rejection", "control")]
    public async Task Publish_ChannelTooLongOrWithAControlCharacter_ThrowsNamingTheChannelAndRecordsNothing(string entry, string problem)
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new EventIntake(host.Orchestrator);
        var channel = problem == "too-long" ? "webhook:" + new string('q', Identifier.MaxKeyLength) : "webhook:qms\nforged: api";
        var refused = EventIntakeTests.Json(EngineTestHost.Passed("LOT-CH6", "spoof-ch6") with { Source = ReservedSignatureSource });
        var valid = EngineTestHost.Passed("LOT-CH7", "evt-ch7");
        Func<Task> act = entry switch
        {
            "intake-json-text" => () => sut.PublishJsonAsync(refused, channel, Ct).AsTask(),
            "intake-json-bytes" => () => sut.PublishJsonAsync(System.Text.Encoding.UTF8.GetBytes("{ oops"), channel, Ct).AsTask(),
            "intake-json-batch" => () => sut.PublishJsonBatchAsync(["{ oops", EventIntakeTests.Json(valid)], channel, Ct).AsTask(),
            "intake-batch" => () => sut.PublishBatchAsync([valid], channel, Ct).AsTask(),
            "intake-rejection" => () => sut.RecordRejectionAsync(channel, [new ValidationError("$", ReasonCodes.MalformedJson, "bad")], "x", Ct).AsTask(),
            _ => () => host.Orchestrator.RecordRejectionAsync(channel, [new ValidationError("$", ReasonCodes.MalformedJson, "bad")], "x", Ct).AsTask(),
        };

        var thrown = await act.Should().ThrowAsync<ArgumentException>().WithParameterName("channel");

        thrown.Which.Message.Should().StartWith("The channel must ").And.Contain(problem == "too-long" ? $"at most {Identifier.MaxKeyLength} characters" : "control character U+000A");
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().BeEmpty("a refused channel is the caller's mistake, not input to record");
        (await host.Store.ReadPendingEventsAsync("LOT-CH7", 0, 10, Ct)).Should().BeEmpty("nothing of a call with a refused channel is accepted");
    }

    [Fact]
    public async Task RecordRejectionAsync_ChannelOfTheLongestLength_IsRecordedAsGiven()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var channel = "webhook:" + new string('q', Identifier.MaxKeyLength - "webhook:".Length);

        var result = await new EventIntake(host.Orchestrator).PublishJsonAsync("{ oops", channel, Ct);

        result.Status.Should().Be(PublishStatus.Rejected);
        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which.Channel.Should().Be(channel);
    }

    [Fact]
    public async Task PublishContentAsync_NameTooLongOrUnprintableForAChannel_IsStillRecordedUnderABoundedPrintableChannel()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var name = "upload\\\u0007" + new string('n', 2 * Identifier.MaxKeyLength) + "\u2028 .jsonl";
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder });

        var result = await sut.PublishContentAsync(new MemoryStream("{ oops\n"u8.ToArray()), name, new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct);

        result.Lines.Should().ContainSingle().Which.Status.Should().Be(PublishStatus.Rejected);
        var channel = (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which.Channel;
        channel.Should().StartWith("file:upload\\\\\\u0007nnn", "the name is written as printable text, a backslash doubled");
        channel.Length.Should().BeLessThanOrEqualTo(Identifier.MaxKeyLength);
        Identifier.IsValid(channel, Identifier.MaxKeyLength, out var problem).Should().BeTrue(problem);
    }

    [Fact]
    public async Task PublishContentAsync_NameWithAControlCharacter_IsRecordedUnderTheEscapedName()
    {
        await using var host = await new EngineTestHost().StartAsync();
        var sut = new FileDropSource(new FileDropOptions { Directory = _folder });

        await sut.PublishContentAsync(new MemoryStream("{ oops\n"u8.ToArray()), "two\nlines.jsonl", new EventIntake(host.Orchestrator), Ct).WaitAsync(Limit, Ct);

        (await host.Store.ReadRejectionsAsync(null, null, 10, Ct)).Should().ContainSingle().Which.Channel.Should().Be("file:two\\u000Alines.jsonl");
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
