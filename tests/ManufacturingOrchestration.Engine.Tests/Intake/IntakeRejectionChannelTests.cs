using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Intake;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;

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

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
