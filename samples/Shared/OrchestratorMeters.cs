using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ManufacturingOrchestration.Engine.Telemetry;

namespace ManufacturingOrchestration.Samples;

/// <summary>
/// Listens to one orchestrator's instruments (<c>mo.*</c>), or to those of several nodes together, and keeps the totals
/// a sample reports: events accepted and processed, command attempts per kind and outcome, dead letters, SLA breaches,
/// and every event latency.
/// </summary>
public sealed class OrchestratorMeters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Kind, string Outcome), long> _commands = new();
    private readonly List<double> _latencies = [];
    private readonly Lock _gate = new();

    /// <summary>Starts listening to <paramref name="telemetry"/>'s meter (and only to it).</summary>
    /// <param name="telemetry">The orchestrator's telemetry.</param>
    public OrchestratorMeters(OrchestrationTelemetry telemetry)
        : this([telemetry ?? throw new ArgumentNullException(nameof(telemetry))])
    {
    }

    /// <summary>Starts listening to the meters of several orchestrators (the nodes of a cluster) and adds their measurements up.</summary>
    /// <param name="telemetries">The orchestrators' telemetry.</param>
    public OrchestratorMeters(IReadOnlyCollection<OrchestrationTelemetry> telemetries)
    {
        ArgumentNullException.ThrowIfNull(telemetries);
        var meters = telemetries.Select(t => t.Meter).ToArray();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meters.Any(m => ReferenceEquals(instrument.Meter, m)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value);
            if (instrument.Name == "mo.commands.executed")
            {
                string? kind = null, outcome = null;
                foreach (var tag in tags)
                {
                    if (tag.Key == "kind")
                    {
                        kind = tag.Value as string;
                    }
                    else if (tag.Key == "outcome")
                    {
                        outcome = tag.Value as string;
                    }
                }

                _commands.AddOrUpdate((kind ?? "?", outcome ?? "?"), value, (_, total) => total + value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "mo.events.latency")
            {
                lock (_gate)
                {
                    _latencies.Add(value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>The total of a counter so far, such as <c>mo.events.processed</c>.</summary>
    /// <param name="instrument">The instrument name.</param>
    /// <returns>The total.</returns>
    public long Total(string instrument) => _totals.GetValueOrDefault(instrument);

    /// <summary>Command attempts so far by kind and outcome (<c>succeeded</c>, <c>transient_failure</c>, …).</summary>
    public IReadOnlyDictionary<(string Kind, string Outcome), long> Commands => new Dictionary<(string Kind, string Outcome), long>(_commands);

    /// <summary>A percentile of the event latencies (acceptance to committed step), in milliseconds; 0 when none.</summary>
    /// <param name="percentile">0 to 100.</param>
    /// <returns>The latency.</returns>
    public double LatencyPercentile(double percentile)
    {
        double[] sorted;
        lock (_gate)
        {
            sorted = [.. _latencies];
        }

        if (sorted.Length == 0)
        {
            return 0;
        }

        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
