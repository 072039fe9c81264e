using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Tests.Audit;
using ManufacturingOrchestration.Engine.Tests.Telemetry;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>Committed audit records stream to the registered audit sinks: at least once, in order per key, from a saved cursor.</summary>
public sealed class OrchestratorAuditSinkTests
{
    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task AuditSinks_EventsOfSeveralKeys_EachSinkGetsEveryCommittedRecordOnceInOrderPerKey()
    {
        var siem = new RecordingAuditSink("siem");
        var grc = new RecordingAuditSink("grc");
        await using var host = await TestWorkflows.NotifyHost(o =>
        {
            o.AuditSinks.Add(siem);
            o.AuditSinks.Add(grc);
            o.Settings.AuditSinkDelivery.BatchSize = 2;
        }).StartAsync();

        await host.PublishAndWaitAsync(
            TestWorkflows.Signal("k1", "e1"),
            TestWorkflows.Signal("k2", "e2"),
            TestWorkflows.Signal("k1", "e3"),
            TestWorkflows.Signal("k3", "e4"),
            TestWorkflows.Signal("k2", "e5"),
            TestWorkflows.Signal("k1", "e6"));
        await WaitForSinksAsync(host);

        var feed = await host.Store.ReadAuditFeedAsync(0, 100, Ct);
        feed.Should().HaveCount(6);
        foreach (var sink in new[] { siem, grc })
        {
            sink.Received.Select(Id).Should().Equal(feed.Select(e => Id(e.Record)), "{0} gets the feed in commit order, each record once", sink.Name);
            sink.Received.Where(r => r.PartitionKey == "k1").Select(r => r.Sequence).Should().Equal(1, 2, 3);
            sink.Received.Where(r => r.PartitionKey == "k2").Select(r => r.Sequence).Should().Equal(1, 2);
            sink.Received.Where(r => r.PartitionKey == "k3").Select(r => r.Sequence).Should().Equal(1);
            sink.Batches.Should().OnlyContain(b => b.Count >= 1 && b.Count <= 2);
        }

        (await host.Store.ReadAuditSinkCursorAsync("siem", Ct)).Should().Be(feed[^1].Position);
        (await host.Store.ReadAuditSinkCursorAsync("grc", Ct)).Should().Be(feed[^1].Position);
    }

    [Fact]
    public async Task AuditSinks_SinkThatThrows_GetsTheSameRecordsAgainAfterTheBackoffWhileOtherSinksGoOn()
    {
        var flaky = new RecordingAuditSink("siem") { ThrowOnCall = call => call <= 2 };
        var steady = new RecordingAuditSink("file");
        await using var host = await TestWorkflows.NotifyHost(o =>
        {
            o.AuditSinks.Add(flaky);
            o.AuditSinks.Add(steady);
            o.Settings.AuditSinkDelivery.RetryDelay = TimeSpan.FromSeconds(1);
        }).StartAsync();
        using var recorder = new MeasurementRecorder(host.Orchestrator.Telemetry.Meter);

        await host.PublishAndWaitAsync(TestWorkflows.Signal("k1", "e1"), TestWorkflows.Signal("k2", "e2"), TestWorkflows.Signal("k1", "e3"));

        // The failing sink holds up neither the orchestrator nor the other sink, on a clock that has not moved.
        await steady.WaitForRecordsAsync(3);
        await flaky.WaitForCallsAsync(1);
        flaky.Received.Should().BeEmpty();

        // First retry one RetryDelay after the first attempt, the second after twice that.
        host.Time.Advance(TimeSpan.FromSeconds(1));
        await flaky.WaitForCallsAsync(2);
        host.Time.Advance(TimeSpan.FromSeconds(2));
        await WaitForSinksAsync(host);

        var feed = (await host.Store.ReadAuditFeedAsync(0, 100, Ct)).Select(e => Id(e.Record)).ToArray();
        feed.Should().BeEquivalentTo(["k1#1", "k2#1", "k1#2"], "keys are committed in parallel, each in sequence order");
        feed.Where(id => id.StartsWith("k1#", StringComparison.Ordinal)).Should().Equal("k1#1", "k1#2");
        flaky.Received.Select(Id).Should().Equal(feed);
        steady.Received.Select(Id).Should().Equal(feed);
        flaky.Calls.Should().Be(3);
        recorder.Sum("mo.audit.sink.failures", "sink", "siem").Should().Be(2);
        recorder.Sum("mo.audit.sink.failures", "sink", "file").Should().Be(0);
        recorder.Sum("mo.audit.sink.delivered", "sink", "siem").Should().Be(3);
    }

    [Fact]
    public async Task AuditSinks_RestartAfterADeliveryWhoseCursorWasNotSaved_RedeliverOnlyFromThatBatch()
    {
        var store = new InMemoryOrchestrationStore();
        var before = new RecordingAuditSink("siem") { HoldOnCall = call => call == 2 };
        await using (var host = await new EngineTestHost(o => { o.AuditSinks.Add(before); o.Settings.AuditSinkDelivery.BatchSize = 2; }, store, [TestWorkflows.Notify()]).StartAsync())
        {
            await host.PublishAndWaitAsync(
                TestWorkflows.Signal("k1", "e1"),
                TestWorkflows.Signal("k2", "e2"),
                TestWorkflows.Signal("k1", "e3"),
                TestWorkflows.Signal("k2", "e4"),
                TestWorkflows.Signal("k1", "e5"));

            // The second batch reached the sink, which never returns: its cursor is not saved when the orchestrator stops.
            await before.WaitForCallsAsync(2);
            await host.Orchestrator.StopAsync(Ct);
        }

        var after = new RecordingAuditSink("siem");
        await using (var host = await new EngineTestHost(o => o.AuditSinks.Add(after), store, [TestWorkflows.Notify()]).StartAsync())
        {
            await host.PublishAndWaitAsync(TestWorkflows.Signal("k2", "e6"));
            await WaitForSinksAsync(host);
        }

        var feed = (await store.ReadAuditFeedAsync(0, 100, Ct)).Select(e => Id(e.Record)).ToList();
        feed.Should().BeEquivalentTo(["k1#1", "k2#1", "k1#2", "k2#2", "k1#3", "k2#3"], "keys are committed in parallel, each in sequence order");
        feed.Where(id => id.StartsWith("k1#", StringComparison.Ordinal)).Should().Equal("k1#1", "k1#2", "k1#3");
        feed[^1].Should().Be("k2#3", "the second run committed it last");
        var unsaved = before.Batches[1];
        var firstUnsaved = feed.IndexOf(Id(unsaved[0]));
        before.Received.Select(Id).Should().Equal(feed.Take(firstUnsaved + unsaved.Count), "the first run delivered up to its held batch");
        after.Received.Select(Id).Should().Equal(feed.Skip(firstUnsaved), "only the batch whose cursor was not saved comes again, then what is new");
    }

    [Fact]
    public async Task WaitForAuditSinksAsync_NoSinkRegistered_CompletesAtOnce()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        await host.PublishAndWaitAsync(TestWorkflows.Signal("k1", "e1"));

        var wait = host.Orchestrator.WaitForAuditSinksAsync(Ct);

        wait.IsCompletedSuccessfully.Should().BeTrue();
        await wait;
    }

    [Fact]
    public void Validate_TwoSinksWithOneName_ThrowsNamingIt()
    {
        var options = new OrchestratorOptions();
        options.Workflows.Add(TestWorkflows.Notify());
        options.AuditSinks.Add(new RecordingAuditSink("siem"));
        options.AuditSinks.Add(new RecordingAuditSink("siem"));

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage("Two audit sinks are named 'siem'*");
    }

    [Fact]
    public void Validate_SinkNamedWithTheReservedPrefix_ThrowsNamingIt()
    {
        var options = new OrchestratorOptions();
        options.Workflows.Add(TestWorkflows.Notify());
        options.AuditSinks.Add(new RecordingAuditSink("$audit-checkpoints"));

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .WithMessage("The audit sink name '$audit-checkpoints' starts with '$', which is reserved*");
    }

    [Fact]
    public void Validate_SinkWithoutAName_Throws()
    {
        var options = new OrchestratorOptions();
        options.Workflows.Add(TestWorkflows.Notify());
        options.AuditSinks.Add(new RecordingAuditSink(" "));

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage("An audit sink (RecordingAuditSink) has no name*");
    }

    [Fact]
    public void Validate_DeliveryBatchSizeOutOfRange_Throws()
    {
        var options = new OrchestratorOptions();
        options.Workflows.Add(TestWorkflows.Notify());
        options.Settings.AuditSinkDelivery.BatchSize = AuditSinkOptions.MaxBatchSize + 1;

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .WithMessage("*The field OrchestratorSettings.AuditSinkDelivery.BatchSize must be between 1 and 10000.*");
    }

    private static string Id(AuditRecord record) => $"{record.PartitionKey}#{record.Sequence}";

    private static async Task WaitForSinksAsync(EngineTestHost host)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(EngineTestHost.IdleTimeout);
        await host.Orchestrator.WaitForAuditSinksAsync(limit.Token);
    }
}
