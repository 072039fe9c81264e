using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Samples.CustomConnector;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Samples.Tests.CustomConnector;

/// <summary>The connector's translation of the LIMS's answers, against the simulated LIMS and its journal file.</summary>
public sealed class LimsConnectorTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mo-samples-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero));

    public LimsConnectorTests() => Directory.CreateDirectory(_directory);

    private string JournalPath => Path.Combine(_directory, "lims-journal.jsonl");

    [Fact]
    public async Task ExecuteAsync_NewRequest_RegistersOneSampleAndJournalsItUnderTheKey()
    {
        using var lims = Lims();

        var result = await new LimsConnector(lims).ExecuteAsync(Command("key-1", "CAP-LCR-1KHZ"), TestContext.Current.CancellationToken);

        result.Status.Should().Be(AdapterResultStatus.Succeeded);
        result.ExternalReference.Should().Be("S-1001");
        LimsJournal.Read(JournalPath).Should().ContainSingle().Which.Should().BeEquivalentTo(new { RequestId = "key-1", SampleId = "S-1001", Lot = "L-1", TestMethod = "CAP-LCR-1KHZ" });
    }

    [Fact]
    public async Task ExecuteAsync_SameKeyAgain_AlreadyAppliedWithTheFirstSampleAndNoSecondLine()
    {
        using var lims = Lims();
        var connector = new LimsConnector(lims);

        await connector.ExecuteAsync(Command("key-1", "CAP-LCR-1KHZ"), TestContext.Current.CancellationToken);
        var again = await connector.ExecuteAsync(Command("key-1", "CAP-LCR-1KHZ"), TestContext.Current.CancellationToken);

        again.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        again.ExternalReference.Should().Be("S-1001");
        LimsJournal.Read(JournalPath).Should().ContainSingle();
    }

    [Fact]
    public async Task ExecuteAsync_SameKeyAfterTheLimsRestarts_AlreadyAppliedFromTheJournal()
    {
        using (var first = Lims())
        {
            await new LimsConnector(first).ExecuteAsync(Command("key-1", "CAP-LCR-1KHZ"), TestContext.Current.CancellationToken);
        }

        using var restarted = Lims();
        var again = await new LimsConnector(restarted).ExecuteAsync(Command("key-1", "CAP-LCR-1KHZ"), TestContext.Current.CancellationToken);
        var next = await new LimsConnector(restarted).ExecuteAsync(Command("key-2", "CAP-LCR-1KHZ"), TestContext.Current.CancellationToken);

        again.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        again.ExternalReference.Should().Be("S-1001");
        next.ExternalReference.Should().Be("S-1002", "sample numbers go on after the journal's last one");
        LimsJournal.Read(JournalPath).Select(e => e.RequestId).Should().Equal("key-1", "key-2");
    }

    [Fact]
    public async Task ExecuteAsync_RegistrationUnavailable_TransientWithTheLimssRetryAfterAndNothingJournaled()
    {
        using var lims = Lims();
        lims.MakeRegistrationUnavailable(1);

        var result = await new LimsConnector(lims).ExecuteAsync(Command("key-1", "CAP-LCR-1KHZ"), TestContext.Current.CancellationToken);

        result.Status.Should().Be(AdapterResultStatus.TransientFailure);
        result.Reason.Should().Be(ReasonCodes.AdapterTransient);
        result.RetryAfter.Should().Be(TimeSpan.FromSeconds(5));
        LimsJournal.Read(JournalPath).Should().BeEmpty();
    }

    [Fact]
    public async Task ExecuteAsync_AnswerLost_TransientThoughRegisteredAndTheRetryIsAlreadyApplied()
    {
        using var lims = Lims();
        lims.LoseAnswers(1);
        var connector = new LimsConnector(lims);

        var lost = await connector.ExecuteAsync(Command("key-1", "LEAK-DC-10V"), TestContext.Current.CancellationToken);
        var retry = await connector.ExecuteAsync(Command("key-1", "LEAK-DC-10V"), TestContext.Current.CancellationToken);

        lost.Status.Should().Be(AdapterResultStatus.TransientFailure, "without an answer the connector cannot know whether the sample exists");
        retry.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        retry.ExternalReference.Should().Be("S-1001");
        LimsJournal.Read(JournalPath).Should().ContainSingle();
    }

    [Fact]
    public async Task ExecuteAsync_TestMethodNotConfigured_PermanentUntilTheLabConfiguresIt()
    {
        using var lims = Lims();
        var connector = new LimsConnector(lims);

        var refused = await connector.ExecuteAsync(Command("key-1", "ESR-100KHZ"), TestContext.Current.CancellationToken);
        lims.AddTestMethod("ESR-100KHZ");
        var replayed = await connector.ExecuteAsync(Command("key-1", "ESR-100KHZ"), TestContext.Current.CancellationToken);

        refused.Status.Should().Be(AdapterResultStatus.PermanentFailure);
        refused.Reason.Should().Be(LimsOperations.RegistrationRefused);
        refused.Message.Should().Be("LIMS: test method 'ESR-100KHZ' is not configured in this LIMS");
        replayed.Status.Should().Be(AdapterResultStatus.Succeeded);
        LimsJournal.Read(JournalPath).Select(e => e.TestMethod).Should().Equal("ESR-100KHZ");
    }

    [Fact]
    public async Task QueryAsync_SampleDrawnByHandOrRegistered_FoundByLot()
    {
        using var lims = Lims();
        var connector = new LimsConnector(lims);
        lims.DrawSampleByHand(new LotId("L-2"), "CAP-LCR-1KHZ", "lab-tech-lena");
        await connector.ExecuteAsync(Command("key-1", "CAP-LCR-1KHZ"), TestContext.Current.CancellationToken);

        var byHand = await connector.QueryAsync(new FindRetestSample(new LotId("L-2")), TestContext.Current.CancellationToken);
        var registered = await connector.QueryAsync(new FindRetestSample(new LotId("L-1")), TestContext.Current.CancellationToken);
        var none = await connector.QueryAsync(new FindRetestSample(new LotId("L-3")), TestContext.Current.CancellationToken);

        byHand.Should().BeEquivalentTo(new RetestSample { SampleId = "S-1001", Lot = new LotId("L-2"), TestMethod = "CAP-LCR-1KHZ", RegisteredBy = "lab-tech-lena" });
        registered!.SampleId.Should().Be("S-1002");
        registered.RegisteredBy.Should().Be("key-1");
        none.Should().BeNull();
    }

    [Fact]
    public void Registry_TheCommandRoundTripsThroughItsJsonContext()
    {
        var registry = OperationRegistry.CreateDefault()
            .AddCommand(LimsOperations.RecordRetestSample, LimsJsonContext.Default.RecordRetestSample)
            .AddQuery<FindRetestSample, RetestSample?>(LimsOperations.FindRetestSample);
        var command = Command("key-1", "ESR-100KHZ");

        var read = registry.Deserialize(LimsOperations.RecordRetestSample, registry.Serialize(command));

        read.Should().Be(command);
        registry.IsSupportedBy(LimsOperations.RecordRetestSample, new LimsConnector(new NoLims())).Should().BeTrue();
        registry.IsSupportedBy(LimsOperations.FindRetestSample, new LimsConnector(new NoLims())).Should().BeTrue();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private LimsSimulator Lims() => new(JournalPath, _time, ["CAP-LCR-1KHZ", "LEAK-DC-10V"]);

    private static RecordRetestSample Command(string key, string testMethod) => new()
    {
        Context = new CommandContext { IdempotencyKey = key, CorrelationId = "c-1", Site = new SiteId("P1") },
        Lot = new LotId("L-1"),
        Material = new MaterialId("CAP-100UF"),
        InspectionLot = new InspectionLotId("IL-1"),
        Characteristic = "capacitance",
        TestMethod = testMethod,
        Reason = "out of tolerance",
    };

    private sealed class NoLims : ILimsApi
    {
        public ValueTask<LimsResponse> RegisterSampleAsync(SampleRegistration registration, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<RetestSample?> FindSampleAsync(LotId lot, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
