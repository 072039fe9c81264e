using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Execution;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

public class OrchestratorTelemetryTests
{
    [Fact]
    public async Task Run_MeterListenerSeesAcceptedProcessedExecutedAndDeadLetters()
    {
        await using var host = await TestWorkflows.NotifyHost().StartAsync();
        using var recorder = new Recorder(host.Orchestrator.Telemetry.Meter);

        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("a", "a1"));
        await TestWorkflows.AdvanceUntilAsync(host, () => TestWorkflows.Delivered(host.Plant, "a").Count == 1, TimeSpan.FromMinutes(1));
        host.Plant.Faults.FailNext(CommandKinds.NotificationSend, 1, AdapterResultStatus.PermanentFailure);
        await host.PublishAndWaitAsync(TestWorkflows.Signal("b", "b1"));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("c", "c1", sequence: 2));
        await host.PublishAndWaitAsync(TestWorkflows.Signal("c", "c0", sequence: 1));
        (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("c", "c1", sequence: 2), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Duplicate);
        (await host.Orchestrator.PublishAsync(TestWorkflows.Signal("c", "bad\u0001"), EngineTestHost.Ct)).Status.Should().Be(PublishStatus.Rejected);

        recorder.Sum("mo.events.accepted").Should().Be(4);
        recorder.Sum("mo.events.duplicate").Should().Be(1);
        recorder.Sum("mo.events.rejected").Should().Be(1);
        recorder.Sum("mo.events.processed").Should().Be(4, "the out-of-order event is handled too");
        recorder.Sum("mo.events.out_of_order").Should().Be(1);
        recorder.Sum("mo.commands.executed").Should().Be(4, "a1 twice, b1 once, c1 once");
        recorder.Sum("mo.commands.executed", "outcome", nameof(AdapterResultStatus.TransientFailure)).Should().Be(1);
        recorder.Sum("mo.commands.executed", "outcome", nameof(AdapterResultStatus.PermanentFailure)).Should().Be(1);
        recorder.Sum("mo.commands.executed", "outcome", nameof(AdapterResultStatus.Succeeded)).Should().Be(2);
        recorder.Sum("mo.commands.retries").Should().Be(1);
        recorder.Sum("mo.deadletters").Should().Be(1);
        recorder.Sum("mo.deadletters", "site", EngineTestHost.Site.Value).Should().Be(1);
        recorder.Sum("mo.events.accepted", "type", Model.Events.EventTypes.SupplierUpdated).Should().Be(4);
    }

    /// <summary>Sums the long counters of one meter instance (other orchestrators in parallel tests share the meter name).</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
            _listener.Start();
        }

        public long Sum(string name, string? tag = null, string? value = null) =>
            _measurements
                .Where(m => m.Name == name && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value))))
                .Sum(m => m.Value);

        public void Dispose() => _listener.Dispose();
    }
}
