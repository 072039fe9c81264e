using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ManufacturingOrchestration.Engine.Tests.Telemetry;

/// <summary>Sums the long measurements of one meter instance (other orchestrators in parallel tests share the meter name).</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, long Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();
    private readonly ConcurrentQueue<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> _doubles = new();
    private readonly ConcurrentDictionary<string, string?> _units = new();

    public MeasurementRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                _units[instrument.Name] = instrument.Unit;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _doubles.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    public long Sum(string name, string? tag = null, string? value = null) =>
        _measurements
            .Where(m => m.Name == name && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value))))
            .Sum(m => m.Value);

    /// <summary>The unit of each instrument of the meter, by name.</summary>
    public IReadOnlyDictionary<string, string?> Units => _units;

    /// <summary>Every recorded measurement's tags, long and double alike.</summary>
    public IEnumerable<(string Name, KeyValuePair<string, object?>[] Tags)> AllTags =>
        _measurements.Select(m => (m.Name, m.Tags)).Concat(_doubles.Select(m => (m.Name, m.Tags)));

    /// <summary>How many double measurements (histogram records) an instrument took, optionally with one tag value.</summary>
    public int Count(string name, string? tag = null, string? value = null) =>
        _doubles.Count(m => m.Name == name && (tag is null || m.Tags.Any(t => t.Key == tag && Equals(t.Value, value))));

    public void Dispose() => _listener.Dispose();
}
