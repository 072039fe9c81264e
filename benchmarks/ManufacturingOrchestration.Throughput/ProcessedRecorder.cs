using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ManufacturingOrchestration.Throughput;

/// <summary>
/// Counts the events one orchestrator processed (its <c>mo.events.processed</c> counter) and when the last one was
/// committed, as a <see cref="Stopwatch"/> timestamp: the system's monotonic clock, the same in every process on the
/// machine, so the runner can compare the timestamps of its node processes.
/// </summary>
internal sealed class ProcessedRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;
    private long _last;

    public ProcessedRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "mo.events.processed")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    /// <summary>When the last processed event was counted (<see cref="Stopwatch.GetTimestamp"/>), or 0.</summary>
    public long LastTimestamp => Interlocked.Read(ref _last);

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        Interlocked.Add(ref _count, measurement);
        Interlocked.Exchange(ref _last, Stopwatch.GetTimestamp());
    }
}
