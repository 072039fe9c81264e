using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Telemetry;
using ManufacturingOrchestration.Engine.Tests.Execution;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Telemetry;

public class OrchestrationTelemetryTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task BootstrapRetryScheduled_TransientErpFailuresThenAnswer_CountsEachRetryAndOneRecovery()
    {
        await using var host = await new EngineTestHost().StartAsync();
        using var recorder = new MeasurementRecorder(host.Orchestrator.Telemetry.Meter);
        host.AddLotInInspection("L-1", 100);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetLot, 2);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-1", "p1"));
        recorder.Sum("mo.query.retries").Should().Be(1, "the first attempt failed and a retry waits");
        recorder.Sum("mo.query.failures").Should().Be(0, "the failed bootstrap has not ended yet");

        await TestWorkflows.AdvanceUntilAsync(host, () => host.Plant.Erp.QuantityIn(new LotId("L-1"), StockCategory.Unrestricted) == 100, Step);

        recorder.Sum("mo.query.retries").Should().Be(2);
        recorder.Sum("mo.query.retries", "query", QueryKinds.ErpGetLot).Should().Be(2);
        recorder.Sum("mo.query.retries", "site", EngineTestHost.Site.Value).Should().Be(2);
        recorder.Sum("mo.query.failures").Should().Be(1, "one event's bootstrap failed, and it ended once");
        recorder.Sum("mo.query.failures", "outcome", "recovered").Should().Be(1);
        recorder.Sum("mo.query.failures", "query", QueryKinds.ErpGetLot).Should().Be(1);
        recorder.Sum("mo.deadletters").Should().Be(0);
    }

    [Fact]
    public async Task BootstrapEnded_TransientFailuresExhaustTheRetries_CountedAsExhaustedAndAsADeadLetter()
    {
        await using var host = await new EngineTestHost(o => o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxAttempts = 3 }).StartAsync();
        using var recorder = new MeasurementRecorder(host.Orchestrator.Telemetry.Meter);
        host.AddLotInInspection("L-3", 10);
        host.Plant.Faults.Configure(QueryKinds.ErpGetLot, new FaultProfile { TransientFailureRate = 1 });

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-3", "p1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => host.Orchestrator.OpenDeadLetters > 0, Step);

        recorder.Sum("mo.query.retries").Should().Be(2, "attempts 1 and 2 were retried, attempt 3 was the last");
        recorder.Sum("mo.query.failures").Should().Be(1);
        recorder.Sum("mo.query.failures", "outcome", "exhausted").Should().Be(1);
        recorder.Sum("mo.query.failures", "site", EngineTestHost.Site.Value).Should().Be(1);
        recorder.Sum("mo.deadletters").Should().Be(1, "the dead letter is counted once, by the engine's own dead-letter counter");
    }

    [Fact]
    public async Task BootstrapEnded_PermanentErpRefusal_CountedAsRefusedWithoutRetry()
    {
        await using var host = await new EngineTestHost().StartAsync();
        using var recorder = new MeasurementRecorder(host.Orchestrator.Telemetry.Meter);
        host.AddLotInInspection("L-4", 10);
        host.Plant.Faults.FailNext(QueryKinds.ErpGetLot, 1, AdapterResultStatus.PermanentFailure);

        await host.PublishAndWaitAsync(EngineTestHost.Passed("L-4", "p1"));

        recorder.Sum("mo.query.retries").Should().Be(0);
        recorder.Sum("mo.query.failures", "outcome", "refused").Should().Be(1);
        recorder.Sum("mo.query.failures", "outcome", "exhausted").Should().Be(0);
        recorder.Sum("mo.deadletters").Should().Be(1);
    }

    [Fact]
    public void ApprovalWithdrawn_AfterARequest_NoLongerWaitingAndCompletedAsWithdrawn()
    {
        using var telemetry = new OrchestrationTelemetry(new FakeTimeProvider());
        using var recorder = new MeasurementRecorder(telemetry.Meter);
        var site = new SiteId("P1");

        telemetry.ApprovalRequested(site.Value);
        telemetry.ApprovalRequested(site.Value);
        telemetry.ApprovalWithdrawn(site);

        recorder.Sum("mo.approvals.waiting").Should().Be(1, "two were requested and one withdrawn");
        recorder.Sum("mo.approvals.answered", "outcome", "withdrawn").Should().Be(1);
        recorder.Sum("mo.approvals.answered", "outcome", "approved").Should().Be(0);
        recorder.Sum("mo.approvals.answered", "site", "P1").Should().Be(1);
    }

    [Fact]
    public void Constructor_Instruments_FollowTheProductConventions()
    {
        using var telemetry = new OrchestrationTelemetry(new FakeTimeProvider());
        var instruments = new ConcurrentQueue<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, telemetry.Meter))
                {
                    instruments.Enqueue(instrument);
                }
            },
        };
        listener.Start();

        telemetry.Meter.Name.Should().Be(OrchestrationTelemetry.Name);
        instruments.Select(i => i.Name).Should().Contain(["mo.query.retries", "mo.query.failures"]);
        instruments.Should().OnlyContain(i => i.Name.StartsWith("mo.", StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(i.Description));
    }
}
