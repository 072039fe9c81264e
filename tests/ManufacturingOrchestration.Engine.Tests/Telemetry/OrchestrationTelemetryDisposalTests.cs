using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Engine.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Telemetry;

public class OrchestrationTelemetryDisposalTests
{
    [Fact]
    public void Dispose_MeterFromAFactory_LeavesTheSharedMeterWorkingForItsOtherUsers()
    {
        using var factory = new SharingMeterFactory();
        var telemetry = new OrchestrationTelemetry(new FakeTimeProvider(), factory);
        var shared = factory.Create(OrchestrationTelemetry.Name);
        shared.Should().BeSameAs(telemetry.Meter, "the factory hands every user of the name the same meter");
        var circuitChanges = shared.CreateCounter<long>("mo.connectors.circuit.changes");
        using var recorder = new MeasurementRecorder(shared);

        telemetry.Dispose();
        circuitChanges.Add(1);
        telemetry.OutOfOrder();

        recorder.Sum("mo.connectors.circuit.changes").Should().Be(1, "the factory owns the meter; the connectors' instruments on it must keep reporting");
        recorder.Sum("mo.events.out_of_order").Should().Be(1);
    }

    [Fact]
    public void Dispose_MeterCreatedByTheTelemetry_DisposesIt()
    {
        var telemetry = new OrchestrationTelemetry(new FakeTimeProvider());
        using var recorder = new MeasurementRecorder(telemetry.Meter);

        telemetry.Dispose();
        telemetry.OutOfOrder();

        recorder.Sum("mo.events.out_of_order").Should().Be(0, "a meter the telemetry created is its own to dispose");
    }

    /// <summary>A meter factory of the kind a host may register: one shared meter per name, disposed with the factory.</summary>
    private sealed class SharingMeterFactory : IMeterFactory
    {
        private readonly ConcurrentDictionary<string, Meter> _meters = new(StringComparer.Ordinal);

        public Meter Create(MeterOptions options) => _meters.GetOrAdd(options.Name, _ => new Meter(options.Name, options.Version, options.Tags, this));

        public void Dispose()
        {
            foreach (var meter in _meters.Values)
            {
                meter.Dispose();
            }
        }
    }
}
