using System.Diagnostics.Metrics;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// Listens to the engine's own latency histogram (<c>mo.events.latency</c>, from acceptance to the committed step)
/// and keeps every measurement in a preallocated array, so listening allocates nothing per event. The histogram's unit
/// is seconds; the recorder keeps milliseconds.
/// </summary>
internal sealed class LatencyRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly double[] _values;
    private int _count;

    public LatencyRecorder(Meter meter, int capacity)
    {
        _values = new double[capacity];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "mo.events.latency")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    public int Count => Math.Min(Volatile.Read(ref _count), _values.Length);

    /// <summary>Forgets what was recorded so far (after a warm-up).</summary>
    public void Reset() => Volatile.Write(ref _count, 0);

    public double Percentile(double p)
    {
        var count = Count;
        if (count == 0)
        {
            return double.NaN;
        }

        var sorted = _values.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        var index = (int)Math.Ceiling(p / 100d * count) - 1;
        return sorted[Math.Clamp(index, 0, count - 1)];
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var slot = Interlocked.Increment(ref _count) - 1;
        if (slot < _values.Length)
        {
            _values[slot] = measurement * 1000d;
        }
    }
}
