using BenchmarkDotNet.Attributes;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Model.Serialization;

namespace ManufacturingOrchestration.Benchmarks.Model;

/// <summary>
/// JSON round trip of the standard scenario's events through <see cref="EventSerializer"/> (CloudEvents envelope,
/// source-generated payload contracts, validation on parse). The baseline is the round trip of a passed inspection.
/// </summary>
[MemoryDiagnoser]
public class EventJsonBenchmarks
{
    private readonly EventSerializer _serializer = EventSerializer.Default;
    private EventEnvelope _passed = null!;
    private EventEnvelope _failed = null!;
    private byte[] _passedJson = null!;

    [GlobalSetup]
    public void Setup()
    {
        var site = new SiteId("P1");
        _passed = new EventEnvelope
        {
            Id = "insp-1",
            Source = "qms://throughput",
            Type = EventTypes.InspectionPassed,
            Site = site,
            Data = new InspectionPassed { InspectionLot = new InspectionLotId("IL-L-1"), Lot = new LotId("L-1"), Material = new MaterialId("M-001"), Site = site },
        };
        _failed = new EventEnvelope
        {
            Id = "insp-0",
            Source = "qms://throughput",
            Type = EventTypes.InspectionFailed,
            Site = site,
            Data = new InspectionFailed
            {
                InspectionLot = new InspectionLotId("IL-L-0"),
                Lot = new LotId("L-0"),
                Material = new MaterialId("M-000"),
                Site = site,
                Supplier = new SupplierId("S0"),
                Severity = DefectSeverity.Critical,
                DefectDescription = "Dimension out of tolerance",
            },
        };
        _passedJson = _serializer.SerializeToUtf8Bytes(_passed);
        if (RoundTripPassed() is not { Data: InspectionPassed } || RoundTripFailed() is not { Data: InspectionFailed })
        {
            throw new InvalidOperationException("The round trip does not give the events back.");
        }
    }

    [Benchmark(Baseline = true, Description = "round trip: inspection passed")]
    public EventEnvelope? RoundTripPassed() => _serializer.Parse(_serializer.SerializeToUtf8Bytes(_passed)).Envelope;

    [Benchmark(Description = "round trip: inspection failed")]
    public EventEnvelope? RoundTripFailed() => _serializer.Parse(_serializer.SerializeToUtf8Bytes(_failed)).Envelope;

    [Benchmark(Description = "serialize: inspection passed")]
    public byte[] SerializePassed() => _serializer.SerializeToUtf8Bytes(_passed);

    [Benchmark(Description = "parse + validate: inspection passed")]
    public EventEnvelope? ParsePassed() => _serializer.Parse(_passedJson).Envelope;
}
